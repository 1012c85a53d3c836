import type { SlaHistoryCode, SlaHistoryParams, TimelineEvent } from '@grc/domain';
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
  // a clock's history (SLA panel, and why an `sla_changed` moved the deadline): libs/domain SlaHistoryCode + params
  'slaHistory.started': 'Délai démarré : {duration}.',
  'slaHistory.startedBare': 'Délai démarré.',
  'slaHistory.paused': 'Délai suspendu : {reason}.',
  'slaHistory.resumed':
    '{metric, select, business {Délai repris après {time} ouvrées de suspension.} other {Délai repris après {time} de suspension.}}',
  'slaHistory.resumedBare': 'Délai repris.',
  'slaHistory.recomputed': 'Délai recalculé depuis le début ({reason}) : {duration}.',
  'slaHistory.recomputedBare': 'Délai recalculé depuis le début ({reason}).',
  'slaHistory.met_on_time': 'Objectif atteint dans les délais.',
  'slaHistory.met_late': 'Objectif atteint en retard.',
  'slaHistory.cancelled': 'Délai annulé.',
  'slaHistory.fromTo': '{from} → {to}',
  'slaHistory.noTarget': 'aucun délai',
  'slaHistory.hours': '{h} h {m}',
  'slaHistory.minutes': '{m} min',
  'slaHistory.unit.business_minutes': '{amount, plural, one {# minute ouvrée} other {# minutes ouvrées}}',
  'slaHistory.unit.business_hours': '{amount, plural, one {# heure ouvrée} other {# heures ouvrées}}',
  'slaHistory.unit.working_days': '{amount, plural, one {# jour ouvré} other {# jours ouvrés}}',
  'slaHistory.unit.calendar_hours': '{amount, plural, one {# heure} other {# heures}}',
  'slaHistory.unit.calendar_days': '{amount, plural, one {# jour} other {# jours}}',
  'slaHistory.unit.calendar_months': '{amount} mois',
  'slaReason.awaiting_citizen': 'en attente de l’usager',
  'slaReason.awaiting_third_party': 'en attente d’un tiers',
  'slaReason.category_changed': 'catégorie modifiée',
  'slaReason.priority_changed': 'priorité modifiée',
  'slaReason.channel_changed': 'canal modifié',
  'slaReason.policy_changed': 'politique modifiée',
  'slaReason.department_changed': 'demande transférée, horaires du nouveau service',
  'slaReason.other': 'autre motif',
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
  'slaHistory.started': 'Deadline started: {duration}.',
  'slaHistory.startedBare': 'Deadline started.',
  'slaHistory.paused': 'Deadline paused: {reason}.',
  'slaHistory.resumed':
    '{metric, select, business {Deadline resumed after a pause of {time} of business time.} other {Deadline resumed after a pause of {time}.}}',
  'slaHistory.resumedBare': 'Deadline resumed.',
  'slaHistory.recomputed': 'Deadline recomputed from the start ({reason}): {duration}.',
  'slaHistory.recomputedBare': 'Deadline recomputed from the start ({reason}).',
  'slaHistory.met_on_time': 'Target met on time.',
  'slaHistory.met_late': 'Target met late.',
  'slaHistory.cancelled': 'Deadline cancelled.',
  'slaHistory.fromTo': '{from} → {to}',
  'slaHistory.noTarget': 'no target',
  'slaHistory.hours': '{h} h {m} min',
  'slaHistory.minutes': '{m} min',
  'slaHistory.unit.business_minutes': '{amount, plural, one {# business minute} other {# business minutes}}',
  'slaHistory.unit.business_hours': '{amount, plural, one {# business hour} other {# business hours}}',
  'slaHistory.unit.working_days': '{amount, plural, one {# working day} other {# working days}}',
  'slaHistory.unit.calendar_hours': '{amount, plural, one {# hour} other {# hours}}',
  'slaHistory.unit.calendar_days': '{amount, plural, one {# day} other {# days}}',
  'slaHistory.unit.calendar_months': '{amount, plural, one {# month} other {# months}}',
  'slaReason.awaiting_citizen': 'waiting for the citizen',
  'slaReason.awaiting_third_party': 'waiting for a third party',
  'slaReason.category_changed': 'category changed',
  'slaReason.priority_changed': 'priority changed',
  'slaReason.channel_changed': 'channel changed',
  'slaReason.policy_changed': 'policy changed',
  'slaReason.department_changed': 'request transferred, the new department’s hours',
  'slaReason.other': 'other reason',
};

