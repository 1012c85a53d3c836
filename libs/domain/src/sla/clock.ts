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
  /** What happened, for the console to word (fr, en) with `params`; the rule that chooses it stays here. */
  code: SlaHistoryCode;
  params: SlaHistoryParams;
}

/** The codes of a clock's history entries: one per cause, the stop split by its outcome. */
export const SLA_HISTORY_CODES = [
  'sla.history.started',
  'sla.history.paused',
  'sla.history.resumed',
  'sla.history.recomputed',
  'sla.history.met_on_time',
  'sla.history.met_late',
  'sla.history.cancelled',
] as const;
export type SlaHistoryCode = (typeof SLA_HISTORY_CODES)[number];

/**
 * The parameters of a history entry (flat, for ICU messages): the target's duration (amount + unit, null
 * when the policy sets none), the duration before a recompute when it changed (fromAmount + fromUnit), the
 * pause or recompute reason (a code: awaiting_citizen, category_changed…), the length of a pause in minutes
 * of the clock's metric (business or calendar).
 */
export interface SlaHistoryParams {
  amount?: number | null;
  unit?: SlaDuration['unit'] | null;
  fromAmount?: number | null;
  fromUnit?: SlaDuration['unit'] | null;
  reason?: string | null;
  minutes?: number;
  metric?: SlaMetric;
}

const durationParams = (d: SlaDuration | null): Pick<SlaHistoryParams, 'amount' | 'unit'> => ({
  amount: d?.amount ?? null,
  unit: d?.unit ?? null,
});

/**
 * The code and parameters of a history entry stored before entries carried them (only its cause, reason and
 * deadlines were kept as data): the durations and a pause's length are not known, the console words it without.
 */
export function legacySlaHistoryCode(h: {
  cause: SlaClockEvent['type'];
  reason: string | null;
  at: string | Date;
  previous: string | Date | null;
}): { code: SlaHistoryCode; params: SlaHistoryParams } {
  switch (h.cause) {
    case 'started':
      return { code: 'sla.history.started', params: {} };
    case 'paused':
      return { code: 'sla.history.paused', params: { reason: h.reason } };
    case 'resumed':
      return { code: 'sla.history.resumed', params: {} };
    case 'recomputed':
      return { code: 'sla.history.recomputed', params: { reason: h.reason } };
    case 'stopped':
      if (h.reason === 'cancelled') return { code: 'sla.history.cancelled', params: {} };
      return {
        code:
          h.previous !== null && new Date(h.at).getTime() > new Date(h.previous).getTime()
            ? 'sla.history.met_late'
            : 'sla.history.met_on_time',
        params: {},
      };
  }
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

const sameDuration = (a: SlaDuration | null, b: SlaDuration | null): boolean => a?.amount === b?.amount && a?.unit === b?.unit;

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
  code: SlaHistoryCode,
  params: SlaHistoryParams,
): SlaClockState {
  const next = deadlineOf(s, calendar);
  const entry: SlaDeadlineChange = {
    at: new Date(at),
    cause,
    reason,
    previous: previous === null ? null : new Date(previous),
    deadline: next === null ? null : new Date(next),
    generation: s.generation,
    code,
    params,
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
    return record(s, calendar, at, 'started', null, null, 'sla.history.started', durationParams(event.duration));
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
      return record(s, calendar, at, 'paused', event.reason, previous, 'sla.history.paused', { reason: event.reason });
    }
    case 'resumed': {
      if (state.status !== 'paused') throw new SlaClockError('Reprise refusée : le délai n’est pas suspendu.');
      const last = state.pauses[state.pauses.length - 1];
      const pauses = [...state.pauses.slice(0, -1), { ...last, to: at }];
      const s: SlaClockState = { ...base, status: 'running', periods: [...state.periods, [at, null]], pauses };
      const paused = metricBetween(calendar, metric, last.from, at) / MINUTE_MS;
      return record(s, calendar, at, 'resumed', last.reason, previous, 'sla.history.resumed', {
        reason: last.reason,
        minutes: Math.round(paused),
        metric,
      });
    }
    case 'recomputed': {
      const s: SlaClockState = {
        ...base,
        policyId: event.policyId,
        duration: event.duration,
        generation: state.generation + 1,
        targetMs: targetMsFor(calendar, state.startedAt, event.duration),
      };
      return record(s, calendar, at, 'recomputed', event.reason, previous, 'sla.history.recomputed', {
        reason: event.reason,
        ...durationParams(event.duration),
        ...(sameDuration(state.duration, event.duration)
          ? {}
          : { fromAmount: state.duration?.amount ?? null, fromUnit: state.duration?.unit ?? null }),
      });
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
      const code: SlaHistoryCode =
        reason === 'cancelled' ? 'sla.history.cancelled' : d !== null && at > d ? 'sla.history.met_late' : 'sla.history.met_on_time';
      return record(s, calendar, at, 'stopped', reason, previous, code, {});
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
