import { easterSunday, frenchPublicHolidayOn, frenchPublicHolidays } from './holidays';

// Official tables (service-public.fr / Légifrance), typed by hand.
const EASTER_MONDAY: Record<number, string> = {
  2024: '2024-04-01',
  2025: '2025-04-21',
  2026: '2026-04-06',
  2027: '2027-03-29',
  2028: '2028-04-17',
  2029: '2029-04-02',
  2030: '2030-04-22',
};
const ASCENSION: Record<number, string> = {
  2024: '2024-05-09',
  2025: '2025-05-29',
  2026: '2026-05-14',
  2027: '2027-05-06',
  2028: '2028-05-25',
  2029: '2029-05-10',
  2030: '2030-05-30',
};
const WHIT_MONDAY: Record<number, string> = {
  2024: '2024-05-20',
  2025: '2025-06-09',
  2026: '2026-05-25',
  2027: '2027-05-17',
  2028: '2028-06-05',
  2029: '2029-05-21',
  2030: '2030-06-10',
};
const GOOD_FRIDAY: Record<number, string> = {
  2024: '2024-03-29',
  2025: '2025-04-18',
  2026: '2026-04-03',
  2027: '2027-03-26',
  2028: '2028-04-14',
  2029: '2029-03-30',
  2030: '2030-04-19',
};
const EASTER_SUNDAY: Record<number, string> = {
  2024: '2024-03-31',
  2025: '2025-04-20',
  2026: '2026-04-05',
  2027: '2027-03-28',
  2028: '2028-04-16',
  2029: '2029-04-01',
  2030: '2030-04-21',
};
const YEARS = [2024, 2025, 2026, 2027, 2028, 2029, 2030];

describe('frenchPublicHolidays', () => {
  it.each(YEARS)('%i: the 11 national holidays with their official dates, sorted by date', (y) => {
    const expected = [
      { date: `${y}-01-01`, name: 'Jour de l’an' },
      { date: EASTER_MONDAY[y], name: 'Lundi de Pâques' },
      { date: `${y}-05-01`, name: 'Fête du Travail' },
      { date: `${y}-05-08`, name: 'Victoire 1945' },
      { date: ASCENSION[y], name: 'Ascension' },
      { date: WHIT_MONDAY[y], name: 'Lundi de Pentecôte' },
      { date: `${y}-07-14`, name: 'Fête nationale' },
      { date: `${y}-08-15`, name: 'Assomption' },
      { date: `${y}-11-01`, name: 'Toussaint' },
      { date: `${y}-11-11`, name: 'Armistice 1918' },
      { date: `${y}-12-25`, name: 'Noël' },
    ].sort((a, b) => a.date.localeCompare(b.date)); // Ascension falls before 8 May in 2027
    expect(frenchPublicHolidays(y)).toEqual(expected);
  });

  it.each(YEARS)('%i: Alsace-Moselle adds Vendredi saint and Saint-Étienne, sorted', (y) => {
    const list = frenchPublicHolidays(y, { alsaceMoselle: true });
    expect(list).toHaveLength(13);
    expect(list).toContainEqual({ date: GOOD_FRIDAY[y], name: 'Vendredi saint' });
    expect(list[list.length - 1]).toEqual({ date: `${y}-12-26`, name: 'Saint-Étienne' });
    const dates = list.map((h) => h.date);
    expect([...dates].sort()).toEqual(dates);
  });

  it.each(YEARS)('%i: Easter Sunday', (y) => {
    const e = easterSunday(y);
    expect(`${y}-${String(e.month).padStart(2, '0')}-${String(e.day).padStart(2, '0')}`).toBe(EASTER_SUNDAY[y]);
  });

  it('extreme Easter dates of the Gregorian cycle', () => {
    expect(easterSunday(1818)).toEqual({ month: 3, day: 22 }); // earliest possible
    expect(easterSunday(1943)).toEqual({ month: 4, day: 25 }); // latest possible
    expect(easterSunday(2038)).toEqual({ month: 4, day: 25 });
  });

  it('looks one date up', () => {
    expect(frenchPublicHolidayOn('2025-06-09')?.name).toBe('Lundi de Pentecôte');
    expect(frenchPublicHolidayOn('2025-12-26')).toBeNull();
    expect(frenchPublicHolidayOn('2025-12-26', { alsaceMoselle: true })?.name).toBe('Saint-Étienne');
  });

  it('refuses a year it cannot compute', () => {
    expect(() => frenchPublicHolidays(2024.5)).toThrow(/Année invalide/);
    expect(() => frenchPublicHolidays(1200)).toThrow(/Année invalide/);
  });
});
