import {
  applySlaClockEvent,
  targetDuration,
  type BusinessCalendar,
  type SlaClockEvent,
  type SlaClockState,
  type SlaDeadlineChange,
  type SlaPolicy,
  type SlaTargetKey,
} from '@grc/domain';

/** A clock event as stored (JSON): dates as ISO strings. */
export type StoredEvent = Omit<SlaClockEvent, 'at'> & { at: string };

/** A row of `ticket_sla`: one clock of a ticket (its events, the policy snapshot it runs under). */
export interface ClockRow {
  ticket_id: string;
  target: SlaTargetKey;
  policy_id: string;
  policy: SlaPolicy;
  generation_base: number;
  generation: number;
  events: StoredEvent[];
  /** entries stored before they carried a code have `message` (a French sentence) instead of `code` + `params` */
  past_history: Array<
    Omit<SlaDeadlineChange, 'at' | 'previous' | 'deadline' | 'code' | 'params'> &
      Partial<Pick<SlaDeadlineChange, 'code' | 'params'>> & {
        at: string;
        previous: string | null;
        deadline: string | null;
        message?: string;
      }
  >;
  status: 'running' | 'paused' | 'stopped';
  deadline: Date | null;
  breached: boolean;
  /** A circuit step's clock: the step's department, whose calendar counts it; null: the ticket's department's. */
  calendar_department_id: string | null;
}

const revive = (e: StoredEvent): SlaClockEvent => ({ ...e, at: new Date(e.at) }) as SlaClockEvent;
const store = (e: SlaClockEvent): StoredEvent => ({ ...e, at: e.at.toISOString() }) as StoredEvent;

/** The clock's state: the fold of its stored events on its calendar (libs/domain). */
export function foldState(events: readonly StoredEvent[], calendar: BusinessCalendar): SlaClockState {
  let s: SlaClockState | null = null;
  for (const e of events) s = applySlaClockEvent(s, revive(e), calendar);
  if (!s) throw new Error('SLA clock without events');
  return s;
}

/** A clock not yet stored, for a ticket and target under a policy. */
export function newClock(ticketId: string, target: SlaTargetKey, policy: SlaPolicy, calendarDepartmentId: string | null = null): ClockRow {
  return {
    ticket_id: ticketId,
    target,
    policy_id: policy.id,
    policy,
    generation_base: 0,
    generation: 0,
    events: [],
    past_history: [],
    status: 'running',
    deadline: null,
    breached: false,
    calendar_department_id: calendarDepartmentId,
  };
}

/** Appends an event (never before the previous one: clocks of two machines are clamped) and updates status and generation. */
export function append(row: ClockRow, event: SlaClockEvent, calendar: BusinessCalendar): void {
  const last = row.events[row.events.length - 1];
  if (last && new Date(last.at).getTime() > event.at.getTime()) event = { ...event, at: new Date(last.at) };
  const state = row.events.length ? foldState(row.events, calendar) : null;
  const next = applySlaClockEvent(state, event, calendar);
  row.events = [...row.events, store(event)];
  row.status = next.status;
  row.generation = row.generation_base + next.generation;
}

/** The clock's history so far, kept when a new cycle starts. */
export function pastHistory(row: ClockRow, calendar: BusinessCalendar): ClockRow['past_history'] {
  const old = foldState(row.events, calendar);
  return [
    ...row.past_history,
    ...old.history.map((h) => ({
      ...h,
      at: h.at.toISOString(),
      previous: h.previous?.toISOString() ?? null,
      deadline: h.deadline?.toISOString() ?? null,
      generation: h.generation + row.generation_base,
    })),
  ];
}

/**
 * A new cycle from now (reopened, or a circuit step entered again): new generations, so the old
 * escalation keys stay fired. `keepHistory` false when the caller already kept it (on another calendar).
 */
export function restart(row: ClockRow, now: Date, calendar: BusinessCalendar, keepHistory = true): void {
  if (keepHistory) row.past_history = pastHistory(row, calendar);
  row.generation_base = row.generation + 1;
  row.events = [];
  row.breached = false;
  const duration = targetDuration(row.policy, row.target);
  append(row, { type: 'started', at: now, ticketId: row.ticket_id, target: row.target, policyId: row.policy.id, duration }, calendar);
}
