/**
 * An SLA clock as a pure fold over its events: started, paused (reason), resumed,
 * recomputed (category/priority changed: the target is recomputed from the original start,
 * pauses kept), stopped (met or cancelled). Every event appends to the history the deadline
 * before and after, with the reason, so an agent can see why a deadline moved.
 *
 * Time is measured in the target's metric: business time of the calendar (business_* and
 * working_days units) or real elapsed time (calendar_* units). A working-days target is
 * converted at the start into the business time up to the end of the n-th working day; a
 * pause then moves the deadline by the business time it lasted. A calendar target moves by
 * the real time paused. Pausing and resuming at the same instant changes nothing.
 */
import { BusinessCalendar, MINUTE_MS, addBusinessMs, businessMsBetween } from './calendar';
import { SlaDuration, SlaMetric, SlaTargetKey, deadlineFor, durationErrors, metricOf } from './policy';
import { SlaConfigError } from './calendar';

/** department_changed: a transfer; the clock is recomputed from its start on the new department's calendar. */
export type SlaRecomputeReason = 'category_changed' | 'priority_changed' | 'channel_changed' | 'policy_changed' | 'department_changed';

export type SlaClockEvent =
  | { type: 'started'; at: Date; ticketId: string; target: SlaTargetKey; policyId: string; duration: SlaDuration | null }
  | { type: 'paused'; at: Date; reason: string }
  | { type: 'resumed'; at: Date }
  | { type: 'recomputed'; at: Date; reason: SlaRecomputeReason; policyId: string; duration: SlaDuration | null }
  | { type: 'stopped'; at: Date; reason?: 'met' | 'cancelled' };

export interface SlaActivePeriod {
  from: Date;
  /** null while running. */
  to: Date | null;
}

export interface SlaPause {
  from: Date;
  to: Date | null;
  reason: string;
  /** Length in the clock's metric (business or real minutes), measured up to `now` when ongoing. */
  minutes: number;
}

export interface SlaDeadlineChange {
  at: Date;
  cause: SlaClockEvent['type'];
  /** Pause reason, recompute reason or stop reason. */
  reason: string | null;
  previous: Date | null;
  deadline: Date | null;
  generation: number;
  /** French sentence for the ticket's history. */
  message: string;
}

export interface SlaClock {
  ticketId: string;
  target: SlaTargetKey;
  policyId: string;
  duration: SlaDuration | null;
  metric: SlaMetric;
  /** 0 at the start, +1 at each recompute. */
  generation: number;
  status: 'running' | 'paused' | 'stopped';
  startedAt: Date;
  stoppedAt: Date | null;
  outcome: 'met_on_time' | 'met_late' | 'cancelled' | null;
  /** Target in the metric, in ms (null when the policy sets no such target). */
  targetMs: number | null;
  /** null while paused before the deadline was reached, or without target. */
  deadline: Date | null;
  /** Active time in the metric up to `asOf` (or the stop), in minutes. */
  elapsedMinutes: number;
  remainingMinutes: number | null;
  percent: number | null;
  breached: boolean;
  activePeriods: SlaActivePeriod[];
  pauses: SlaPause[];
  history: SlaDeadlineChange[];
  /** The last segment counts on past its end (stopped while running: the deadline it had). */
  extendsLastPeriod: boolean;
  asOf: Date;
}

/** Thrown for an impossible event sequence (resume without pause, event before the previous one…). */
export class SlaClockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlaClockError';
  }
}

/** Fold state: ms numbers, no derived values. */
export interface SlaClockState {
  ticketId: string;
  target: SlaTargetKey;
  policyId: string;
  duration: SlaDuration | null;
  generation: number;
  startedAt: number;
  lastAt: number;
  status: 'running' | 'paused' | 'stopped';
  stopReason: 'met' | 'cancelled' | null;
  stoppedAt: number | null;
  stoppedWhileRunning: boolean;
  targetMs: number | null;
  periods: Array<[number, number | null]>;
  pauses: Array<{ from: number; to: number | null; reason: string }>;
  history: SlaDeadlineChange[];
}

