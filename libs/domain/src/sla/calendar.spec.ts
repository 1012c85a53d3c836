import fc from 'fast-check';
import {
  BusinessCalendar,
  addBusinessMinutes,
  addCalendarDuration,
  addWorkingDays,
  businessMinutesBetween,
  calendarForDepartment,
  isOpen,
  isWorkingDay,
  localDate,
  nextOpening,
  openingsOn,
  validateCalendar,
  wallClockToInstant,
} from './calendar';
import { frenchPublicHolidays } from './holidays';

const OFFICE = ['08:30-12:00', '13:30-17:30'];
const mairie: BusinessCalendar = {
  id: 'mairie',
  timeZone: 'Europe/Paris',
  weeklyHours: { monday: OFFICE, tuesday: OFFICE, wednesday: OFFICE, thursday: OFFICE, friday: OFFICE, saturday: ['09:00-12:00'] },
  closures: [
    { from: '2025-05-30', to: '2025-05-31', label: 'Pont de l’Ascension' },
    { from: '2025-12-24T12:00', to: '2025-12-24T17:30', label: 'Veille de Noël après-midi' },
  ],
};
const weekdays: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  weeklyHours: { monday: OFFICE, tuesday: OFFICE, wednesday: OFFICE, thursday: OFFICE, friday: OFFICE },
};
const alsace: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  weeklyHours: { monday: OFFICE, tuesday: OFFICE, wednesday: OFFICE, thursday: OFFICE, friday: OFFICE },
  holidays: { alsaceMoselle: true },
};
const always: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  weeklyHours: Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, ['00:00-24:00']]),
  ),
  holidays: { france: false },
};
const at = (s: string) => new Date(s);
const iso = (d: Date) => d.toISOString();

describe('validateCalendar', () => {
  it('accepts a town calendar', () => {
    expect(validateCalendar(mairie).ok).toBe(true);
  });
  it('refuses a calendar with no open hour, with a French message and a path', () => {
    const r = validateCalendar({ timeZone: 'Europe/Paris', weeklyHours: {} });
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          field: 'weeklyHours',
          code: 'calendar.never_open',
          message: 'Le calendrier doit comporter au moins une plage d’ouverture dans la semaine.',
        },
      ],
    });
    expect(() => isOpen({ timeZone: 'Europe/Paris', weeklyHours: { monday: [] } }, new Date())).toThrow(
      /Calendrier invalide.*au moins une plage/,
    );
  });
  it('points at each faulty field', () => {
    const r = validateCalendar({
      timeZone: 'Europe/Pariss',
      weeklyHours: { monday: ['08:30-12:00', '11:00-14:00', '18:00-17:00'], tuesday: ['8h-12h'] },
      closures: [
        { from: '2025-02-30', to: '2025-03-01', label: '' },
        { from: '2025-03-02', to: '2025-03-01', label: 'x' },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.field, e.code])).toEqual([
      ['timeZone', 'calendar.time_zone_invalid'],
      ['weeklyHours.monday[2]', 'calendar.hours_invalid'],
      ['weeklyHours.monday[1]', 'calendar.hours_overlap'],
      ['weeklyHours.tuesday[0]', 'calendar.hours_invalid'],
      ['closures[0].from', 'calendar.closure_date_invalid'],
      ['closures[0].label', 'calendar.closure_label_required'],
      ['closures[1].to', 'calendar.closure_reversed'],
    ]);
    expect(r.errors[0].message).toBe('Fuseau horaire inconnu : « Europe/Pariss » (ex. Europe/Paris).');
  });
});

