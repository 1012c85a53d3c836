import {
  targetDuration,
  type SlaDeadlineChange,
  type SlaDuration,
  type SlaPolicy,
  type SlaTargetKey,
  type TimelineEventKind,
} from '@grc/domain';

/**
 * The stored French body of the SLA's timeline events, for the readers of the stored timeline that have no
 * dictionary (the citizen's access archive, exports). The console never shows it: it words the events from
 * their data (`code`, `params`, target, deadlines) in the agent's language (features/sla/sla-timeline.ts).
 */
const UNIT_FR: Record<SlaDuration['unit'], [string, string]> = {
  business_minutes: ['minute ouvrée', 'minutes ouvrées'],
  business_hours: ['heure ouvrée', 'heures ouvrées'],
  working_days: ['jour ouvré', 'jours ouvrés'],
  calendar_hours: ['heure', 'heures'],
  calendar_days: ['jour', 'jours'],
  calendar_months: ['mois', 'mois'],
};
const durationFr = (amount: number | null | undefined, unit: SlaDuration['unit'] | null | undefined): string =>
  amount != null && unit ? `${amount} ${UNIT_FR[unit][amount > 1 ? 1 : 0]}` : 'aucun délai';
const formatSlaDuration = (d: SlaDuration | null): string => durationFr(d?.amount, d?.unit);
const REASON_FR: Record<string, string> = {
  awaiting_citizen: 'en attente de l’usager',
  awaiting_third_party: 'en attente d’un tiers',
  category_changed: 'catégorie modifiée',
  priority_changed: 'priorité modifiée',
  channel_changed: 'canal modifié',
  policy_changed: 'politique modifiée',
  department_changed: 'demande transférée, horaires du nouveau service',
};
const minutesFr = (m: number): string => {
  const h = Math.floor(m / 60);
  const r = m % 60;
  return h === 0 ? `${r} min` : r === 0 ? `${h} h` : `${h} h ${String(r).padStart(2, '0')}`;
};

/** A history entry in French (the stored body's first sentence). */
export function historyFr(h: Pick<SlaDeadlineChange, 'code' | 'params'>): string {
  const p = h.params;
  const reason = p.reason ? (REASON_FR[p.reason] ?? p.reason) : '';
  switch (h.code) {
    case 'sla.history.started':
      return `Délai démarré : ${durationFr(p.amount, p.unit)}.`;
    case 'sla.history.paused':
      return `Délai suspendu : ${reason}.`;
    case 'sla.history.resumed':
      return `Délai repris après ${minutesFr(p.minutes ?? 0)}${p.metric === 'business' ? ' ouvrées' : ''} de suspension.`;
    case 'sla.history.recomputed': {
      const to = durationFr(p.amount, p.unit);
      return `Délai recalculé depuis le début (${reason}) : ${'fromUnit' in p || 'fromAmount' in p ? `${durationFr(p.fromAmount, p.fromUnit)} → ${to}` : to}.`;
    }
    case 'sla.history.cancelled':
      return 'Délai annulé.';
    case 'sla.history.met_late':
      return 'Objectif atteint en retard.';
    case 'sla.history.met_on_time':
      return 'Objectif atteint dans les délais.';
  }
}

const TARGET_FR: Record<string, string> = { firstResponse: 'première réponse', resolution: 'résolution' };

export const targetFr = (target: string): string =>
  TARGET_FR[target] ?? (target.startsWith('step:') ? `l’étape « ${target.slice(5).replace(/_/g, ' ')} » du circuit` : target);

export const fmtParis = (d: Date | null): string =>
  d ? new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(d) : 'aucune échéance';

/** The `sla_changed` event's body: why the deadline moved, and from which to which. */
export const deadlineMoved = (
  target: string,
  last: Pick<SlaDeadlineChange, 'code' | 'params'>,
  previous: Date | null,
  deadline: Date | null,
): string => `${historyFr(last)} Échéance de ${targetFr(target)} : ${fmtParis(previous)} → ${fmtParis(deadline)}.`;

/** The timeline event of one ladder step: a warning (< 100 %), a breach (mark_breached) or an escalation. */
export function escalationEvent(
  policy: SlaPolicy,
  target: SlaTargetKey,
  atPercent: number,
  breach: boolean,
  deadline: Date | null,
): { kind: TimelineEventKind; body: string } {
  const what = targetFr(target);
  const duration = formatSlaDuration(targetDuration(policy, target));
  if (breach) return { kind: 'sla_breached', body: `Délai de ${what} dépassé (${duration}, échéance ${fmtParis(deadline)}).` };
  if (atPercent < 100)
    return { kind: 'sla_warning', body: `${atPercent} % du délai de ${what} écoulés (${duration}, échéance ${fmtParis(deadline)}).` };
  return { kind: 'sla_escalated', body: `Escalade à ${atPercent} % du délai de ${what} (${duration}, échéance ${fmtParis(deadline)}).` };
}
