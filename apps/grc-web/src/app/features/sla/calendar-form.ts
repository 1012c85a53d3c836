/**
 * The calendar editor's form model and its conversions to and from the API's BusinessCalendar,
 * plus the checks the form can make before asking the server (complete fields only: the rules —
 * start before end, overlaps, dates that exist — are the domain's, applied by the server).
 */
import { WEEKDAYS, type BusinessCalendar, type SlaCalendarInput, type Weekday } from '@grc/domain';
import type { SlaFieldErr } from './sla-form-errors';

export interface TimeRangeRow {
  key: number;
  from: string;
  to: string;
}
export interface ClosureRow {
  key: number;
  fromDate: string;
  fromTime: string;
  toDate: string;
  toTime: string;
  label: string;
}
export interface CalendarForm {
  name: string;
  /** '' : the town's default calendar */
  departmentId: string;
  timeZone: string;
  week: Record<Weekday, TimeRangeRow[]>;
  closures: ClosureRow[];
  france: boolean;
  alsaceMoselle: boolean;
}

/** Time zones of metropolitan and overseas France (the ones a French town can be in). */
export const FRENCH_TIME_ZONES = [
  'Europe/Paris',
  'America/Guadeloupe',
  'America/Martinique',
  'America/Cayenne',
  'Indian/Reunion',
  'Indian/Mayotte',
  'America/Miquelon',
  'Pacific/Noumea',
  'Pacific/Tahiti',
  'Pacific/Wallis',
] as const;

let seq = 0;
/** A stable key for a new row (tracks DOM rows while indexes shift). */
export const rowKey = (): number => ++seq;

const SPLIT_DATETIME = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?$/;

function splitBound(s: string | undefined): { date: string; time: string } {
  const m = SPLIT_DATETIME.exec(s ?? '');
  return m ? { date: m[1], time: m[2] ?? '' } : { date: s ?? '', time: '' };
}

/** 'HH:MM-HH:MM' → a row; an end of 24:00 is shown as 00:00 (midnight, the end of the day). */
function rangeRow(range: string): TimeRangeRow {
  const [from = '', to = ''] = String(range).split('-');
  return { key: rowKey(), from, to: to === '24:00' ? '00:00' : to };
}

export function calendarForm(src: { name: string; departmentId: string | null; calendar: Partial<BusinessCalendar> }): CalendarForm {
  const c = src.calendar ?? {};
  const weekly = (c.weeklyHours ?? {}) as Partial<Record<Weekday, readonly string[]>>;
  return {
    name: src.name ?? '',
    departmentId: src.departmentId ?? '',
    timeZone: c.timeZone || 'Europe/Paris',
    week: Object.fromEntries(WEEKDAYS.map((d) => [d, (Array.isArray(weekly[d]) ? weekly[d] : []).map(rangeRow)])) as Record<
      Weekday,
      TimeRangeRow[]
    >,
    closures: (c.closures ?? []).map((cl) => {
      const from = splitBound(cl.from);
      const to = splitBound(cl.to);
      return { key: rowKey(), fromDate: from.date, fromTime: from.time, toDate: to.date, toTime: to.time, label: cl.label ?? '' };
    }),
    france: c.holidays?.france !== false,
    alsaceMoselle: c.holidays?.alsaceMoselle === true,
  };
}

/** The calendar as the API takes it. Days without ranges are left out (closed). */
export function calendarBody(f: CalendarForm): Omit<SlaCalendarInput, 'version'> & { departmentId: string | null } {
  const weeklyHours: Partial<Record<Weekday, string[]>> = {};
  for (const day of WEEKDAYS) {
    const ranges = f.week[day];
    if (ranges.length) weeklyHours[day] = ranges.map((r) => `${r.from}-${r.to === '00:00' ? '24:00' : r.to}`);
  }
  return {
    name: f.name.trim(),
    departmentId: f.departmentId || null,
    calendar: {
      timeZone: f.timeZone,
      weeklyHours,
      closures: f.closures.map((c) => {
        const toDate = c.toDate || c.fromDate;
        return {
          from: c.fromTime ? `${c.fromDate}T${c.fromTime}` : c.fromDate,
          to: c.toTime ? `${toDate}T${c.toTime}` : toDate,
          label: c.label.trim(),
        };
      }),
      holidays: { france: f.france, alsaceMoselle: f.alsaceMoselle },
    },
  };
}

export type Say = (key: 'slaAdmin.required' | 'slaAdmin.rangeIncomplete' | 'slaAdmin.closureStart') => string;

/** What is obviously missing, with the paths the server would use. */
export function calendarProblems(f: CalendarForm, say: Say): SlaFieldErr[] {
  const errors: SlaFieldErr[] = [];
  if (!f.name.trim()) errors.push({ field: 'name', message: say('slaAdmin.required') });
  for (const day of WEEKDAYS) {
    f.week[day].forEach((r, i) => {
      if (!r.from || !r.to) errors.push({ field: `calendar.weeklyHours.${day}[${i}]`, message: say('slaAdmin.rangeIncomplete') });
    });
  }
  f.closures.forEach((c, i) => {
    if (!c.fromDate) errors.push({ field: `calendar.closures[${i}].from`, message: say('slaAdmin.closureStart') });
    if (!c.label.trim()) errors.push({ field: `calendar.closures[${i}].label`, message: say('slaAdmin.required') });
  });
  return errors;
}

/** Reads an imported JSON document: `{ name?, departmentId?, calendar }` or a bare calendar. */
export function importedCalendar(doc: unknown, current: CalendarForm): CalendarForm | null {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const o = doc as Record<string, unknown>;
  const cal = (o['calendar'] && typeof o['calendar'] === 'object' ? o['calendar'] : o) as Partial<BusinessCalendar>;
  if (!cal.weeklyHours || typeof cal.weeklyHours !== 'object') return null;
  return calendarForm({
    name: typeof o['name'] === 'string' ? o['name'] : current.name,
    departmentId:
      typeof o['departmentId'] === 'string' || o['departmentId'] === null ? (o['departmentId'] as string | null) : current.departmentId,
    calendar: cal,
  });
}