describe('isOpen / nextOpening', () => {
  it('split hours: open at opening, closed at closing and over lunch', () => {
    expect(isOpen(mairie, at('2025-03-04T08:30:00+01:00'))).toBe(true);
    expect(isOpen(mairie, at('2025-03-04T08:29:59+01:00'))).toBe(false);
    expect(isOpen(mairie, at('2025-03-04T12:00:00+01:00'))).toBe(false);
    expect(isOpen(mairie, at('2025-03-04T13:00:00+01:00'))).toBe(false);
    expect(isOpen(mairie, at('2025-03-04T17:29:00+01:00'))).toBe(true);
    expect(isOpen(mairie, at('2025-03-09T10:00:00+01:00'))).toBe(false); // Sunday
  });
  it('closed on holidays and closures; a partial closure keeps the morning', () => {
    expect(isOpen(mairie, at('2025-05-29T10:00:00+02:00'))).toBe(false); // Ascension
    expect(isOpen(mairie, at('2025-05-30T10:00:00+02:00'))).toBe(false); // pont
    expect(isOpen(mairie, at('2025-05-31T10:00:00+02:00'))).toBe(false); // closure to 31 inclusive (Saturday)
    expect(isOpen(mairie, at('2025-12-24T10:00:00+01:00'))).toBe(true);
    expect(isOpen(mairie, at('2025-12-24T14:00:00+01:00'))).toBe(false);
    expect(isWorkingDay(mairie, '2025-12-24')).toBe(true);
    expect(isWorkingDay(mairie, '2025-05-30')).toBe(false);
    expect(isWorkingDay(alsace, '2025-12-26')).toBe(false); // Saint-Étienne
    expect(isWorkingDay(mairie, '2025-12-26')).toBe(true);
  });
  it('nextOpening', () => {
    expect(iso(nextOpening(mairie, at('2025-03-04T10:00:00+01:00')))).toBe(iso(at('2025-03-04T10:00:00+01:00')));
    expect(iso(nextOpening(mairie, at('2025-03-04T12:00:00+01:00')))).toBe(iso(at('2025-03-04T13:30:00+01:00')));
    expect(iso(nextOpening(mairie, at('2025-05-28T18:00:00+02:00')))).toBe(iso(at('2025-06-02T08:30:00+02:00')));
  });
  it('gives up with a clear error when closures leave no opening for years', () => {
    const closed: BusinessCalendar = { ...alsace, closures: [{ from: '2025-01-01', to: '2029-12-31', label: 'Travaux' }] };
    expect(() => nextOpening(closed, at('2025-01-02T10:00:00+01:00'))).toThrow(/Aucune ouverture/);
  });
});

describe('addBusinessMinutes / businessMinutesBetween: table', () => {
  it.each([
    // start, minutes, expected
    ['2025-03-04T09:00:00+01:00', 60, '2025-03-04T10:00:00+01:00'],
    ['2025-03-04T11:00:00+01:00', 60, '2025-03-04T12:00:00+01:00'], // ends at closing, not after lunch
    ['2025-03-04T11:00:00+01:00', 61, '2025-03-04T13:31:00+01:00'],
    ['2025-03-04T20:00:00+01:00', 30, '2025-03-05T09:00:00+01:00'],
    ['2025-03-07T17:00:00+01:00', 60, '2025-03-08T09:30:00+01:00'], // Saturday morning
    ['2025-03-08T11:30:00+01:00', 60, '2025-03-10T09:00:00+01:00'],
    // DST spring weekend 2024 + lundi de Pâques 2024-04-01
    ['2024-03-29T16:30:00+01:00', 120, '2024-03-30T10:00:00+01:00'], // Saturday morning, before the change
    ['2024-03-30T11:30:00+01:00', 120, '2024-04-02T10:00:00+02:00'],
    // DST autumn weekends
    ['2024-10-26T11:00:00+02:00', 90, '2024-10-28T09:00:00+01:00'],
    ['2025-10-24T17:00:00+02:00', 90, '2025-10-25T10:00:00+02:00'],
    ['2025-10-25T11:30:00+02:00', 60, '2025-10-27T09:00:00+01:00'],
    ['2026-03-28T11:00:00+01:00', 90, '2026-03-30T09:00:00+02:00'],
  ])('%s + %i min = %s', (start, minutes, expected) => {
    const end = addBusinessMinutes(mairie, at(start), minutes);
    expect(iso(end)).toBe(iso(at(expected)));
    expect(businessMinutesBetween(mairie, at(start), end)).toBe(minutes);
  });

  it.each([
    // Monday to Friday only: the DST weekend and lundi de Pâques 2024 in one jump
    ['2024-03-29T16:30:00+01:00', 120, '2024-04-02T09:30:00+02:00'],
    ['2024-10-25T17:00:00+02:00', 60, '2024-10-28T09:00:00+01:00'],
    ['2027-03-26T17:00:00+01:00', 60, '2027-03-30T09:00:00+02:00'], // 28 March 2027 DST, 29 March lundi de Pâques
    ['2029-10-26T12:00:00+02:00', 1, '2029-10-26T13:31:00+02:00'],
    ['2029-10-26T17:29:00+02:00', 2, '2029-10-29T08:31:00+01:00'],
  ])('weekdays calendar: %s + %i min = %s', (start, minutes, expected) => {
    const end = addBusinessMinutes(weekdays, at(start), minutes);
    expect(iso(end)).toBe(iso(at(expected)));
    expect(businessMinutesBetween(weekdays, at(start), end)).toBe(minutes);
  });

  it.each([
    ['2024-03-30T00:00:00+01:00', '2024-04-01T00:00:00+02:00', 47 * 60],
    ['2024-10-26T00:00:00+02:00', '2024-10-28T00:00:00+01:00', 49 * 60],
    ['2025-03-30T00:00:00+01:00', '2025-03-31T00:00:00+02:00', 23 * 60],
    ['2025-10-26T00:00:00+02:00', '2025-10-27T00:00:00+01:00', 25 * 60],
    ['2030-03-31T01:00:00+01:00', '2030-03-31T04:00:00+02:00', 2 * 60],
  ])('24/7 calendar counts real time across DST: %s → %s = %i min', (a, b, minutes) => {
    expect(businessMinutesBetween(always, at(a), at(b))).toBe(minutes);
    expect(businessMinutesBetween(always, at(b), at(a))).toBe(-minutes);
    expect(iso(addBusinessMinutes(always, at(a), minutes))).toBe(iso(at(b)));
  });

  it('refuses negative or non-finite durations', () => {
    expect(() => addBusinessMinutes(mairie, at('2025-03-04T09:00:00+01:00'), -1)).toThrow(/Durée invalide/);
    expect(() => addBusinessMinutes(mairie, at('2025-03-04T09:00:00+01:00'), NaN)).toThrow(/Durée invalide/);
  });
});