const PAUSE_REASON_LABELS: Record<string, string> = {
  awaiting_citizen: 'en attente de l’usager',
  awaiting_third_party: 'en attente d’un tiers',
};
const RECOMPUTE_LABELS: Record<SlaRecomputeReason, string> = {
  category_changed: 'catégorie modifiée',
  priority_changed: 'priorité modifiée',
  channel_changed: 'canal modifié',
  policy_changed: 'politique modifiée',
  department_changed: 'demande transférée, horaires du nouveau service',
};
const UNIT_FR: Record<SlaDuration['unit'], [string, string]> = {
  business_minutes: ['minute ouvrée', 'minutes ouvrées'],
  business_hours: ['heure ouvrée', 'heures ouvrées'],
  working_days: ['jour ouvré', 'jours ouvrés'],
  calendar_hours: ['heure', 'heures'],
  calendar_days: ['jour', 'jours'],
  calendar_months: ['mois', 'mois'],
};
export const formatSlaDuration = (d: SlaDuration | null): string =>
  d ? `${d.amount} ${UNIT_FR[d.unit][d.amount > 1 ? 1 : 0]}` : 'aucun délai';
const sameDuration = (a: SlaDuration | null, b: SlaDuration | null): boolean => a?.amount === b?.amount && a?.unit === b?.unit;
const formatMinutes = (m: number): string => {
  const total = Math.round(m);
  const h = Math.floor(total / 60);
  const r = total % 60;
  return h === 0 ? `${r} min` : r === 0 ? `${h} h` : `${h} h ${String(r).padStart(2, '0')}`;
};

const time = (d: Date, what: string): number => {
  const t = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(t)) throw new SlaClockError(`Événement « ${what} » : date invalide.`);
  return t;
};

/** Real or business ms between two instants. */
function metricBetween(calendar: BusinessCalendar, metric: SlaMetric, a: number, b: number): number {
  if (b <= a) return 0;
  return metric === 'calendar' ? b - a : businessMsBetween(calendar, new Date(a), new Date(b));
}
function metricAdd(calendar: BusinessCalendar, metric: SlaMetric, from: number, ms: number): number {
  return metric === 'calendar' ? from + ms : addBusinessMs(calendar, new Date(from), ms).getTime();
}

/** Target length in the metric for a duration started at `start`. */
function targetMsFor(calendar: BusinessCalendar, start: number, duration: SlaDuration | null): number | null {
  if (duration === null) return null;
  const errors = durationErrors(duration, 'duration');
  if (errors.length) throw new SlaConfigError('Durée de délai invalide.', errors);
  switch (duration.unit) {
    case 'business_minutes':
      return duration.amount * MINUTE_MS;
    case 'business_hours':
      return duration.amount * 60 * MINUTE_MS;
    default: {
      const end = deadlineFor(calendar, new Date(start), duration).getTime();
      return metricBetween(calendar, metricOf(duration.unit), start, end);
    }
  }
}

/**
 * The instant at which `amount` ms of active time (in the metric) are reached, walking the
 * active periods; the last one counts on indefinitely when `extendLast`. null when not reached.
 */
export function reachInstant(
  calendar: BusinessCalendar,
  metric: SlaMetric,
  periods: ReadonlyArray<readonly [number, number | null]>,
  amount: number,
  extendLast: boolean,
): number | null {
  let rest = amount;
  for (let i = 0; i < periods.length; i++) {
    const [from, to] = periods[i];
    if (to === null || (extendLast && i === periods.length - 1)) return metricAdd(calendar, metric, from, rest);
    const m = metricBetween(calendar, metric, from, to);
    if (rest <= m) return metricAdd(calendar, metric, from, rest);
    rest -= m;
  }
  return null;
}

