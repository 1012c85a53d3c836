import { TestBed } from '@angular/core/testing';
import { NOTIFICATION_CODES, type NotificationParams } from '@grc/domain';
import { provideTestI18n } from '../../../testing/i18n';
import { I18n } from '../../core/i18n';
import { NOTIFICATION_WORDS_EN, NOTIFICATION_WORDS_FR, WORDED_NOTIFICATION_CODES, notificationText } from './notification-words';

const params = (p: Partial<NotificationParams>): NotificationParams => ({
  reference: 'GRC-2026-000123',
  subject: 'Trottoir défoncé',
  target: null,
  atPercent: null,
  deadline: null,
  template: null,
  comment: null,
  kind: 'sla.sla_warning',
  ...p,
});

/** The API sends a notification's code and facts; the console words them (never the server's French in English). */
describe('notification words', () => {
  let i18n: I18n;
  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestI18n('en') });
    i18n = TestBed.inject(I18n);
    await i18n.ready();
  });

  it('words every code of the domain, and only those (both ways)', () => {
    expect([...WORDED_NOTIFICATION_CODES].sort()).toEqual([...NOTIFICATION_CODES].sort());
    expect(Object.keys(NOTIFICATION_WORDS_EN).sort()).toEqual(Object.keys(NOTIFICATION_WORDS_FR).sort());
  });

  it('in English: the SLA target, the percentage and the deadline in the town’s time, without French', () => {
    const text = notificationText(
      { code: 'notification.sla_warning', params: params({ target: 'resolution', atPercent: 75, deadline: '2026-03-02T16:30:00.000Z' }) },
      i18n,
    );
    expect(text).toBe('75% of the resolution time has elapsed on GRC-2026-000123 "Trottoir défoncé" (due 2 March 2026 at 17:30).');
    expect(notificationText({ code: 'notification.sla_breached', params: params({ target: 'firstResponse' }) }, i18n)).toBe(
      'First response deadline missed on GRC-2026-000123 "Trottoir défoncé".',
    );
    expect(
      notificationText({ code: 'notification.workflow.draft_rejected', params: params({ comment: 'Précisez l’horaire.' }) }, i18n),
    ).toBe('Your draft reply on GRC-2026-000123 "Trottoir défoncé" was sent back for changes: "Précisez l’horaire.".');
    expect(
      notificationText({ code: 'notification.workflow.step', params: params({ template: 'ville.relance', reference: null }) }, i18n),
    ).toBe('Validation circuit (ville.relance): new step on a request.');
    // a code a newer API sends that this console does not know yet: the generic sentence, with the kind
    expect(notificationText({ code: 'notification.future' as never, params: params({ kind: 'futur' }) }, i18n)).toBe(
      'Notification "futur" on GRC-2026-000123 "Trottoir défoncé".',
    );
  });

  it('in French', async () => {
    i18n.lang.set('fr');
    await i18n.ready();
    expect(
      notificationText(
        {
          code: 'notification.sla_escalated',
          params: params({ target: 'resolution', atPercent: 125, deadline: '2026-03-02T16:30:00.000Z' }),
        },
        i18n,
      ),
    ).toBe('Escalade à 125 % du délai de résolution sur GRC-2026-000123 « Trottoir défoncé » (échéance : 2 mars 2026 à 17:30).');
    expect(notificationText({ code: 'notification.workflow.approval_requested', params: params({}) }, i18n)).toBe(
      'Votre validation est demandée sur GRC-2026-000123 « Trottoir défoncé ».',
    );
  });
});
