/** JSON contracts of the SLA API (apps/grc-api modules/sla) shared with the console. Dates are ISO strings. */
import type { BusinessCalendar } from '../sla/calendar';
import type { SlaHistoryCode, SlaHistoryParams } from '../sla/clock';
import type { EscalationStep, SlaDuration, SlaPolicyMatch, SlaTargets } from '../sla/policy';
import type { Priority } from '../ticket/priority';
import type { TicketStatus } from '../ticket/ticket-status';

export interface SlaCalendarDto {
  id: string;
  /** null: the town's default calendar */
  departmentId: string | null;
  name: string;
  calendar: BusinessCalendar;
  version: number;
  updatedAt: string;
}
export interface SlaCalendarInput {
  departmentId?: string | null;
  name: string;
  calendar: BusinessCalendar;
  /** required on update (409 when stale) */
  version?: number;
}

export interface SlaPolicyDto {
  id: string;
  name: string;
  active: boolean;
  match: SlaPolicyMatch;
  targets: SlaTargets;
  ladder: EscalationStep[];
  version: number;
  updatedAt: string;
  /** answer to an update with applyToOpen: the open requests whose clocks were recomputed */
  reappliedTo?: number;
}
export interface SlaPolicyInput {
  id: string;
  name: string;
  active?: boolean;
  match: SlaPolicyMatch;
  targets: SlaTargets;
  ladder: EscalationStep[];
  version?: number;
  /** on update: recompute the running clocks of this policy with the new durations (default: new requests only) */
  applyToOpen?: boolean;
}

export interface SlaPauseDto {
  from: string;
  to: string | null;
  reason: string;
  minutes: number;
}
export interface SlaHistoryDto {
  at: string;
  cause: 'started' | 'paused' | 'resumed' | 'recomputed' | 'stopped';
  reason: string | null;
  previous: string | null;
  deadline: string | null;
  generation: number;
  /** what happened, worded by the console (fr, en) with `params` (libs/domain/src/sla/clock.ts) */
  code: SlaHistoryCode;
  params: SlaHistoryParams;
}
export interface SlaEscalationDto {
  atPercent: number;
  dueAt: string | null;
  state: 'pending' | 'fired' | 'cancelled' | 'failed' | 'suspended';
  firedAt: string | null;
  actions: EscalationStep['actions'];
}
export interface TicketSlaClockDto {
  target: 'firstResponse' | 'resolution' | `step:${string}`;
  /** a circuit step's label (step targets), from the ticket's circuit definition; null otherwise */
  stepLabel: string | null;
  policyId: string;
  policyName: string;
  duration: SlaDuration | null;
  metric: 'business' | 'calendar';
  status: 'running' | 'paused' | 'stopped';
  outcome: 'met_on_time' | 'met_late' | 'cancelled' | null;
  startedAt: string;
  stoppedAt: string | null;
  deadline: string | null;
  /** at `asOf`, in the clock's metric (business minutes unless a calendar_* unit) */
  remainingMinutes: number | null;
  percent: number | null;
  breached: boolean;
  generation: number;
  pauses: SlaPauseDto[];
  history: SlaHistoryDto[];
  escalations: SlaEscalationDto[];
  /**
   * the calendar this clock counts on: the ticket's department's, or for a circuit step's clock its
   * step's department's (ticket_sla.calendar_department_id); the console counts the clock down with it
   */
  calendar: SlaClockCalendarDto;
}
/** A calendar as a clock counts on it (null id: the town's default calendar). */
export interface SlaClockCalendarDto {
  id: string | null;
  name: string;
  calendar: BusinessCalendar;
}
export interface TicketSlaDto {
  ticketId: string;
  asOf: string;
  /** the ticket's calendar (its department's): the first-response and resolution clocks run on it; each clock says its own */
  calendar: SlaClockCalendarDto;
  clocks: TicketSlaClockDto[];
  dueAt: string | null;
  breached: boolean;
}

export interface SlaBreachDto {
  ticketId: string;
  reference: string;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  assignee: { id: string; displayName: string } | null;
  target: string;
  deadline: string | null;
  /** flagged by an escalation (mark_breached), or past its deadline */
  overdueMinutes: number;
}
export interface SlaDepartmentBreachesDto {
  department: { id: string; code: string; name: string };
  count: number;
  items: SlaBreachDto[];
}
export interface SlaBreachesDto {
  asOf: string;
  total: number;
  departments: SlaDepartmentBreachesDto[];
}