describe('addWorkingDays', () => {
  it.each([
    ['2024-05-03T15:00:00+02:00', 2, '2024-05-06T17:30:00+02:00'], // Fri → Sat (open 9-12), Mon
    ['2024-05-07T10:00:00+02:00', 1, '2024-05-10T17:30:00+02:00'], // 8 May, Ascension 9 May skipped
    ['2024-05-04T10:00:00+02:00', 1, '2024-05-06T17:30:00+02:00'], // Saturday: Saturday 9-12 is a working day in this town
    ['2025-05-28T10:00:00+02:00', 1, '2025-06-02T17:30:00+02:00'], // Ascension + pont closure
    ['2025-12-23T10:00:00+01:00', 1, '2025-12-24T12:00:00+01:00'], // partial closure: end of the morning
    ['2024-03-29T11:00:00+01:00', 1, '2024-03-30T12:00:00+01:00'],
    ['2024-03-30T11:00:00+01:00', 1, '2024-04-02T17:30:00+02:00'], // DST + lundi de Pâques
    ['2025-03-04T10:00:00+01:00', 0, '2025-03-04T17:30:00+01:00'],
    ['2025-03-04T18:00:00+01:00', 0, '2025-03-05T17:30:00+01:00'],
  ])('%s + %i working days = %s', (start, n, expected) => {
    expect(iso(addWorkingDays(mairie, at(start), n))).toBe(iso(at(expected)));
  });
  it('Alsace-Moselle: Vendredi saint is not a working day', () => {
    expect(iso(addWorkingDays(alsace, at('2025-04-17T10:00:00+02:00'), 1))).toBe(iso(at('2025-04-22T17:30:00+02:00')));
    expect(iso(addWorkingDays(mairie, at('2025-04-17T10:00:00+02:00'), 1))).toBe(iso(at('2025-04-18T17:30:00+02:00')));
  });
});

describe('addCalendarDuration (Europe/Paris)', () => {
  it.each([
    ['2024-03-30T10:00:00+01:00', { days: 1 }, '2024-03-31T10:00:00+02:00'], // a 23 h day
    ['2024-03-30T10:00:00+01:00', { hours: 24 }, '2024-03-31T11:00:00+02:00'], // exact elapsed time
    ['2024-10-26T10:00:00+02:00', { days: 1 }, '2024-10-27T10:00:00+01:00'], // a 25 h day
    ['2024-03-30T02:30:00+01:00', { days: 1 }, '2024-03-31T03:30:00+02:00'], // 02:30 does not exist: moved forward
    ['2024-10-26T02:30:00+02:00', { days: 1 }, '2024-10-27T02:30:00+02:00'], // 02:30 twice: the first one
    ['2024-01-15T10:00:00+01:00', { months: 2 }, '2024-03-15T10:00:00+01:00'],
    ['2024-09-15T10:00:00+02:00', { months: 2 }, '2024-11-15T10:00:00+01:00'],
    ['2024-01-31T10:00:00+01:00', { months: 1 }, '2024-02-29T10:00:00+01:00'],
    ['2025-12-31T23:30:00+01:00', { months: 2 }, '2026-02-28T23:30:00+01:00'],
    ['2025-12-31T23:30:00+01:00', { days: 1, hours: 1 }, '2026-01-02T00:30:00+01:00'],
  ])('%s + %j = %s', (start, duration, expected) => {
    expect(iso(addCalendarDuration(at(start), duration, 'Europe/Paris'))).toBe(iso(at(expected)));
  });
  it('refuses negative amounts and unknown zones', () => {
    expect(() => addCalendarDuration(at('2024-01-01T00:00:00Z'), { days: -1 }, 'Europe/Paris')).toThrow(/Durée invalide/);
    expect(() => addCalendarDuration(at('2024-01-01T00:00:00Z'), { days: 1 }, 'Mars/Olympus')).toThrow(/Fuseau horaire inconnu/);
  });
  it('wallClockToInstant disambiguates like Temporal "compatible"', () => {
    expect(iso(new Date(wallClockToInstant('Europe/Paris', Date.UTC(2025, 2, 30, 2, 30))))).toBe('2025-03-30T01:30:00.000Z');
    expect(iso(new Date(wallClockToInstant('Europe/Paris', Date.UTC(2025, 9, 26, 2, 30))))).toBe('2025-10-26T00:30:00.000Z');
  });
});

