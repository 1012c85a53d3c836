/**
 * Periods of the figures: whole calendar days of the town's time zone, `from` and `to` included
 * ('YYYY-MM-DD'). The comparison period is the one of the same length just before.
 */
import { fieldError, type FieldError } from '../errors';
import { parseCivilDate, wallClockToInstant } from '../sla/calendar';

const DAY_MS = 86_400_000;
/** longest period a dashboard or an export covers (five years and a day) */
export const MAX_PERIOD_DAYS = 5 * 366;

export interface Period {
  from: string;
  to: string;
}

const isoOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Field errors of a period (codes, the console words them); empty when valid. */
export function periodErrors(from: string | undefined, to: string | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const f = from === undefined ? null : parseCivilDate(from);
  const t = to === undefined ? null : parseCivilDate(to);
  if (f === null) errors.push(fieldError('from', 'period.invalid_date', 'Date invalide (AAAA-MM-JJ).'));
  if (t === null) errors.push(fieldError('to', 'period.invalid_date', 'Date invalide (AAAA-MM-JJ).'));
  if (f !== null && t !== null) {
    if (t < f) errors.push(fieldError('to', 'period.reversed', 'La fin précède le début.'));
    else if (t - f + 1 > MAX_PERIOD_DAYS) errors.push(fieldError('to', 'period.too_long', 'Période trop longue (5 ans au plus).'));
  }
  return errors;
}

export const periodDays = (p: Period): number => (parseCivilDate(p.to) as number) - (parseCivilDate(p.from) as number) + 1;

/** The period of the same length that ends the day before `p` starts. */
export function previousPeriod(p: Period): Period {
  const f = parseCivilDate(p.from) as number;
  const n = periodDays(p);
  return { from: isoOfDay(f - n), to: isoOfDay(f - 1) };
}

/** [start, end) instants of the period in the time zone (local midnights). */
export function periodInstants(p: Period, timeZone: string): { start: Date; end: Date } {
  const f = parseCivilDate(p.from) as number;
  const t = parseCivilDate(p.to) as number;
  return {
    start: new Date(wallClockToInstant(timeZone, f * DAY_MS)),
    end: new Date(wallClockToInstant(timeZone, (t + 1) * DAY_MS)),
  };
}

/** A calendar month 'YYYY-MM' as a period. */
export function monthPeriod(month: string): Period {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** The `count` calendar months ending with the month of `lastDay` ('YYYY-MM-DD'), oldest first. */
export function monthsEndingAt(lastDay: string, count: number): string[] {
  const [y, m] = lastDay.split('-').map(Number);
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

const monthStartOf = (day: number): number => {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
};
const monthEndOf = (day: number): number => {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / DAY_MS - 1;
};
/** days of [lo, hi] up to `today` (the days to come hold nothing yet: reading them costs nothing) */
const pastDays = (lo: number, hi: number, today: number) => Math.max(0, Math.min(hi, today) - lo + 1);

/** Days the facts are read for, added to the cube's months (+1) or taken away from them (−1). */
export interface FactsDays {
  period: Period;
  sign: 1 | -1;
}

/**
 * How a period is read: the calendar months it touches from the monthly cube, and per-request facts for the
 * rest. A month the period covers whole is the cube's. A month it covers in part is read either as its days in
 * the period (+1), or as the cube's whole month less the days outside the period (−1) — whichever means fewer
 * days of facts, the days after `today` counting for none (nothing happened yet): a year to today reads the
 * cube for thirteen months less a few days, not two long edges. Counts and histograms add up exactly either way.
 */
export function cubePlan(p: Period, today: string): { months: { from: string; to: string } | null; days: FactsDays[] } {
  const f = parseCivilDate(p.from) as number;
  const t = parseCivilDate(p.to) as number;
  const td = parseCivilDate(today) as number;
  const months: number[] = [];
  const days: FactsDays[] = [];
  const part = (lo: number, hi: number, sign: 1 | -1) => days.push({ period: { from: isoOfDay(lo), to: isoOfDay(hi) }, sign });
  for (let ms = monthStartOf(f); ms <= t; ms = monthEndOf(ms) + 1) {
    const me = monthEndOf(ms);
    const a = Math.max(f, ms);
    const b = Math.min(t, me);
    if (a === ms && b === me) {
      months.push(ms);
      continue;
    }
    const outside = [
      [ms, a - 1],
      [b + 1, me],
    ].filter(([lo, hi]) => lo <= hi);
    const outsideCost = outside.reduce((n, [lo, hi]) => n + pastDays(lo, hi, td), 0);
    if (outsideCost < pastDays(a, b, td)) {
      months.push(ms);
      for (const [lo, hi] of outside) if (lo <= td) part(lo, hi, -1);
    } else part(a, b, 1);
  }
  const month = (day: number) => isoOfDay(day).slice(0, 7);
  return { months: months.length ? { from: month(months[0]), to: month(months[months.length - 1]) } : null, days };
}

/**
 * How the backlog at the end of `to` is read: the cube's backlog at the start of a month ('YYYY-MM-01'), moved
 * by the facts of the days between it and `to`'s end — forwards from the start of `to`'s month (+1), or back
 * from the start of the next (−1), whichever has fewer days up to `today`.
 */
export function backlogPlan(to: string, today: string): { month: string; days: FactsDays | null } {
  const t = parseCivilDate(to) as number;
  const td = parseCivilDate(today) as number;
  const ms = monthStartOf(t);
  const me = monthEndOf(t);
  if (pastDays(t + 1, me, td) < pastDays(ms, t, td))
    return { month: isoOfDay(me + 1), days: t < me ? { period: { from: isoOfDay(t + 1), to: isoOfDay(me) }, sign: -1 } : null };
  return { month: isoOfDay(ms), days: { period: { from: isoOfDay(ms), to: isoOfDay(t) }, sign: 1 } };
}
