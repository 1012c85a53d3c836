/**
 * Business calendars: opening hours per weekday (split hours allowed) in the town's IANA
 * time zone, closures (exceptional closing days or periods) and French public holidays.
 *
 * Business time is real elapsed time while the calendar is open: a DST weekend with
 * '00:00-24:00' hours counts 23 h or 25 h, and an instant is open iff it falls in
 * [opening, closing) of the local day. Time-zone offsets come from `@date-fns/tz`
 * (`tzOffset`, a thin pure wrapper over `Intl`); civil-date arithmetic is done here on
 * day numbers. Calendars are immutable data: a compiled form is memoised per object.
 */
import { tzOffset } from '@date-fns/tz';
import { FieldError, Validation, fieldError, validation } from '../errors';
import { frenchPublicHolidays, MAX_HOLIDAY_YEAR, MIN_HOLIDAY_YEAR } from './holidays';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_LABELS_FR: Record<Weekday, string> = {
  monday: 'lundi',
  tuesday: 'mardi',
  wednesday: 'mercredi',
  thursday: 'jeudi',
  friday: 'vendredi',
  saturday: 'samedi',
  sunday: 'dimanche',
};

export interface CalendarClosure {
  /** 'YYYY-MM-DD' (from the start of that day) or 'YYYY-MM-DDTHH:MM' (local time). */
  from: string;
  /** 'YYYY-MM-DD' (inclusive: to the end of that day) or 'YYYY-MM-DDTHH:MM' (local time, exclusive). */
  to: string;
  label: string;
}

export interface BusinessCalendar {
  id?: string;
  /** IANA time zone, e.g. 'Europe/Paris'. */
  timeZone: string;
  /** Opening hours per weekday, e.g. { monday: ['08:30-12:00', '13:30-17:30'] }; '24:00' allowed as an end. */
  weeklyHours: Partial<Record<Weekday, readonly string[]>>;
  closures?: readonly CalendarClosure[];
  /** French public holidays are closed unless `france: false`; Alsace-Moselle adds two days. */
  holidays?: { france?: boolean; alsaceMoselle?: boolean };
}

/** Calendars of a town: a default one and, optionally, one per department. */
export interface CalendarSet {
  default: BusinessCalendar;
  byDepartment?: Readonly<Record<string, BusinessCalendar>>;
}

/** The calendar of the nearest department that has one (ids nearest first, e.g. the department then its ancestors). */
export function calendarForDepartment(set: CalendarSet, departmentIdsNearestFirst: readonly string[]): BusinessCalendar {
  for (const id of departmentIdsNearestFirst) {
    const c = set.byDepartment?.[id];
    if (c) return c;
  }
  return set.default;
}

/** Thrown when a calendar, policy or duration cannot be used; carries the field errors. */
export class SlaConfigError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(errors.length ? `${message} ${errors.map((e) => `${e.field} : ${e.message}`).join(' ; ')}` : message);
    this.name = 'SlaConfigError';
  }
}

// ---------------------------------------------------------------------------------------------
// civil arithmetic on day numbers (days since 1970-01-01)

