/**
 * Escalation points of a clock: for each ladder step of its policy, when it falls due.
 * The API stores each point as a row (upsert by key) and a delayed job at `dueAt`; a pause
 * suspends the points not yet reached (dueAt null), a resume reschedules them under the same
 * key, and a recompute (new generation) yields new keys: rows of older generations are dropped.
 */
import { BusinessCalendar } from './calendar';
import { SlaClock, reachInstant } from './clock';
import { EscalationAction, SlaPolicy, metricOf } from './policy';

export interface EscalationPoint {
  /** `${ticketId}:${target}:${atPercent}:${generation}` — stable across pauses. */
  key: string;
  ticketId: string;
  target: SlaClock['target'];
  atPercent: number;
  generation: number;
  /** When the step falls due (may be in the past: due now unless already executed). null unless scheduled. */
  dueAt: Date | null;
  /** scheduled: dueAt set; suspended: clock paused before reaching it; cancelled: clock stopped before. */
  status: 'scheduled' | 'suspended' | 'cancelled';
  actions: readonly EscalationAction[];
}

export function escalationPoints(clock: SlaClock, policy: SlaPolicy, calendar: BusinessCalendar): EscalationPoint[] {
  if (policy.id !== clock.policyId) {
    throw new Error(`La politique « ${policy.id} » n’est pas celle du délai (« ${clock.policyId} »).`);
  }
  if (clock.targetMs === null || clock.duration === null) return [];
  const metric = metricOf(clock.duration.unit);
  const periods = clock.activePeriods.map((p): [number, number | null] => [p.from.getTime(), p.to === null ? null : p.to.getTime()]);
  const targetMs = clock.targetMs;
  return policy.ladder.map((step) => {
    const due = reachInstant(calendar, metric, periods, Math.round((targetMs * step.atPercent) / 100), clock.status === 'running');
    const status = due !== null ? 'scheduled' : clock.status === 'stopped' ? 'cancelled' : 'suspended';
    return {
      key: `${clock.ticketId}:${clock.target}:${step.atPercent}:${clock.generation}`,
      ticketId: clock.ticketId,
      target: clock.target,
      atPercent: step.atPercent,
      generation: clock.generation,
      dueAt: due === null ? null : new Date(due),
      status,
      actions: step.actions,
    };
  });
}
