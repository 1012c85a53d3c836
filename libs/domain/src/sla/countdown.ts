import type { TicketSlaClockDto, TicketSlaDto } from '../contracts/sla';
import { businessMinutesBetween, type BusinessCalendar } from './calendar';

/** The calendar a clock counts on: its own (a circuit step's department's), else the ticket's. */
export const clockCalendar = (sla: Pick<TicketSlaDto, 'calendar'>, clock: Partial<Pick<TicketSlaClockDto, 'calendar'>>): BusinessCalendar =>
  (clock.calendar ?? sla.calendar).calendar;

/**
 * What is left of a clock at `now`, in minutes (negative: overdue) — business minutes on the clock's own
 * calendar for a business metric, wall-clock minutes for a calendar metric; null without a deadline.
 */
export function countdownMinutes(
  sla: Pick<TicketSlaDto, 'calendar'>,
  clock: Pick<TicketSlaClockDto, 'deadline' | 'metric'> & Partial<Pick<TicketSlaClockDto, 'calendar'>>,
  now: Date,
): number | null {
  if (!clock.deadline) return null;
  const deadline = new Date(clock.deadline);
  return clock.metric === 'business'
    ? businessMinutesBetween(clockCalendar(sla, clock), now, deadline)
    : (deadline.getTime() - now.getTime()) / 60_000;
}
