/**
 * French public holidays (jours fériés) computed for any Gregorian year, with the
 * Easter-based ones (lundi de Pâques, Ascension, lundi de Pentecôte) from the
 * Meeus/Jones/Butcher algorithm, and optionally Alsace-Moselle's two extra days
 * (Vendredi saint, 26 décembre — Code du travail, art. L3134-13).
 *
 * The current legal list is applied to every year (8 mai and lundi de Pentecôte have
 * a history; this module is for deadlines, not for history books).
 * Pure: no dependency, no time zone (dates are civil dates 'YYYY-MM-DD').
 */

export interface PublicHoliday {
  /** Civil date, 'YYYY-MM-DD'. */
  date: string;
  /** French name, e.g. 'Lundi de Pâques'. */
  name: string;
}

export interface HolidayOptions {
  /** Adds Vendredi saint and Saint-Étienne (26 décembre) — Bas-Rhin, Haut-Rhin, Moselle. */
  alsaceMoselle?: boolean;
}

export const MIN_HOLIDAY_YEAR = 1583;
export const MAX_HOLIDAY_YEAR = 9999;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Easter Sunday (Gregorian) as [month 1-12, day]. Meeus/Jones/Butcher. */
export function easterSunday(year: number): { month: number; day: number } {
  assertYear(year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_HOLIDAY_YEAR || year > MAX_HOLIDAY_YEAR) {
    throw new RangeError(`Année invalide : ${year} (entier attendu entre ${MIN_HOLIDAY_YEAR} et ${MAX_HOLIDAY_YEAR}).`);
  }
}

/** 'YYYY-MM-DD' of a UTC day number (days since 1970-01-01). */
const isoOfDayNumber = (dayNumber: number): string => {
  const d = new Date(dayNumber * 86_400_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
};
const dayNumberOf = (year: number, month: number, day: number): number => {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / 86_400_000);
};

/** The public holidays of `year`, sorted by date. */
export function frenchPublicHolidays(year: number, options: HolidayOptions = {}): PublicHoliday[] {
  assertYear(year);
  const easter = easterSunday(year);
  const e = dayNumberOf(year, easter.month, easter.day);
  const fixed = (month: number, day: number, name: string): [number, string] => [dayNumberOf(year, month, day), name];
  const list: Array<[number, string]> = [
    fixed(1, 1, 'Jour de l’an'),
    [e + 1, 'Lundi de Pâques'],
    fixed(5, 1, 'Fête du Travail'),
    fixed(5, 8, 'Victoire 1945'),
    [e + 39, 'Ascension'],
    [e + 50, 'Lundi de Pentecôte'],
    fixed(7, 14, 'Fête nationale'),
    fixed(8, 15, 'Assomption'),
    fixed(11, 1, 'Toussaint'),
    fixed(11, 11, 'Armistice 1918'),
    fixed(12, 25, 'Noël'),
  ];
  if (options.alsaceMoselle) {
    list.push([e - 2, 'Vendredi saint'], fixed(12, 26, 'Saint-Étienne'));
  }
  return list.sort((x, y) => x[0] - y[0]).map(([n, name]) => ({ date: isoOfDayNumber(n), name }));
}

/** The holiday on a civil date 'YYYY-MM-DD', or null. */
export function frenchPublicHolidayOn(date: string, options: HolidayOptions = {}): PublicHoliday | null {
  const year = Number(date.slice(0, 4));
  return frenchPublicHolidays(year, options).find((h) => h.date === date) ?? null;
}
