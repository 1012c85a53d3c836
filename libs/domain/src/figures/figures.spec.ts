import type { BusinessCalendar } from '../sla/calendar';
import { ageBucketOf, FIGURE_CODES, FIGURE_DEFINITIONS } from './definitions';
import { areaOf, ticketFacts, type FactsEvent, type FactsInput } from './facts';
import {
  openDataMonth,
  OPEN_DATA_OTHERS,
  type OpenDataBacklog,
  type OpenDataCounts,
  type OpenDataDelays,
  type OpenDataKey,
} from './open-data';
import { monthPeriod, monthsEndingAt, periodErrors, periodInstants, previousPeriod } from './periods';
import { change, median, p90, percentile, ratio } from './stats';

/** Weekdays 09:00–17:00, Paris, French public holidays closed (11 November 2026 is a Wednesday). */
const CAL: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  weeklyHours: {
    monday: ['09:00-17:00'],
    tuesday: ['09:00-17:00'],
    wednesday: ['09:00-17:00'],
    thursday: ['09:00-17:00'],
    friday: ['09:00-17:00'],
  },
};
/** local Paris time in November (UTC+1) */
const paris = (s: string) => new Date(`${s}:00+01:00`);
const status = (at: string, from: string, to: string): FactsEvent => ({ kind: 'status_changed', at: paris(at), data: { from, to } });
const input = (events: FactsEvent[], over: Partial<FactsInput> = {}): FactsInput => ({
  createdAt: paris('2026-11-10T16:00'),
  status: 'resolved',
  resolvedAt: null,
  closedAt: null,
  masterTicketId: null,
  events,
  clocks: [],
  calendar: CAL,
  ...over,
});

describe('figures: definitions', () => {
  it('defines every code once, with a unit', () => {
    expect(Object.keys(FIGURE_DEFINITIONS).sort()).toEqual([...FIGURE_CODES].sort());
    for (const c of FIGURE_CODES) expect(FIGURE_DEFINITIONS[c].code).toBe(c);
  });
  it('puts ages in their bucket', () => {
    expect([0, 6.9, 7, 29, 30, 89, 90, 400].map(ageBucketOf)).toEqual([
      'd0_7',
      'd0_7',
      'd7_30',
      'd7_30',
      'd30_90',
      'd30_90',
      'd90_plus',
      'd90_plus',
    ]);
  });
});

