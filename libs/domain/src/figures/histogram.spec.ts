import {
  bucketLow,
  bucketValue,
  DURATION_BUCKET_COUNT,
  DURATION_PRECISION,
  durationBucket,
  histogramOf,
  mergeHistogram,
  percentileFromHistogram,
} from './histogram';
import { backlogPlan, cubePlan } from './periods';
import { percentile } from './stats';

/** a deterministic pseudo-random sequence (no flaky test) */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('figures: duration histograms', () => {
  it('puts a duration in the bucket whose bounds hold it', () => {
    expect(durationBucket(0)).toBe(0);
    expect(durationBucket(0.99)).toBe(0);
    expect(durationBucket(-5)).toBe(0);
    expect(durationBucket(Number.NaN)).toBe(0);
    expect(durationBucket(1)).toBe(1);
    expect(durationBucket(2)).toBe(9);
    expect(durationBucket(1e12)).toBe(DURATION_BUCKET_COUNT - 1);
    for (const v of [1.5, 7, 59.9, 60, 480, 1440, 10_000, 525_600]) {
      const b = durationBucket(v);
      expect(bucketLow(b)).toBeLessThanOrEqual(v);
      expect(v).toBeLessThan(bucketLow(b + 1));
      expect(Math.abs(bucketValue(b) - v) / v).toBeLessThan(DURATION_PRECISION);
    }
  });

  it('gives no percentile of nothing, and refuses p outside [0, 1]', () => {
    expect(percentileFromHistogram(new Map(), 0.5)).toBeNull();
    expect(() => percentileFromHistogram(new Map([[3, 1]]), 1.5)).toThrow(RangeError);
  });

  it('stays within the stated precision of the exact percentile (percentile_cont) on skewed samples', () => {
    const rnd = lcg(11);
    for (let run = 0; run < 50; run++) {
      const n = 1 + Math.floor(rnd() * 400);
      // log-normal-ish durations from seconds to months, some zeros (answered at once)
      const values = Array.from({ length: n }, () => (rnd() < 0.05 ? 0 : Math.exp(rnd() * 14 - 2)));
      const h = histogramOf(values);
      for (const p of [0, 0.5, 0.9, 1]) {
        const exact = percentile(values, p) as number;
        const approx = percentileFromHistogram(h, p) as number;
        expect(Math.abs(approx - exact)).toBeLessThanOrEqual(exact * DURATION_PRECISION + 1);
      }
    }
  });

  it('merges histograms (a period made of months and partial edges) as if counted at once', () => {
    const a = [3, 10, 10, 250, 9000];
    const b = [0, 45, 46, 700];
    const merged = mergeHistogram(histogramOf(a), histogramOf(b));
    expect(percentileFromHistogram(merged, 0.5)).toBe(percentileFromHistogram(histogramOf([...a, ...b]), 0.5));
    expect([...merged.values()].reduce((s, n) => s + n, 0)).toBe(9);
  });
});

describe('figures: how a period is read (the cube’s months, the facts’ days)', () => {
  const TODAY = '2026-12-04';
  const plus = (from: string, to: string) => ({ period: { from, to }, sign: 1 });
  const minus = (from: string, to: string) => ({ period: { from, to }, sign: -1 });

  it('reads whole months from the cube, and a partial month by its days when they are the fewer', () => {
    expect(cubePlan({ from: '2026-01-20', to: '2026-04-10' }, TODAY)).toEqual({
      months: { from: '2026-02', to: '2026-03' },
      days: [plus('2026-01-20', '2026-01-31'), plus('2026-04-01', '2026-04-10')],
    });
    expect(cubePlan({ from: '2026-01-01', to: '2026-12-31' }, TODAY)).toEqual({ months: { from: '2026-01', to: '2026-12' }, days: [] });
    expect(cubePlan({ from: '2024-02-01', to: '2024-02-29' }, TODAY)).toEqual({ months: { from: '2024-02', to: '2024-02' }, days: [] });
    expect(cubePlan({ from: '2026-11-03', to: '2026-11-12' }, TODAY)).toEqual({ months: null, days: [plus('2026-11-03', '2026-11-12')] });
  });

  it('reads a month covered but for a few days as the whole month less those days', () => {
    // 18 days of November in, 12 out: November less its 1st–9th and 28th–30th
    expect(cubePlan({ from: '2025-11-10', to: '2025-11-27' }, TODAY)).toEqual({
      months: { from: '2025-11', to: '2025-11' },
      days: [minus('2025-11-01', '2025-11-09'), minus('2025-11-28', '2025-11-30')],
    });
    expect(cubePlan({ from: '2026-01-04', to: '2026-04-28' }, TODAY)).toEqual({
      months: { from: '2026-01', to: '2026-04' },
      days: [minus('2026-01-01', '2026-01-03'), minus('2026-04-29', '2026-04-30')],
    });
    // as many days out as in: the days in (the facts alone)
    expect(cubePlan({ from: '2026-04-16', to: '2026-04-30' }, TODAY).days).toEqual([plus('2026-04-16', '2026-04-30')]);
  });

  it('counts the days to come for nothing: a year to today reads thirteen months less a few days', () => {
    expect(cubePlan({ from: '2025-12-05', to: '2026-12-04' }, TODAY)).toEqual({
      months: { from: '2025-12', to: '2026-12' },
      days: [minus('2025-12-01', '2025-12-04')],
    });
    // to yesterday: today is the one day left out of December
    expect(cubePlan({ from: '2025-12-04', to: '2026-12-03' }, TODAY)).toEqual({
      months: { from: '2025-12', to: '2026-12' },
      days: [minus('2025-12-01', '2025-12-03'), minus('2026-12-04', '2026-12-31')],
    });
    // December's first days to the 2nd: 2 days in, 2 days out so far — the days in
    expect(cubePlan({ from: '2026-11-01', to: '2026-12-02' }, TODAY)).toEqual({
      months: { from: '2026-11', to: '2026-11' },
      days: [plus('2026-12-01', '2026-12-02')],
    });
  });

  it('reads the backlog at a day’s end from the nearer month start', () => {
    expect(backlogPlan('2026-11-30', TODAY)).toEqual({ month: '2026-12-01', days: null });
    expect(backlogPlan('2026-11-27', TODAY)).toEqual({ month: '2026-12-01', days: minus('2026-11-28', '2026-11-30') });
    expect(backlogPlan('2026-11-10', TODAY)).toEqual({ month: '2026-11-01', days: plus('2026-11-01', '2026-11-10') });
    // today: the rest of the month has not happened
    expect(backlogPlan('2026-12-04', TODAY)).toEqual({ month: '2027-01-01', days: minus('2026-12-05', '2026-12-31') });
    expect(backlogPlan('2026-12-02', TODAY)).toEqual({ month: '2026-12-01', days: plus('2026-12-01', '2026-12-02') });
  });
});