export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Longest run of days without any opening before we give up (a misconfigured closure). */
const SEARCH_HORIZON_DAYS = 3 * 366;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const civilOf = (dayNumber: number): { year: number; month: number; day: number } => {
  const d = new Date(dayNumber * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
};
const dayNumberOf = (year: number, month: number, day: number): number => {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / DAY_MS);
};
const isoOf = (dayNumber: number): string => {
  const c = civilOf(dayNumber);
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}`;
};
/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
const jsWeekday = (dayNumber: number): number => (((dayNumber + 4) % 7) + 7) % 7;
const WEEKDAY_OF_JS: readonly Weekday[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const daysInMonth = (year: number, month: number): number => dayNumberOf(year, month + 1, 1) - dayNumberOf(year, month, 1);

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)$/;
const HOURS_RE = /^([01]\d|2[0-3]):([0-5]\d)-(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

/** Parses 'YYYY-MM-DD' into a day number, or null when malformed or not a real date. */
export function parseCivilDate(s: string): number | null {
  const m = DATE_RE.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return dayNumberOf(y, mo, d);
}

/** Parses 'HH:MM-HH:MM' into minutes of the day [start, end), or null. */
export function parseOpeningRange(s: string): [number, number] | null {
  const m = HOURS_RE.exec(s);
  if (!m) return null;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = m[5] ? 24 * 60 : Number(m[3]) * 60 + Number(m[4]);
  return end > start ? [start, end] : null;
}

// ---------------------------------------------------------------------------------------------
// time zone: wall clock <-> instant

const isValidTimeZone = (tz: unknown): tz is string =>
  typeof tz === 'string' && tz.length > 0 && Number.isFinite(tzOffset(tz, new Date(0)));

const offsetMs = (tz: string, ms: number): number => tzOffset(tz, new Date(ms)) * MINUTE_MS;

/**
 * The instant of a local wall-clock time (ms since epoch as if UTC). Non-existent times
 * (spring-forward gap) move forward by the gap; ambiguous ones (fall-back) take the earlier
 * instant — the "compatible" disambiguation of Temporal and of every calendar application.
 */
export function wallClockToInstant(timeZone: string, wallMs: number): number {
  const before = offsetMs(timeZone, wallMs - DAY_MS);
  const after = offsetMs(timeZone, wallMs + DAY_MS);
  const c1 = wallMs - before;
  if (before === after) return c1;
  const c2 = wallMs - after;
  const v1 = offsetMs(timeZone, c1) === before;
  const v2 = offsetMs(timeZone, c2) === after;
  if (v1 && v2) return Math.min(c1, c2);
  if (v2 && !v1) return c2;
  return c1;
}

/** The local wall clock of an instant (ms since epoch as if UTC). */
export const instantToWallClock = (timeZone: string, ms: number): number => ms + offsetMs(timeZone, ms);
/** Local civil day number of an instant. */
const localDayOf = (timeZone: string, ms: number): number => Math.floor(instantToWallClock(timeZone, ms) / DAY_MS);

/** Local civil date 'YYYY-MM-DD' of an instant in a time zone. */
export const localDate = (timeZone: string, instant: Date): string => isoOf(localDayOf(timeZone, instant.getTime()));

// ---------------------------------------------------------------------------------------------
// validation

/** Checks a calendar; errors carry a path (e.g. 'weeklyHours.monday[1]') and a French message. */
export function validateCalendar(calendar: BusinessCalendar): Validation<BusinessCalendar> {
  const errors: FieldError[] = [];
  if (!isValidTimeZone(calendar?.timeZone)) {
    errors.push(
      fieldError(
        'timeZone',
        'calendar.time_zone_invalid',
        `Fuseau horaire inconnu : « ${String(calendar?.timeZone)} » (ex. Europe/Paris).`,
      ),
    );
  }
  const weekly = calendar?.weeklyHours ?? {};
  let openMinutes = 0;
  for (const key of Object.keys(weekly)) {
    if (!(WEEKDAYS as readonly string[]).includes(key)) {
      errors.push(
        fieldError(`weeklyHours.${key}`, 'calendar.weekday_unknown', `Jour inconnu : « ${key} » (attendu : ${WEEKDAYS.join(', ')}).`),
      );
    }
  }
  for (const day of WEEKDAYS) {
    const ranges = weekly[day];
    if (ranges === undefined) continue;
    if (!Array.isArray(ranges)) {
      errors.push(
        fieldError(
          `weeklyHours.${day}`,
          'calendar.hours_invalid',
          `Les horaires du ${WEEKDAY_LABELS_FR[day]} doivent être une liste de plages « HH:MM-HH:MM ».`,
        ),
      );
      continue;
    }
    const parsed: Array<[number, number, number]> = [];
    ranges.forEach((r, i) => {
      const p = typeof r === 'string' ? parseOpeningRange(r) : null;
      if (!p) {
        errors.push(
          fieldError(
            `weeklyHours.${day}[${i}]`,
            'calendar.hours_invalid',
            `Plage horaire invalide : « ${String(r)} » (attendu « HH:MM-HH:MM », début avant la fin, ex. 08:30-12:00).`,
          ),
        );
      } else parsed.push([p[0], p[1], i]);
    });
    parsed.sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < parsed.length; k++) {
      if (parsed[k][0] < parsed[k - 1][1]) {
        errors.push(
          fieldError(
            `weeklyHours.${day}[${parsed[k][2]}]`,
            'calendar.hours_overlap',
            `Les plages horaires du ${WEEKDAY_LABELS_FR[day]} se chevauchent.`,
          ),
        );
      }
    }
    openMinutes += parsed.reduce((s, [a, b]) => s + b - a, 0);
  }
  if (openMinutes === 0) {
    errors.push(
      fieldError('weeklyHours', 'calendar.never_open', 'Le calendrier doit comporter au moins une plage d’ouverture dans la semaine.'),
    );
  }
  (calendar?.closures ?? []).forEach((c, i) => {
    const from = parseClosureBound(c?.from, 'from');
    const to = parseClosureBound(c?.to, 'to');
    if (from === null)
      errors.push(
        fieldError(
          `closures[${i}].from`,
          'calendar.closure_date_invalid',
          `Date de début de fermeture invalide : « ${String(c?.from)} » (AAAA-MM-JJ ou AAAA-MM-JJTHH:MM).`,
        ),
      );
    if (to === null)
      errors.push(
        fieldError(
          `closures[${i}].to`,
          'calendar.closure_date_invalid',
          `Date de fin de fermeture invalide : « ${String(c?.to)} » (AAAA-MM-JJ ou AAAA-MM-JJTHH:MM).`,
        ),
      );
    if (from !== null && to !== null && to <= from) {
      errors.push(
        fieldError(`closures[${i}].to`, 'calendar.closure_reversed', 'La fin de la fermeture doit être postérieure à son début.'),
      );
    }
    if (typeof c?.label !== 'string' || c.label.trim() === '') {
      errors.push(
        fieldError(
          `closures[${i}].label`,
          'calendar.closure_label_required',
          'Indiquez le motif de la fermeture (ex. « Pont de l’Ascension »).',
        ),
      );
    }
  });
  return validation(errors, () => calendar);
}

/** Wall-clock ms of a closure bound; date-only 'to' is the end of that day. */
function parseClosureBound(s: unknown, side: 'from' | 'to'): number | null {
  if (typeof s !== 'string') return null;
  const d = parseCivilDate(s);
  if (d !== null) return (side === 'to' ? d + 1 : d) * DAY_MS;
  const m = DATETIME_RE.exec(s);
  if (!m) return null;
  const day = parseCivilDate(`${m[1]}-${m[2]}-${m[3]}`);
  if (day === null) return null;
  return day * DAY_MS + (Number(m[4]) * 60 + Number(m[5])) * MINUTE_MS;
}

// ---------------------------------------------------------------------------------------------
// compiled calendar (memoised per calendar object)

type Interval = readonly [number, number];
interface Compiled {
  tz: string;
  week: ReadonlyArray<ReadonlyArray<Interval>>; // by JS weekday, minutes of day
  closures: ReadonlyArray<Interval>; // instants
  french: boolean;
  alsaceMoselle: boolean;
  holidays: Map<number, Set<number>>; // year -> day numbers
  days: Map<number, ReadonlyArray<Interval>>; // day number -> open instants
}
const compiledCache = new WeakMap<BusinessCalendar, Compiled>();
const DAY_CACHE_MAX = 50_000;

function compile(calendar: BusinessCalendar): Compiled {
  const hit = compiledCache.get(calendar);
  if (hit) return hit;
  const v = validateCalendar(calendar);
  if (!v.ok) throw new SlaConfigError('Calendrier invalide.', v.errors);
  const tz = calendar.timeZone;
  const week = WEEKDAY_OF_JS.map((day) =>
    (calendar.weeklyHours[day] ?? []).map((r) => parseOpeningRange(r) as [number, number]).sort((a, b) => a[0] - b[0]),
  );
  const closures = (calendar.closures ?? [])
    .map((c): Interval => [
      wallClockToInstant(tz, parseClosureBound(c.from, 'from') as number),
      wallClockToInstant(tz, parseClosureBound(c.to, 'to') as number),
    ])
    .sort((a, b) => a[0] - b[0]);
  const compiled: Compiled = {
    tz,
    week,
    closures,
    french: calendar.holidays?.france !== false,
    alsaceMoselle: calendar.holidays?.alsaceMoselle === true,
    holidays: new Map(),
    days: new Map(),
  };
  compiledCache.set(calendar, compiled);
  return compiled;
}

function isHolidayDay(c: Compiled, dayNumber: number): boolean {
  if (!c.french) return false;
  const { year } = civilOf(dayNumber);
  if (year < MIN_HOLIDAY_YEAR || year > MAX_HOLIDAY_YEAR) throw new RangeError(`Date hors de la plage prise en charge : année ${year}.`);
  let set = c.holidays.get(year);
  if (!set) {
    set = new Set(frenchPublicHolidays(year, { alsaceMoselle: c.alsaceMoselle }).map((h) => parseCivilDate(h.date) as number));
    c.holidays.set(year, set);
  }
  return set.has(dayNumber);
}

/** Open intervals (instants, [start, end)) of a local civil day, holidays and closures removed. */
function openIntervals(c: Compiled, dayNumber: number): ReadonlyArray<Interval> {
  const hit = c.days.get(dayNumber);
  if (hit) return hit;
  let result: Interval[] = [];
  if (!isHolidayDay(c, dayNumber)) {
    for (const [s, e] of c.week[jsWeekday(dayNumber)]) {
      const a = wallClockToInstant(c.tz, dayNumber * DAY_MS + s * MINUTE_MS);
      const b = wallClockToInstant(c.tz, dayNumber * DAY_MS + e * MINUTE_MS);
      if (b > a) result.push([a, b]);
    }
    for (const [cs, ce] of c.closures) {
      if (result.length === 0) break;
      result = result.flatMap(([a, b]): Interval[] => {
        if (ce <= a || cs >= b) return [[a, b]];
        const parts: Interval[] = [];
        if (cs > a) parts.push([a, cs]);
        if (ce < b) parts.push([ce, b]);
        return parts;
      });
    }
    // merge touching ranges ('08:00-12:00' + '12:00-14:00')
    result = result.reduce<Interval[]>((acc, cur) => {
      const last = acc[acc.length - 1];
      if (last && cur[0] <= last[1]) acc[acc.length - 1] = [last[0], Math.max(last[1], cur[1])];
      else acc.push(cur);
      return acc;
    }, []);
  }
  if (c.days.size >= DAY_CACHE_MAX) c.days.clear();
  c.days.set(dayNumber, result);
  return result;
}

const toMs = (d: Date, what: string): number => {
  const t = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${what} : date invalide.`);
  return t;
};