const deadlineOf = (s: SlaClockState, calendar: BusinessCalendar): number | null => {
  if (s.targetMs === null || s.duration === null) return null;
  const extend = s.status === 'running' || (s.status === 'stopped' && s.stoppedWhileRunning);
  return reachInstant(calendar, metricOf(s.duration.unit), s.periods, s.targetMs, extend);
};

function record(
  s: SlaClockState,
  calendar: BusinessCalendar,
  at: number,
  cause: SlaClockEvent['type'],
  reason: string | null,
  previous: number | null,
  message: string,
): SlaClockState {
  const next = deadlineOf(s, calendar);
  const entry: SlaDeadlineChange = {
    at: new Date(at),
    cause,
    reason,
    previous: previous === null ? null : new Date(previous),
    deadline: next === null ? null : new Date(next),
    generation: s.generation,
    message,
  };
  return { ...s, history: [...s.history, entry] };
}

/** One step of the fold. `state` is null before the first event (which must be `started`). */
export function applySlaClockEvent(state: SlaClockState | null, event: SlaClockEvent, calendar: BusinessCalendar): SlaClockState {
  const at = time(event.at, event.type);
  if (state === null) {
    if (event.type !== 'started')
      throw new SlaClockError(`Le premier événement d’un délai doit être « started » (reçu « ${event.type} »).`);
    const s: SlaClockState = {
      ticketId: event.ticketId,
      target: event.target,
      policyId: event.policyId,
      duration: event.duration,
      generation: 0,
      startedAt: at,
      lastAt: at,
      status: 'running',
      stopReason: null,
      stoppedAt: null,
      stoppedWhileRunning: false,
      targetMs: targetMsFor(calendar, at, event.duration),
      periods: [[at, null]],
      pauses: [],
      history: [],
    };
    return record(s, calendar, at, 'started', null, null, `Délai démarré : ${formatSlaDuration(event.duration)}.`);
  }
  if (event.type === 'started') throw new SlaClockError('Délai déjà démarré.');
  if (at < state.lastAt)
    throw new SlaClockError(`Événement « ${event.type} » antérieur au précédent : les événements doivent être dans l’ordre chronologique.`);
  if (state.status === 'stopped') throw new SlaClockError(`Délai déjà arrêté : événement « ${event.type} » refusé.`);
  const previous = deadlineOf(state, calendar);
  const base = { ...state, lastAt: at };
  const metric: SlaMetric = state.duration ? metricOf(state.duration.unit) : 'business';
  switch (event.type) {
    case 'paused': {
      if (state.status === 'paused') throw new SlaClockError('Délai déjà suspendu.');
      const periods = state.periods.map((p, i): [number, number | null] => (i === state.periods.length - 1 ? [p[0], at] : p));
      const s: SlaClockState = {
        ...base,
        status: 'paused',
        periods,
        pauses: [...state.pauses, { from: at, to: null, reason: event.reason }],
      };
      const label = PAUSE_REASON_LABELS[event.reason] ?? event.reason;
      return record(s, calendar, at, 'paused', event.reason, previous, `Délai suspendu : ${label}.`);
    }
    case 'resumed': {
      if (state.status !== 'paused') throw new SlaClockError('Reprise refusée : le délai n’est pas suspendu.');
      const last = state.pauses[state.pauses.length - 1];
      const pauses = [...state.pauses.slice(0, -1), { ...last, to: at }];
      const s: SlaClockState = { ...base, status: 'running', periods: [...state.periods, [at, null]], pauses };
      const paused = metricBetween(calendar, metric, last.from, at) / MINUTE_MS;
      const kind = metric === 'business' ? ' ouvrées' : '';
      return record(s, calendar, at, 'resumed', last.reason, previous, `Délai repris après ${formatMinutes(paused)}${kind} de suspension.`);
    }
    case 'recomputed': {
      const s: SlaClockState = {
        ...base,
        policyId: event.policyId,
        duration: event.duration,
        generation: state.generation + 1,
        targetMs: targetMsFor(calendar, state.startedAt, event.duration),
      };
      return record(
        s,
        calendar,
        at,
        'recomputed',
        event.reason,
        previous,
        `Délai recalculé depuis le début (${RECOMPUTE_LABELS[event.reason] ?? event.reason}) : ${sameDuration(state.duration, event.duration) ? formatSlaDuration(event.duration) : `${formatSlaDuration(state.duration)} → ${formatSlaDuration(event.duration)}`}.`,
      );
    }
    case 'stopped': {
      const running = state.status === 'running';
      const periods = state.periods.map((p, i): [number, number | null] =>
        i === state.periods.length - 1 && p[1] === null ? [p[0], at] : p,
      );
      const pauses = state.pauses.map((p) => (p.to === null ? { ...p, to: at } : p));
      const reason = event.reason ?? 'met';
      const s: SlaClockState = {
        ...base,
        status: 'stopped',
        periods,
        pauses,
        stopReason: reason,
        stoppedAt: at,
        stoppedWhileRunning: running,
      };
      const d = deadlineOf(s, calendar);
      const message =
        reason === 'cancelled'
          ? 'Délai annulé.'
          : d !== null && at > d
            ? 'Objectif atteint en retard.'
            : 'Objectif atteint dans les délais.';
      return record(s, calendar, at, 'stopped', reason, previous, message);
    }
  }
}