describe('figures: a request’s facts', () => {
  it('counts the first response in business time over a public holiday, and in calendar days', () => {
    const f = ticketFacts(input([{ kind: 'reply', at: paris('2026-11-12T10:00'), data: {} }], { status: 'open' }));
    // Tue 16–17 (60) + Wed 11 November closed + Thu 9–10 (60)
    expect(f.firstResponseBusinessMinutes).toBe(120);
    expect(f.firstResponseDays).toBeCloseTo(42 / 24, 10);
    expect(f.resolvedAt).toBeNull();
  });

  it('leaves the wait for the citizen out of the resolution time', () => {
    const f = ticketFacts(
      input([
        status('2026-11-10T16:00', 'new', 'open'),
        status('2026-11-12T11:00', 'open', 'waiting_citizen'),
        status('2026-11-16T10:00', 'waiting_citizen', 'open'),
        status('2026-11-16T12:00', 'open', 'resolved'),
      ]),
    );
    // active: Tue 16–17 (60), Thu 9–11 (120), Mon 10–12 (120)
    expect(f.resolutionBusinessMinutes).toBe(300);
    // 140 h elapsed, 95 h waiting
    expect(f.resolutionDays).toBeCloseTo(45 / 24, 10);
    expect(f.resolvedAt).toEqual(paris('2026-11-16T12:00'));
    expect(f.reopenCount).toBe(0);
  });

  it('a reopened request is resolved at its final resolution and counts its reopenings', () => {
    const f = ticketFacts(
      input(
        [
          status('2026-11-10T16:30', 'new', 'resolved'),
          status('2026-11-12T09:00', 'resolved', 'open'),
          status('2026-11-12T10:00', 'open', 'closed'),
        ],
        { status: 'closed' },
      ),
    );
    expect(f.reopenCount).toBe(1);
    expect(f.resolvedAt).toEqual(paris('2026-11-12T10:00'));
    expect(f.closedAt).toEqual(paris('2026-11-12T10:00'));
    expect(f.resolutionBusinessMinutes).toBe(120);
  });

  it('resolved then closed keeps the resolution date', () => {
    const f = ticketFacts(
      input([status('2026-11-10T16:30', 'new', 'resolved'), status('2026-11-13T09:00', 'resolved', 'closed')], { status: 'closed' }),
    );
    expect(f.resolvedAt).toEqual(paris('2026-11-10T16:30'));
    expect(f.closedAt).toEqual(paris('2026-11-13T09:00'));
    expect(f.resolutionBusinessMinutes).toBe(30);
  });

  it('an imported history without timeline takes the columns', () => {
    const f = ticketFacts(input([], { status: 'closed', resolvedAt: paris('2026-11-13T09:00'), closedAt: paris('2026-11-14T09:00') }));
    expect(f.resolvedAt).toEqual(paris('2026-11-13T09:00'));
    expect(f.closedAt).toEqual(paris('2026-11-14T09:00'));
    // Tue 60 + Thu 480 + Fri 0 (09:00)
    expect(f.resolutionBusinessMinutes).toBe(540);
  });

  it('reads SLA outcomes, breaches, escalations, duplicates and circuits with their steps', () => {
    const f = ticketFacts(
      input(
        [
          { kind: 'workflow_started', at: paris('2026-11-12T09:00'), data: { definitionCode: 'c', step: null, to: 'draft' } },
          { kind: 'draft_submitted', at: paris('2026-11-12T10:00'), data: { definitionCode: 'c', step: 'draft', to: 'head' } },
          { kind: 'workflow_step', at: paris('2026-11-13T10:00'), data: { definitionCode: 'c', step: 'head', to: 'done' } },
          { kind: 'workflow_finished', at: paris('2026-11-13T10:00'), data: { definitionCode: 'c' } },
          { kind: 'sla_escalated', at: paris('2026-11-13T10:00'), data: {} },
        ],
        {
          status: 'open',
          masterTicketId: 'm',
          clocks: [
            { target: 'firstResponse', breached: false, stoppedAt: paris('2026-11-12T10:00'), stopReason: 'met' },
            { target: 'resolution', breached: true, stoppedAt: null, stopReason: null },
            { target: 'step:head', breached: true, stoppedAt: paris('2026-11-13T10:00'), stopReason: 'met' },
          ],
        },
      ),
    );
    expect(f.slaFirstResponse).toBe('met');
    expect(f.slaResolution).toBeNull(); // still running: not finished, not in a rate
    expect(f.breaches).toBe(2);
    expect(f.escalations).toBe(1);
    expect(f.duplicate).toBe(true);
    expect(f.circuit).toBe(true);
    expect(f.steps.map((s) => [s.step, s.businessMinutes, s.calendarMinutes])).toEqual([
      ['draft', 60, 60],
      ['head', 480, 24 * 60],
    ]);
  });

  it('finds the area of a position', () => {
    const areas = [
      {
        name: 'centre',
        polygon: [
          [0, 0],
          [0, 1],
          [1, 1],
          [1, 0],
        ] as Array<[number, number]>,
      },
    ];
    expect(areaOf(0.5, 0.5, areas)).toBe('centre');
    expect(areaOf(5, 5, areas)).toBeNull();
    expect(areaOf(null, null, areas)).toBeNull();
  });
});

describe('figures: statistics', () => {
  it('interpolates percentiles like percentile_cont', () => {
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBeCloseTo(9.1, 10);
    expect(percentile([], 0.5)).toBeNull();
    expect(median([7])).toBe(7);
    expect(ratio(1, 0)).toBeNull();
    expect(change(12, 10)).toBeCloseTo(0.2, 10);
    expect(change(3, 0)).toBeNull();
  });
});