// ---------------------------------------------------------------------------------------------
// queries

/** True when the calendar is open at `instant` (opening inclusive, closing exclusive). */
export function isOpen(calendar: BusinessCalendar, instant: Date): boolean {
  const c = compile(calendar);
  const t = toMs(instant, 'isOpen');
  return openIntervals(c, localDayOf(c.tz, t)).some(([a, b]) => a <= t && t < b);
}

/** True when the local civil date 'YYYY-MM-DD' is a working day (some opening left after holidays and closures). */
export function isWorkingDay(calendar: BusinessCalendar, date: string): boolean {
  const d = parseCivilDate(date);
  if (d === null) throw new RangeError(`Date invalide : « ${date} » (AAAA-MM-JJ).`);
  return openIntervals(compile(calendar), d).length > 0;
}

/** Open intervals of a local civil date, as instants (for display and tests). */
export function openingsOn(calendar: BusinessCalendar, date: string): Array<{ from: Date; to: Date }> {
  const d = parseCivilDate(date);
  if (d === null) throw new RangeError(`Date invalide : « ${date} » (AAAA-MM-JJ).`);
  return openIntervals(compile(calendar), d).map(([a, b]) => ({ from: new Date(a), to: new Date(b) }));
}

function noOpening(c: Compiled, fromDay: number): never {
  throw new SlaConfigError(
    `Aucune ouverture dans les ${SEARCH_HORIZON_DAYS} jours suivant le ${isoOf(fromDay)} (fermetures trop longues ?).`,
  );
}

