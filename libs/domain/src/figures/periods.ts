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

/**
 * A period as the monthly cube reads it: the whole calendar months inside it ('YYYY-MM', both included)
 * and the partial days before and after them (read from the per-request facts). Without a whole month
 * inside, the whole period is the head.
 */
export function monthSplit(p: Period): { head: Period | null; months: { from: string; to: string } | null; tail: Period | null } {
  const f = parseCivilDate(p.from) as number;
  const t = parseCivilDate(p.to) as number;
  const day = (n: number) => new Date(n * DAY_MS);
  const firstWhole = day(f).getUTCDate() === 1 ? f : Date.UTC(day(f).getUTCFullYear(), day(f).getUTCMonth() + 1, 1) / DAY_MS;
  const lastWhole = day(t + 1).getUTCDate() === 1 ? t : Date.UTC(day(t).getUTCFullYear(), day(t).getUTCMonth(), 1) / DAY_MS - 1;
  if (firstWhole > lastWhole) return { head: p, months: null, tail: null };
  return {
    head: firstWhole > f ? { from: p.from, to: isoOfDay(firstWhole - 1) } : null,
    months: { from: isoOfDay(firstWhole).slice(0, 7), to: isoOfDay(lastWhole).slice(0, 7) },
    tail: lastWhole < t ? { from: isoOfDay(lastWhole + 1), to: p.to } : null,
  };
}
