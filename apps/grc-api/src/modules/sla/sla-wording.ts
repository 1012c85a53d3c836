import {
  formatSlaDuration,
  targetDuration,
  type SlaDeadlineChange,
  type SlaPolicy,
  type SlaTargetKey,
  type TimelineEventKind,
} from '@grc/domain';

/** The timeline's words for the SLA's events (French: the timeline's bodies are stored in French). */
const TARGET_FR: Record<string, string> = { firstResponse: 'première réponse', resolution: 'résolution' };

export const targetFr = (target: string): string =>
  TARGET_FR[target] ?? (target.startsWith('step:') ? `l’étape « ${target.slice(5).replace(/_/g, ' ')} » du circuit` : target);

export const fmtParis = (d: Date | null): string =>
  d ? new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(d) : 'aucune échéance';

/** The `sla_changed` event's body: why the deadline moved, and from which to which. */
export const deadlineMoved = (
  target: string,
  last: Pick<SlaDeadlineChange, 'message'>,
  previous: Date | null,
  deadline: Date | null,
): string => `${last.message} Échéance de ${targetFr(target)} : ${fmtParis(previous)} → ${fmtParis(deadline)}.`;

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