/** `instant` itself when open, otherwise the next opening. */
export function nextOpening(calendar: BusinessCalendar, instant: Date): Date {
  const c = compile(calendar);
  const t = toMs(instant, 'nextOpening');
  const first = localDayOf(c.tz, t);
  for (let d = first; d <= first + SEARCH_HORIZON_DAYS; d++) {
    for (const [a, b] of openIntervals(c, d)) if (t < b) return new Date(Math.max(a, t));
  }
  return noOpening(c, first);
}

/** Core of addBusinessMinutes, in ms. */
export function addBusinessMs(calendar: BusinessCalendar, start: Date, ms: number): Date {
  const c = compile(calendar);
  const t = toMs(start, 'addBusinessMinutes');
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Durée invalide : ${ms} (nombre positif ou nul attendu).`);
  if (ms === 0) return new Date(t);
  let remaining = ms;
  let day = localDayOf(c.tz, t);
  let idle = 0;
  for (;;) {
    const intervals = openIntervals(c, day);
    let used = false;
    for (const [a, b] of intervals) {
      if (b <= t) continue;
      const from = Math.max(a, t);
      const available = b - from;
      if (remaining <= available) return new Date(from + remaining);
      remaining -= available;
      used = true;
    }
    idle = used ? 0 : idle + 1;
    if (idle > SEARCH_HORIZON_DAYS) noOpening(c, day);
    day++;
  }
}

/**
 * The instant at which `minutes` of business time have elapsed since `start` — the earliest
 * one: a count ending exactly at a closing time returns that closing time. 0 returns `start`.
 */
export const addBusinessMinutes = (calendar: BusinessCalendar, start: Date, minutes: number): Date =>
  addBusinessMs(calendar, start, minutes * MINUTE_MS);

/** Business time between two instants, in ms (negative when b < a). */
export function businessMsBetween(calendar: BusinessCalendar, a: Date, b: Date): number {
  const c = compile(calendar);
  const x = toMs(a, 'businessMinutesBetween');
  const y = toMs(b, 'businessMinutesBetween');
  if (y < x) return -businessMsBetween(calendar, b, a);
  let total = 0;
  const last = localDayOf(c.tz, y);
  for (let d = localDayOf(c.tz, x); d <= last; d++) {
    for (const [s, e] of openIntervals(c, d)) {
      const lo = Math.max(s, x);
      const hi = Math.min(e, y);
      if (hi > lo) total += hi - lo;
    }
  }
  return total;
}

/** Business time between two instants, in minutes (may be fractional; negative when b < a). */
export const businessMinutesBetween = (calendar: BusinessCalendar, a: Date, b: Date): number =>
  businessMsBetween(calendar, a, b) / MINUTE_MS;

/**
 * The end of the opening hours of the n-th working day after the local day of `start`
 * (the day of `start` does not count). n = 0: the end of the current working day if it is
 * still open later, else of the next working day.
 */
export function addWorkingDays(calendar: BusinessCalendar, start: Date, n: number): Date {
  const c = compile(calendar);
  const t = toMs(start, 'addWorkingDays');
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Nombre de jours ouvrés invalide : ${n} (entier positif ou nul attendu).`);
  const first = localDayOf(c.tz, t);
  let count = 0;
  let idle = 0;
  for (let d = n === 0 ? first : first + 1; ; d++) {
    const intervals = openIntervals(c, d);
    const close = intervals.length ? intervals[intervals.length - 1][1] : null;
    if (close !== null && (n > 0 || close > t)) {
      count++;
      idle = 0;
      if (count >= Math.max(n, 1)) return new Date(close);
    } else if (++idle > SEARCH_HORIZON_DAYS) noOpening(c, d);
  }
}

