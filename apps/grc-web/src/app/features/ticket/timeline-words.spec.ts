import { TestBed } from '@angular/core/testing';
import type { TimelineEvent } from '@grc/domain';
import { provideTestI18n } from '../../../testing/i18n';
import { I18n } from '../../core/i18n';
import { timelineEntries, timelineWords, type TimelineContext } from './timeline-words';

let seq = 0;
const event = (kind: string, data: Record<string, unknown> = {}): TimelineEvent =>
  ({
    id: `e${++seq}`,
    kind,
    at: `2026-11-30T10:${String(seq).padStart(2, '0')}:00Z`,
    actor: null,
    body: null,
    data,
  }) as unknown as TimelineEvent;

const VOIRIE = '11111111-1111-4111-8111-111111111111';
const EV = '22222222-2222-4222-8222-222222222222';
const JULIE = '33333333-3333-4333-8333-333333333333';
const POTHOLE = '44444444-4444-4444-8444-444444444444';
const LAMP = '55555555-5555-4555-8555-555555555555';

/** The ticket page's history in words (docs/live.md, "Timeline in words"): names, never ids; SLA recomputations grouped. */
describe('timeline in words', () => {
  let ctx: TimelineContext;
  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestI18n('en') });
    const i18n = TestBed.inject(I18n);
    await i18n.ready();
    ctx = {
      i18n,
      departments: [
        { id: VOIRIE, name: 'Service voirie et réseaux' },
        { id: EV, name: 'Espaces verts' },
      ],
      agents: [{ id: JULIE, displayName: 'Julie Lefebvre' }],
      categories: [
        {
          id: POTHOLE,
          nameFr: 'Nid-de-poule',
          nameEn: 'Pothole',
          fields: [
            {
              code: 'dimension',
              datatype: 'string',
              variable: true,
              required: false,
              description: 'Taille du trou',
              descriptionEn: 'Size of the hole',
              datatypeDescription: null,
              order: 1,
              values: [],
              min: null,
              max: null,
            },
          ],
        },
        { id: LAMP, nameFr: 'Panne d’éclairage', nameEn: 'Street light out' },
      ],
    };
  });

  it('names departments, agents and categories as the API records them (ids), never the ids themselves', () => {
    const words = (kind: string, data: Record<string, unknown>) => timelineWords(event(kind, data), ctx);
    expect(words('created', { channel: 'phone', departmentId: VOIRIE })).toBe('Service voirie et réseaux');
    expect(words('transferred', { fromDepartment: VOIRIE, toDepartment: EV })).toBe('Service voirie et réseaux → Espaces verts');
    expect(words('assigned', { from: null, to: JULIE })).toBe('Assigned to Julie Lefebvre');
    expect(words('assigned', { from: JULIE, to: null })).toBe('No longer assigned');
    expect(words('category_changed', { from: POTHOLE, to: LAMP })).toBe('Pothole → Street light out');
    expect(words('status_changed', { from: 'new', to: 'open' })).toBe('New → Open');
    expect(words('priority_changed', { from: 1, to: 'urgent' })).toMatch(/→ Urgent$/);
    expect(words('attributes_changed', { codes: ['dimension'] })).toBe('Size of the hole');

    // an id the console does not know (an agent since removed) says nothing rather than the raw id
    const unknown = '99999999-9999-4999-8999-999999999999';
    for (const [kind, data] of [
      ['assigned', { from: null, to: unknown }],
      ['created', { departmentId: unknown }],
    ] as const) {
      const text = words(kind, data) ?? '';
      expect(text).not.toContain(unknown);
    }
    expect(words('transferred', { fromDepartment: unknown, toDepartment: EV })).toBe('— → Espaces verts');
  });

  it("words the e-mail intake's note of refused attachments from its codes, not from its French body", () => {
    const note = {
      ...event('note', {
        refusedAttachments: [
          { filename: 'virus.exe', code: 'file.type', reason: 'Type de fichier non accepté…' },
          { filename: 'vide.pdf', code: 'file.empty', reason: 'Fichier vide.' },
          { filename: 'ancien.bin', reason: 'Fichier trop volumineux…' },
        ],
      }),
      body: 'Pièces jointes de l’e-mail refusées : …',
    };
    expect(timelineWords(note, ctx)).toBe(
      'Attachments of the e-mail refused:\n• virus.exe — file type not accepted, or content not matching its type\n• vide.pdf — empty file\n• ancien.bin — refused',
    );
    // an agent's own note says nothing more than its text
    expect(timelineWords(event('note'), ctx)).toBeNull();
  });

  it('groups consecutive SLA recomputations into one entry (the latest), and leaves the others apart', () => {
    const created = event('created', { departmentId: VOIRIE });
    const sla = [1, 2, 3].map((n) => event('sla_changed', { target: 'resolution', deadline: `2026-12-0${n}T16:00:00Z` }));
    const note = event('note');
    const later = event('sla_changed', { target: 'resolution', deadline: '2026-12-09T16:00:00Z' });
    const entries = timelineEntries([created, ...sla, note, later]);
    expect(entries.map((e) => e.ev.id)).toEqual([created.id, sla[2]!.id, note.id, later.id]);
    expect(entries[1]!.grouped.map((e) => e.id)).toEqual(sla.map((e) => e.id));
    // a lone recomputation is an ordinary entry
    expect(entries[3]!.grouped).toEqual([]);
    expect(entries[0]!.grouped).toEqual([]);
    expect(ctx.i18n.t('timeline.slaGroup', { count: entries[1]!.grouped.length })).toBe('Deadline recomputed 3 times');
  });
});
