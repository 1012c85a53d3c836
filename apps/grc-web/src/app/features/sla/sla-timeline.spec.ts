import { TestBed } from '@angular/core/testing';
import type { TimelineEvent } from '@grc/domain';
import { provideTestI18n } from '../../../testing/i18n';
import { I18n } from '../../core/i18n';
import { slaEventBody, slaEventText, slaHistoryText } from './sla-timeline';

const event = (kind: string, data: Record<string, unknown>, body: string): TimelineEvent =>
  ({ id: 'e1', kind, at: '2026-11-30T10:00:00Z', actor: null, body, data }) as unknown as TimelineEvent;

/** The SLA's timeline events in English from their data; the French sentence the API stores is not shown. */
describe('SLA timeline wording', () => {
  let i18n: I18n;
  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestI18n('en') });
    i18n = TestBed.inject(I18n);
    await i18n.ready();
  });

  it('words a breach, a warning and a moved deadline, and hides the stored French body', () => {
    const breach = event(
      'sla_breached',
      { target: 'firstResponse', atPercent: 100, deadline: '2026-11-30T16:00:00Z' },
      'Délai de première réponse dépassé (…).',
    );
    expect(slaEventText(breach, i18n)).toMatch(/^Deadline for the first response breached \(due .*2026.*\)\.$/);
    expect(slaEventBody(breach, i18n)).toBeNull();
    const warning = event('sla_warning', { target: 'step:validation_chef', atPercent: 50, deadline: null }, '50 % du délai…');
    expect(slaEventText(warning, i18n)).toBe('50 % of the time for the circuit’s step “validation chef” elapsed (due no deadline).');
    const moved = event('sla_changed', { target: 'resolution', previous: null, deadline: '2026-12-02T16:00:00Z' }, 'Délai démarré…');
    expect(slaEventText(moved, i18n)).toMatch(/^Deadline for resolution: no deadline → .*2026/);
  });

  it("words escalation's own changes and leaves every other event's body alone", () => {
    const back = event('assigned', { from: 'a1', to: null, cause: 'sla_escalation' }, 'Remise dans la file du service (escalade SLA).');
    expect(slaEventBody(back, i18n)).toBe('Deadline escalation.');
    expect(slaEventText(back, i18n)).toBeUndefined();
    const reopened = event(
      'status_changed',
      { from: 'resolved', to: 'open', reason: 'inbound_email' },
      'Rouverte : le citoyen a répondu par e-mail.',
    );
    expect(slaEventBody(reopened, i18n)).toBe('Reopened: the citizen replied by e-mail.');
    const note = event('note', {}, 'Vu avec le prestataire.');
    expect(slaEventBody(note, i18n)).toBe('Vu avec le prestataire.');
  });

  it('words a clock history from its codes and parameters, legacy entries without their durations', () => {
    expect(slaHistoryText({ code: 'sla.history.started', params: { amount: 1, unit: 'working_days' } }, i18n)).toBe(
      'Deadline started: 1 working day.',
    );
    expect(slaHistoryText({ code: 'sla.history.paused', params: { reason: 'awaiting_citizen' } }, i18n)).toBe(
      'Deadline paused: waiting for the citizen.',
    );
    expect(
      slaHistoryText({ code: 'sla.history.resumed', params: { reason: 'awaiting_citizen', minutes: 450, metric: 'business' } }, i18n),
    ).toBe('Deadline resumed after a pause of 7 h 30 min of business time.');
    expect(
      slaHistoryText(
        {
          code: 'sla.history.recomputed',
          params: { reason: 'priority_changed', amount: 4, unit: 'business_hours', fromAmount: 8, fromUnit: 'business_hours' },
        },
        i18n,
      ),
    ).toBe('Deadline recomputed from the start (priority changed): 8 business hours → 4 business hours.');
    expect(slaHistoryText({ code: 'sla.history.met_late', params: {} }, i18n)).toBe('Target met late.');
    // stored before codes: no durations
    expect(slaHistoryText({ code: 'sla.history.started', params: {} }, i18n)).toBe('Deadline started.');
    expect(slaHistoryText({ code: 'sla.history.recomputed', params: { reason: 'category_changed' } }, i18n)).toBe(
      'Deadline recomputed from the start (category changed).',
    );
    const moved = event(
      'sla_changed',
      { target: 'resolution', previous: null, deadline: null, code: 'sla.history.paused', params: { reason: 'awaiting_third_party' } },
      'Délai suspendu…',
    );
    expect(slaEventText(moved, i18n)).toBe(
      'Deadline paused: waiting for a third party. Deadline for resolution: no deadline → no deadline.',
    );
  });

  it('words the same history in French', async () => {
    i18n.lang.set('fr');
    await i18n.ready();
    expect(slaHistoryText({ code: 'sla.history.resumed', params: { minutes: 30, metric: 'calendar' } }, i18n)).toBe(
      'Délai repris après 30 min de suspension.',
    );
    expect(slaHistoryText({ code: 'sla.history.started', params: { amount: 2, unit: 'business_hours' } }, i18n)).toBe(
      'Délai démarré : 2 heures ouvrées.',
    );
  });
});