export interface CalendarDuration {
  months?: number;
  days?: number;
  hours?: number;
  minutes?: number;
}

/**
 * Calendar arithmetic in a time zone: months then days move the local date keeping the wall
 * time (31 January + 1 month = 28/29 February; a day across a DST change is 23 h or 25 h),
 * then hours and minutes are exact elapsed time. Amounts must be non-negative integers.
 */
export function addCalendarDuration(start: Date, duration: CalendarDuration, timeZone: string): Date {
  const t = toMs(start, 'addCalendarDuration');
  if (!isValidTimeZone(timeZone)) throw new RangeError(`Fuseau horaire inconnu : « ${timeZone} ».`);
  const { months = 0, days = 0, hours = 0, minutes = 0 } = duration;
  for (const [k, v] of Object.entries({ months, days, hours, minutes })) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`Durée invalide : ${k} = ${v} (entier positif ou nul attendu).`);
  }
  let result = t;
  if (months || days) {
    const wall = instantToWallClock(timeZone, t);
    const dayNumber = Math.floor(wall / DAY_MS);
    const timeOfDay = wall - dayNumber * DAY_MS;
    const { year, month, day } = civilOf(dayNumber);
    const m0 = year * 12 + (month - 1) + months;
    const y2 = Math.floor(m0 / 12);
    const mo2 = (m0 % 12) + 1;
    const target = dayNumberOf(y2, mo2, Math.min(day, daysInMonth(y2, mo2))) + days;
    result = wallClockToInstant(timeZone, target * DAY_MS + timeOfDay);
  }
  return new Date(result + (hours * 60 + minutes) * MINUTE_MS);
}