describe('calendarForDepartment', () => {
  it('takes the nearest department with a calendar, else the default', () => {
    const set = { default: mairie, byDepartment: { etatcivil: alsace } };
    expect(calendarForDepartment(set, ['naissances', 'etatcivil'])).toBe(alsace);
    expect(calendarForDepartment(set, ['voirie'])).toBe(mairie);
  });
});

// ---------------------------------------------------------------------------------------------
// properties

const START = Date.parse('2024-01-01T00:00:00Z');
const END = Date.parse('2030-12-31T00:00:00Z');
const instant = fc.integer({ min: START / 60_000, max: END / 60_000 }).map((m) => new Date(m * 60_000));
const minutes = fc.integer({ min: 1, max: 6_000 });
const calendars = fc.constantFrom(mairie, alsace);
const holidaysOf = (cal: BusinessCalendar) =>
  new Set(
    [2024, 2025, 2026, 2027, 2028, 2029, 2030, 2031].flatMap((y) =>
      frenchPublicHolidays(y, { alsaceMoselle: cal.holidays?.alsaceMoselle }).map((h) => h.date),
    ),
  );

describe('properties', () => {
  it('a business-time deadline lies within opening hours (closing time included), never on a holiday or closure', () => {
    fc.assert(
      fc.property(calendars, instant, minutes, (cal, start, m) => {
        const d = addBusinessMinutes(cal, start, m);
        const day = localDate('Europe/Paris', new Date(d.getTime() - 1));
        expect(holidaysOf(cal).has(day)).toBe(false);
        const within = openingsOn(cal, day).some((o) => o.from < d && d <= o.to);
        expect(within).toBe(true);
        expect(isOpen(cal, new Date(d.getTime() - 1))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('adding durations is monotonic in the duration and in the start', () => {
    fc.assert(
      fc.property(calendars, instant, instant, minutes, minutes, (cal, s1, s2, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(addBusinessMinutes(cal, s1, lo).getTime()).toBeLessThanOrEqual(addBusinessMinutes(cal, s1, hi).getTime());
        const [e1, e2] = s1 <= s2 ? [s1, s2] : [s2, s1];
        expect(addBusinessMinutes(cal, e1, a).getTime()).toBeLessThanOrEqual(addBusinessMinutes(cal, e2, a).getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('adding is additive and inverse to businessMinutesBetween', () => {
    fc.assert(
      fc.property(calendars, instant, minutes, minutes, (cal, s, a, b) => {
        const once = addBusinessMinutes(cal, s, a + b);
        expect(addBusinessMinutes(cal, addBusinessMinutes(cal, s, a), b).getTime()).toBe(once.getTime());
        expect(businessMinutesBetween(cal, s, once)).toBe(a + b);
      }),
      { numRuns: 200 },
    );
  });

  it('a working-days deadline is the closing time of a working day, after the start', () => {
    fc.assert(
      fc.property(calendars, instant, fc.integer({ min: 1, max: 60 }), (cal, s, n) => {
        const d = addWorkingDays(cal, s, n);
        const day = localDate('Europe/Paris', d);
        const openings = openingsOn(cal, day);
        expect(openings[openings.length - 1].to.getTime()).toBe(d.getTime());
        expect(d.getTime()).toBeGreaterThan(s.getTime());
        expect(addWorkingDays(cal, s, n + 1).getTime()).toBeGreaterThan(d.getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('business time never exceeds real time, and a 24/7 calendar counts real time', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 20 * 24 * 60 }), (s, m) => {
        const e = new Date(s.getTime() + m * 60_000);
        expect(businessMinutesBetween(mairie, s, e)).toBeLessThanOrEqual(m);
        expect(businessMinutesBetween(always, s, e)).toBe(m);
      }),
      { numRuns: 200 },
    );
  });
});
