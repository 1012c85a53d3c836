/** Local wall-clock time in a time zone, with Intl only (no Node built-ins). */
export interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatter = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
};

const fields = (ms: number, timeZone: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out;
};

export function toLocal(ms: number, timeZone: string): LocalTime {
  const f = fields(ms, timeZone);
  const year = f['year'] ?? 1970,
    month = f['month'] ?? 1,
    day = f['day'] ?? 1;
  return {
    year,
    month,
    day,
    hour: (f['hour'] ?? 0) % 24,
    minute: f['minute'] ?? 0,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** offset of the zone from UTC at instant `ms`, in ms */
const offsetAt = (ms: number, timeZone: string): number => {
  const f = fields(ms, timeZone);
  const asUtc = Date.UTC(
    f['year'] ?? 1970,
    (f['month'] ?? 1) - 1,
    f['day'] ?? 1,
    (f['hour'] ?? 0) % 24,
    f['minute'] ?? 0,
    f['second'] ?? 0,
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
};

/** The instant of a local wall-clock time (month 1-12; day may overflow, Date.UTC normalises it). */
export function fromLocal(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const off = offsetAt(guess, timeZone);
  const off2 = offsetAt(guess - off, timeZone);
  return guess - off2;
}