describe('figures: periods', () => {
  it('validates, compares with the previous period and maps to instants', () => {
    expect(periodErrors('2026-02-30', '2026-03-01').map((e) => e.code)).toEqual(['period.invalid_date']);
    expect(periodErrors('2026-03-02', '2026-03-01').map((e) => [e.field, e.code])).toEqual([['to', 'period.reversed']]);
    expect(periodErrors('2020-01-01', '2026-01-01').map((e) => e.code)).toEqual(['period.too_long']);
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-31' })).toEqual({ from: '2026-01-29', to: '2026-02-28' });
    const { start, end } = periodInstants({ from: '2026-03-29', to: '2026-03-29' }, 'Europe/Paris');
    expect(start.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(end.toISOString()).toBe('2026-03-29T22:00:00.000Z'); // the DST day lasts 23 h
    expect(monthPeriod('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(monthsEndingAt('2026-02-10', 3)).toEqual(['2025-12', '2026-01', '2026-02']);
  });
});

describe('figures: open data', () => {
  const key = (department: string, over: Partial<OpenDataKey> = {}): OpenDataKey => ({
    department,
    category: 'cat',
    channel: 'web',
    area: null,
    ...over,
  });
  /** n requests received and resolved in the month in `days` each, their SLA met */
  const done = (department: string, n: number, days = 2): { counts: OpenDataCounts; delays: OpenDataDelays } => ({
    counts: { ...key(department), received: n, resolved: n, settled: n, slaMet: n, slaTotal: n },
    delays: { ...key(department), days: Array.from({ length: n }, () => days) },
  });
  const month = (backlog: OpenDataBacklog[], parts: Array<{ counts: OpenDataCounts; delays?: OpenDataDelays }>, threshold = 5) =>
    openDataMonth(
      '2026-10',
      backlog,
      parts.map((p) => p.counts),
      parts.flatMap((p) => (p.delays ? [p.delays] : [])),
      threshold,
    );
  const open = (department: string, n: number): { counts: OpenDataCounts } => ({
    counts: { ...key(department), received: n, resolved: 0, settled: 0, slaMet: 0, slaTotal: 0 },
  });

  it('publishes cells at or over the threshold and merges the small ones into "autres"', () => {
    const { rows, barometer } = month([], [done('voirie', 5), done('ev', 3), open('urba', 2)]);
    expect(rows.map((r) => [r.service, r.demandes_recues, r.stock_fin_de_mois, r.secret_statistique])).toEqual([
      ['voirie', 5, 0, false],
      [OPEN_DATA_OTHERS, 5, 2, false],
    ]);
    // no published cell counts fewer requests than the threshold
    expect(
      rows.every(
        (r) => r.secret_statistique || (r.demandes_recues ?? 0) + (r.stock_fin_de_mois ?? 0) >= 5 || (r.demandes_resolues ?? 0) >= 5,
      ),
    ).toBe(true);
    expect(rows[1].delai_resolution_median_jours).toBe(2);
    expect(rows[1].taux_respect_delai).toBe(1);
    expect(barometer).toEqual(
      expect.objectContaining({
        received: 10,
        resolved: 8,
        backlog: 2,
        resolutionDaysMedian: 2,
        slaResolutionMetRate: 1,
        suppressed: false,
      }),
    );
  });

  it('blanks "autres" when even merged it is under the threshold, and the baromètre of a month under it', () => {
    const { rows } = month([], [done('voirie', 6), done('ev', 1), done('urba', 1)]);
    expect(rows[1]).toEqual(
      expect.objectContaining({ service: OPEN_DATA_OTHERS, demandes_recues: null, taux_respect_delai: null, secret_statistique: true }),
    );
    const small = month([], [done('voirie', 2), done('ev', 2)]);
    expect(small.rows).toEqual([expect.objectContaining({ service: OPEN_DATA_OTHERS, secret_statistique: true })]);
    expect(small.barometer).toEqual(expect.objectContaining({ received: null, backlog: null, suppressed: true }));
  });

  it('counts the backlog at the start among the requests, and rolls it on to the next month', () => {
    // 3 open at the start of October (one of them resolved in it after 59 days), 4 received and resolved in it,
    // 1 received in it and still open at its end
    const backlog = [{ ...key('voirie'), open: 3 }];
    const oct = month(backlog, [
      {
        counts: { ...key('voirie'), received: 5, resolved: 5, settled: 5, slaMet: 4, slaTotal: 5 },
        delays: { ...key('voirie'), days: [1, 2, 2, 3, 59] },
      },
    ]);
    expect(oct.rows).toEqual([
      expect.objectContaining({
        service: 'voirie',
        demandes_recues: 5,
        demandes_resolues: 5,
        stock_fin_de_mois: 3,
        delai_resolution_median_jours: 2,
        delai_resolution_p90_jours: 36.6,
        taux_respect_delai: 0.8,
      }),
    ]);
    expect(oct.backlog).toEqual([{ ...key('voirie'), open: 3 }]);
    // November: nothing received nor resolved, the 3 still open count (under the threshold: merged, blanked)
    const nov = openDataMonth('2026-11', oct.backlog, [], [], 5);
    expect(nov.rows).toEqual([expect.objectContaining({ service: OPEN_DATA_OTHERS, secret_statistique: true })]);
    expect(openDataMonth('2026-11', oct.backlog, [], [], 3).rows).toEqual([
      expect.objectContaining({ service: 'voirie', demandes_recues: 0, stock_fin_de_mois: 3, delai_resolution_median_jours: null }),
    ]);
    // a cell whose backlog is gone is not carried on
    const dec = openDataMonth(
      '2026-12',
      nov.backlog,
      [{ ...key('voirie'), received: 0, resolved: 3, settled: 3, slaMet: 0, slaTotal: 0 }],
      [],
      3,
    );
    expect(dec.backlog).toEqual([]);
  });
});