/** Derived view of a fold state at `now`. */
export function viewSlaClock(s: SlaClockState, calendar: BusinessCalendar, now: Date): SlaClock {
  const nowMs = time(now, 'now');
  const metric: SlaMetric = s.duration ? metricOf(s.duration.unit) : 'business';
  const end = s.stoppedAt ?? nowMs;
  let elapsed = 0;
  for (const [from, to] of s.periods) elapsed += metricBetween(calendar, metric, from, Math.min(to ?? end, end));
  const deadline = deadlineOf(s, calendar);
  const breached = deadline !== null && end > deadline;
  return {
    ticketId: s.ticketId,
    target: s.target,
    policyId: s.policyId,
    duration: s.duration,
    metric,
    generation: s.generation,
    status: s.status,
    startedAt: new Date(s.startedAt),
    stoppedAt: s.stoppedAt === null ? null : new Date(s.stoppedAt),
    outcome: s.status !== 'stopped' ? null : s.stopReason === 'cancelled' ? 'cancelled' : breached ? 'met_late' : 'met_on_time',
    targetMs: s.targetMs,
    deadline: deadline === null ? null : new Date(deadline),
    elapsedMinutes: elapsed / MINUTE_MS,
    remainingMinutes: s.targetMs === null ? null : (s.targetMs - elapsed) / MINUTE_MS,
    percent: s.targetMs === null ? null : (elapsed / s.targetMs) * 100,
    breached,
    activePeriods: s.periods.map(([from, to]) => ({ from: new Date(from), to: to === null ? null : new Date(to) })),
    pauses: s.pauses.map((p) => ({
      from: new Date(p.from),
      to: p.to === null ? null : new Date(p.to),
      reason: p.reason,
      minutes: metricBetween(calendar, metric, p.from, p.to ?? Math.max(nowMs, p.from)) / MINUTE_MS,
    })),
    history: s.history,
    extendsLastPeriod: s.status === 'running' || (s.status === 'stopped' && s.stoppedWhileRunning),
    asOf: new Date(nowMs),
  };
}

/** The clock after all its events, seen at `now`. */
export function foldSlaClock(events: readonly SlaClockEvent[], calendar: BusinessCalendar, now: Date): SlaClock {
  if (events.length === 0) throw new SlaClockError('Aucun événement : le délai n’a pas démarré.');
  let state: SlaClockState | null = null;
  for (const e of events) state = applySlaClockEvent(state, e, calendar);
  return viewSlaClock(state as SlaClockState, calendar, now);
}
