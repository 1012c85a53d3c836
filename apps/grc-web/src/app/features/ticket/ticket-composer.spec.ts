import { provideHttpClient, type HttpRequest } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { TicketDetail, TicketWorkflowView } from '@grc/domain';
import { answerOthers } from '../../../testing/http';
import { provideTestI18n } from '../../../testing/i18n';
import { I18n } from '../../core/i18n';
import { TicketPage } from './ticket';

const ID = '00000000-0000-4000-8000-000000000001';
const created = { id: 'e1', kind: 'created', at: '2026-11-30T09:00:00Z', actor: null, body: null, data: {} } as const;
const ticket = (version: number, timeline: TicketDetail['timeline'] = [created]): TicketDetail => ({
  id: ID,
  reference: 'GRC-2026-004217',
  subject: 'Lampadaire éteint rue des Lilas',
  status: 'open',
  priority: 'normal',
  channel: 'phone',
  category: { id: 'c1', code: 'eclairage-panne', nameFr: 'Panne d’éclairage', nameEn: 'Street light out' },
  department: { id: 'd1', code: 'eclairage', name: 'Éclairage public' },
  assignee: null,
  citizen: null,
  createdAt: '2026-11-30T09:00:00Z',
  updatedAt: '2026-11-30T09:00:00Z',
  description: 'Le lampadaire devant le 12 ne s’allume plus.',
  address: null,
  latitude: null,
  longitude: null,
  version,
  attributes: {},
  attachments: [],
  timeline,
  allowedStatuses: ['resolved'],
});
const noCircuit: TicketWorkflowView = { ticketId: ID, ticketVersion: 3, bound: null, instance: null, actions: [] };

/** The ticket page's composer: replies and notes sent with the version last read; errors worded in English. */
describe('TicketPage composer', () => {
  let fixture: ComponentFixture<TicketPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const isMessagePost = (r: HttpRequest<unknown>) => r.method === 'POST' && r.url.endsWith('/messages');

  async function settle(): Promise<void> {
    await fixture.whenStable();
    answerOthers(http, isMessagePost, { '/workflow': noCircuit });
    await fixture.whenStable();
  }
  async function type(text: string): Promise<void> {
    const area = el().querySelector<HTMLTextAreaElement>('[data-testid="composer-body"]')!;
    area.value = text;
    area.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  }
  const submit = () => el().querySelector<HTMLButtonElement>('[data-testid="composer-submit"]')!.click();

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), ...provideTestI18n('en')],
    });
    await TestBed.inject(I18n).ready();
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(TicketPage);
    fixture.componentRef.setInput('id', ID);
    fixture.autoDetectChanges();
    await fixture.whenStable();
    http.expectOne(`/api/v1/tickets/${ID}`).flush(ticket(3));
    await settle();
  });

  it('refuses an empty message without calling the API', async () => {
    submit();
    await fixture.whenStable();
    http.expectNone(isMessagePost);
    expect(el().querySelector('#composer-body-error')?.textContent).toContain('This field is required.');
  });

  it('sends a reply with the version it read, then empties the composer and says so', async () => {
    await type('Bonjour, une équipe passe demain.');
    submit();
    const post = http.expectOne(isMessagePost);
    expect(post.request.body).toEqual({ kind: 'reply', body: 'Bonjour, une équipe passe demain.', version: 3 });
    post.flush(ticket(4));
    await settle();
    expect(el().textContent).toContain('Reply sent.');
    expect(el().querySelector<HTMLTextAreaElement>('[data-testid="composer-body"]')!.value).toBe('');
  });

  it('sends an internal note as a note', async () => {
    el().querySelector<HTMLInputElement>('[data-testid="composer-kind-note"]')!.click();
    await fixture.whenStable();
    await type('Vu avec le prestataire.');
    submit();
    expect(http.expectOne(isMessagePost).request.body).toEqual({ kind: 'note', body: 'Vu avec le prestataire.', version: 3 });
  });

  it('after a stale save, shows the other change marked new, keeps the draft, and reapplies the draft as edited on the new version', async () => {
    await type('Bonjour, une équipe passe demain.');
    submit();
    http
      .expectOne(isMessagePost)
      .flush({ title: 'Conflit', status: 409, code: 'stale', errors: [] }, { status: 409, statusText: 'Conflict' });
    await settle();
    el().querySelector<HTMLButtonElement>('[data-testid="conflict-see"]')!.click();
    const colleague = {
      id: 'e2',
      kind: 'reply',
      at: '2026-11-30T10:00:00Z',
      actor: { id: 'a2', displayName: 'Thierry Moreau' },
      body: 'Intervention prévue jeudi.',
      data: {},
    } as const;
    http.expectOne(`/api/v1/tickets/${ID}`).flush(ticket(5, [created, colleague]));
    await settle();
    const entries = Array.from(el().querySelectorAll('[data-testid="timeline-event"]'));
    const fresh = entries.filter((e) => e.querySelector('[data-testid="timeline-new"]'));
    expect(fresh.map((e) => e.textContent)).toEqual([expect.stringContaining('Intervention prévue jeudi.')]);
    const area = () => el().querySelector<HTMLTextAreaElement>('[data-testid="composer-body"]')!;
    expect(area().value).toBe('Bonjour, une équipe passe demain.');
    // the agent merges the colleague's answer into the draft, then reapplies: the edited draft, on version 5
    await type('Bonjour, comme indiqué, une équipe passe jeudi.');
    el().querySelector<HTMLButtonElement>('[data-testid="conflict-reapply-after"]')!.click();
    // (re-read once more: the newest version is the one to send on)
    http.expectOne(`/api/v1/tickets/${ID}`).flush(ticket(5, [created, colleague]));
    await fixture.whenStable();
    const post = http.expectOne(isMessagePost);
    expect(post.request.body).toEqual({ kind: 'reply', body: 'Bonjour, comme indiqué, une équipe passe jeudi.', version: 5 });
    post.flush(ticket(6, [created, colleague]));
    await settle();
    expect(el().querySelector('[data-testid="conflict-reapply-after"]')).toBeNull();
    expect(area().value).toBe('');
  });

  it('"reapply" straight from the conflict re-reads first, then sends on the new version', async () => {
    await type('Bonjour');
    submit();
    http
      .expectOne(isMessagePost)
      .flush({ title: 'Conflit', status: 409, code: 'stale', errors: [] }, { status: 409, statusText: 'Conflict' });
    await settle();
    el().querySelector<HTMLButtonElement>('[data-testid="conflict-reapply"]')!.click();
    http.expectOne(`/api/v1/tickets/${ID}`).flush(ticket(7));
    await fixture.whenStable();
    expect(http.expectOne(isMessagePost).request.body).toEqual({ kind: 'reply', body: 'Bonjour', version: 7 });
  });

  it('on a stale version, says so in English (no French from the server) and offers to reapply', async () => {
    await type('Bonjour');
    submit();
    http.expectOne(isMessagePost).flush(
      {
        type: 'about:blank',
        title: 'Conflit',
        status: 409,
        detail: 'Ce ticket a été modifié par quelqu’un d’autre entre-temps.',
        code: 'stale',
        errors: [{ field: 'version', message: 'Version périmée', code: 'stale_version' }],
      },
      { status: 409, statusText: 'Conflict' },
    );
    await settle();
    const alert = el().querySelector('[role="alert"]')!.textContent!;
    expect(alert).toContain('Someone changed this request');
    expect(alert).not.toContain('modifié');
    expect(alert).toContain('Reapply my change');
  });
});
