import type { TimelineEvent } from '@grc/domain';
import type { I18n, MsgKey } from '../../core/i18n';

/**
 * The SLA's timeline events worded from their data (target, percentage, deadlines), in the agent's
 * language: the API stores a French sentence in `body` for other readers, the console never shows it.
 * Escalation's own changes (back to the queue, priority raised) carry `data.cause = 'sla_escalation'`.
 */
export const SLA_TIMELINE_FR = {
  'timeline.sla.breached': 'Délai de {target} dépassé (échéance {deadline}).',
  'timeline.sla.warning': '{percent} % du délai de {target} écoulés (échéance {deadline}).',
  'timeline.sla.escalated': 'Escalade à {percent} % du délai de {target} (échéance {deadline}).',
  'timeline.sla.changed': 'Échéance de {target} : {previous} → {deadline}.',
  'timeline.sla.noDeadline': 'aucune échéance',
  'timeline.sla.firstResponse': 'première réponse',
  'timeline.sla.resolution': 'résolution',
  'timeline.sla.step': 'l’étape « {label} » du circuit',
  'timeline.sla.escalation': 'Escalade de délai.',
} as const;

export const SLA_TIMELINE_EN: Record<keyof typeof SLA_TIMELINE_FR, string> = {
  'timeline.sla.breached': 'Deadline for {target} breached (due {deadline}).',
  'timeline.sla.warning': '{percent} % of the time for {target} elapsed (due {deadline}).',
  'timeline.sla.escalated': 'Escalation at {percent} % of the time for {target} (due {deadline}).',
  'timeline.sla.changed': 'Deadline for {target}: {previous} → {deadline}.',
  'timeline.sla.noDeadline': 'no deadline',
  'timeline.sla.firstResponse': 'the first response',
  'timeline.sla.resolution': 'resolution',
  'timeline.sla.step': 'the circuit’s step “{label}”',
  'timeline.sla.escalation': 'Deadline escalation.',
};

/** The stored body of an event, unless the console words the event itself (SLA events, escalation's own changes). */
export function slaEventBody(ev: TimelineEvent, i18n: I18n): string | null {
  if ((ev.data as Record<string, unknown> | null)?.['cause'] === 'sla_escalation') return i18n.t('timeline.sla.escalation');
  return slaEventText(ev, i18n) === undefined ? ev.body : null;
}

const SLA_KINDS = new Set(['sla_breached', 'sla_warning', 'sla_escalated', 'sla_changed']);

function targetText(target: unknown, i18n: I18n): string {
  if (target === 'firstResponse' || target === 'resolution') return i18n.t(`timeline.sla.${target}` as MsgKey);
  if (typeof target === 'string' && target.startsWith('step:'))
    return i18n.t('timeline.sla.step', { label: target.slice(5).replace(/_/g, ' ') });
  return String(target ?? '');
}

/** The words of an SLA event (undefined: not one this file words; its body is shown as before). */
export function slaEventText(ev: TimelineEvent, i18n: I18n): string | undefined {
  const d = (ev.data ?? {}) as Record<string, unknown>;
  if (!SLA_KINDS.has(ev.kind) || d['target'] === undefined) return undefined;
  const when = (iso: unknown) => (typeof iso === 'string' ? i18n.dateTime(iso) : i18n.t('timeline.sla.noDeadline'));
  const params = { target: targetText(d['target'], i18n), deadline: when(d['deadline']), percent: Number(d['atPercent'] ?? 0) };
  switch (ev.kind) {
    case 'sla_breached':
      return i18n.t('timeline.sla.breached', params);
    case 'sla_warning':
      return i18n.t('timeline.sla.warning', params);
    case 'sla_escalated':
      return i18n.t('timeline.sla.escalated', params);
    default:
      return i18n.t('timeline.sla.changed', { ...params, previous: when(d['previous']) });
  }
}