const SLA_REASONS = new Set([
  'awaiting_citizen',
  'awaiting_third_party',
  'category_changed',
  'priority_changed',
  'channel_changed',
  'policy_changed',
  'department_changed',
]);
const SLA_UNITS = new Set(['business_minutes', 'business_hours', 'working_days', 'calendar_hours', 'calendar_days', 'calendar_months']);

/**
 * A clock's history entry in the agent's language, from its code and parameters (libs/domain SlaHistoryCode).
 * Entries stored before they carried their durations and pause length (legacy rows) are worded without them.
 */
export function slaHistoryText(h: { code: SlaHistoryCode | string; params?: SlaHistoryParams | null }, i18n: I18n): string {
  const p = h.params ?? {};
  const t = i18n.t;
  const duration = (amount: number | null | undefined, unit: string | null | undefined) =>
    amount != null && unit && SLA_UNITS.has(unit) ? t(`slaHistory.unit.${unit}` as MsgKey, { amount }) : t('slaHistory.noTarget');
  const reason = t(`slaReason.${p.reason && SLA_REASONS.has(p.reason) ? p.reason : 'other'}` as MsgKey);
  switch (h.code) {
    case 'sla.history.started':
      return 'unit' in p ? t('slaHistory.started', { duration: duration(p.amount, p.unit) }) : t('slaHistory.startedBare');
    case 'sla.history.paused':
      return t('slaHistory.paused', { reason });
    case 'sla.history.resumed': {
      if (typeof p.minutes !== 'number') return t('slaHistory.resumedBare');
      const m = Math.round(p.minutes);
      const time =
        m < 60 ? t('slaHistory.minutes', { m }) : t('slaHistory.hours', { h: Math.floor(m / 60), m: String(m % 60).padStart(2, '0') });
      return t('slaHistory.resumed', { time, metric: p.metric ?? 'business' });
    }
    case 'sla.history.recomputed': {
      if (!('unit' in p)) return t('slaHistory.recomputedBare', { reason });
      const to = duration(p.amount, p.unit);
      const d = 'fromUnit' in p ? t('slaHistory.fromTo', { from: duration(p.fromAmount, p.fromUnit), to }) : to;
      return t('slaHistory.recomputed', { reason, duration: d });
    }
    case 'sla.history.met_on_time':
    case 'sla.history.met_late':
    case 'sla.history.cancelled':
      return t(`slaHistory.${h.code.slice('sla.history.'.length)}` as MsgKey);
    default:
      return '';
  }
}

/** The stored body of an event, unless the console words the event itself (SLA events, escalation's own changes, the intake's reopening). */
export function slaEventBody(ev: TimelineEvent, i18n: I18n): string | null {
  if ((ev.data as Record<string, unknown> | null)?.['cause'] === 'sla_escalation') return i18n.t('timeline.sla.escalation');
  // the e-mail intake's reopening (its stored body is French): worded from data.reason
  if (ev.kind === 'status_changed' && (ev.data as Record<string, unknown> | null)?.['reason'] === 'inbound_email')
    return i18n.t('timeline.reopenedByEmail');
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
    default: {
      // why it moved (data.code + params, since codes were stored), then from which deadline to which
      const changed = i18n.t('timeline.sla.changed', { ...params, previous: when(d['previous']) });
      const why =
        typeof d['code'] === 'string' ? slaHistoryText({ code: d['code'], params: d['params'] as SlaHistoryParams | null }, i18n) : '';
      return why ? `${why} ${changed}` : changed;
    }
  }
}
