import type { NotificationCode, NotificationItem } from '@grc/domain';
import type { I18n, MsgKey } from '../../core/i18n';

/**
 * The notifications' sentences, worded from the API's code and parameters (libs/domain NOTIFICATION_CODES):
 * the API sends no text. ICU messages; `{on}` is the request (`notification.on`), `{due}` the deadline's
 * suffix, `{comment}` a rejection's comment, `{template}` a town's own template — each empty when absent.
 */
export const NOTIFICATION_WORDS_FR = {
  'notification.on': '{reference} « {subject} »',
  'notification.onNone': 'une demande',
  'notification.due': ' (échéance : {when})',
  'notification.comment': ' : « {comment} »',
  'notification.sla_warning':
    '{atPercent} % {target, select, firstResponse {du délai de première réponse} resolution {du délai de résolution} other {du délai de traitement}} écoulés sur {on}{due}.',
  'notification.sla_breached':
    '{target, select, firstResponse {Délai de première réponse} resolution {Délai de résolution} other {Délai de traitement}} dépassé sur {on}{due}.',
  'notification.sla_escalated':
    'Escalade à {atPercent} % {target, select, firstResponse {du délai de première réponse} resolution {du délai de résolution} other {du délai de traitement}} sur {on}{due}.',
  'notification.workflow.approval_requested': 'Votre validation est demandée sur {on}.',
  'notification.workflow.opinion_requested': 'L’avis de votre service est demandé sur {on}.',
  'notification.workflow.opinions_missing': 'Des avis de services n’ont pas été rendus à temps sur {on}.',
  'notification.workflow.draft_rejected': 'Votre projet de réponse sur {on} a été renvoyé pour correction{comment}.',
  'notification.workflow.reply_approved': 'Votre réponse sur {on} a été validée.',
  'notification.workflow.sla_elapsed': 'Le délai d’une étape du circuit de validation est dépassé sur {on}.',
  'notification.workflow.step': 'Circuit de validation{template} : nouvelle étape sur {on}.',
  'notification.other': 'Notification « {kind} » sur {on}.',
} as const;

export const NOTIFICATION_WORDS_EN: Record<keyof typeof NOTIFICATION_WORDS_FR, string> = {
  'notification.on': '{reference} "{subject}"',
  'notification.onNone': 'a request',
  'notification.due': ' (due {when})',
  'notification.comment': ': "{comment}"',
  'notification.sla_warning':
    '{atPercent}% {target, select, firstResponse {of the first response time} resolution {of the resolution time} other {of the handling time}} has elapsed on {on}{due}.',
  'notification.sla_breached':
    '{target, select, firstResponse {First response deadline} resolution {Resolution deadline} other {Handling deadline}} missed on {on}{due}.',
  'notification.sla_escalated':
    'Escalation at {atPercent}% {target, select, firstResponse {of the first response time} resolution {of the resolution time} other {of the handling time}} on {on}{due}.',
  'notification.workflow.approval_requested': 'Your approval is requested on {on}.',
  'notification.workflow.opinion_requested': 'Your department’s opinion is requested on {on}.',
  'notification.workflow.opinions_missing': 'Some departments did not give their opinion in time on {on}.',
  'notification.workflow.draft_rejected': 'Your draft reply on {on} was sent back for changes{comment}.',
  'notification.workflow.reply_approved': 'Your reply on {on} was approved.',
  'notification.workflow.sla_elapsed': 'A validation circuit step is overdue on {on}.',
  'notification.workflow.step': 'Validation circuit{template}: new step on {on}.',
  'notification.other': 'Notification "{kind}" on {on}.',
};

/** The codes this console words (a spec compares them with NOTIFICATION_CODES both ways). */
export const WORDED_NOTIFICATION_CODES = Object.keys(NOTIFICATION_WORDS_FR).filter(
  (k) => !['notification.on', 'notification.onNone', 'notification.due', 'notification.comment'].includes(k),
) as NotificationCode[];

/** A long subject is cut, as in the list's other places. */
const cut = (s: string): string => (s.length > 120 ? `${s.slice(0, 119)}…` : s);

/** The notification's sentence in the agent's language; a code this console does not know reads as `notification.other`. */
export function notificationText(n: Pick<NotificationItem, 'code' | 'params'>, i18n: I18n): string {
  const p = n.params;
  const on =
    p.reference !== null
      ? i18n.t('notification.on', { reference: p.reference, subject: cut(p.subject ?? '') })
      : i18n.t('notification.onNone');
  const params = {
    on,
    target: p.target ?? '',
    atPercent: p.atPercent ?? '?',
    due: p.deadline ? i18n.t('notification.due', { when: i18n.dateTime(p.deadline) }) : '',
    comment: p.comment ? i18n.t('notification.comment', { comment: p.comment }) : '',
    template: p.template ? ` (${p.template})` : '',
    kind: p.kind,
  };
  const key = (WORDED_NOTIFICATION_CODES as string[]).includes(n.code) ? n.code : 'notification.other';
  return i18n.t(key as MsgKey, params);
}
