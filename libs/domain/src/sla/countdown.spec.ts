import type { BusinessCalendar } from './calendar';
import { clockCalendar, countdownMinutes } from './countdown';

const OFFICE = ['08:30-12:00', '13:30-17:30'];
/** the ticket's department (technical services): weekdays only */
const technical: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  weeklyHours: { monday: OFFICE, tuesday: OFFICE, wednesday: OFFICE, thursday: OFFICE, friday: OFFICE },
  holidays: { france: false },
};
/** a step's department (town hall): open on Saturday morning too */
const townHall: BusinessCalendar = { ...technical, weeklyHours: { ...technical.weeklyHours, saturday: ['09:00-12:00'] } };

const sla = { calendar: { id: 'c-dst', name: 'Services techniques', calendar: technical } };
// Friday 2026-03-06 17:00 Paris (16:00 UTC), deadline Monday 2026-03-09 09:30 Paris (08:30 UTC)
const friday = new Date('2026-03-06T16:00:00Z');
const deadline = '2026-03-09T08:30:00Z';

describe('SLA countdown', () => {
  it('counts a circuit step’s clock on its own department’s calendar, not the ticket’s', () => {
    const step = { deadline, metric: 'business' as const, calendar: { id: 'c-hdv', name: 'Hôtel de ville', calendar: townHall } };
    // 30 min on Friday + 3 h on Saturday morning + 1 h on Monday morning
    expect(countdownMinutes(sla, step, friday)).toBe(30 + 180 + 60);
    expect(clockCalendar(sla, step)).toBe(townHall);
  });

  it('counts the ticket’s own clocks (and a clock without a calendar of its own) on the ticket’s calendar', () => {
    expect(countdownMinutes(sla, { deadline, metric: 'business', calendar: sla.calendar }, friday)).toBe(30 + 60);
    expect(countdownMinutes(sla, { deadline, metric: 'business' }, friday)).toBe(30 + 60);
  });

  it('counts wall-clock minutes for a calendar metric, negative once overdue, nothing without a deadline', () => {
    expect(countdownMinutes(sla, { deadline, metric: 'calendar' }, friday)).toBe(2 * 24 * 60 + 16 * 60 + 30);
    expect(countdownMinutes(sla, { deadline, metric: 'business' }, new Date('2026-03-09T09:30:00Z'))).toBe(-60);
    expect(countdownMinutes(sla, { deadline: null, metric: 'business' }, friday)).toBeNull();
  });
});
