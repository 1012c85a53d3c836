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
import { monthSplit } from './periods';
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

describe('figures: a period split into whole months and edges', () => {
  it('keeps whole months for the cube and the partial days at both ends for the facts', () => {
    expect(monthSplit({ from: '2026-01-15', to: '2026-04-10' })).toEqual({
      head: { from: '2026-01-15', to: '2026-01-31' },
      months: { from: '2026-02', to: '2026-03' },
      tail: { from: '2026-04-01', to: '2026-04-10' },
    });
    expect(monthSplit({ from: '2026-01-01', to: '2026-12-31' })).toEqual({
      head: null,
      months: { from: '2026-01', to: '2026-12' },
      tail: null,
    });
    // no whole month inside: all from the facts
    expect(monthSplit({ from: '2026-11-03', to: '2026-12-02' })).toEqual({
      head: { from: '2026-11-03', to: '2026-12-02' },
      months: null,
      tail: null,
    });
    expect(monthSplit({ from: '2026-11-03', to: '2026-11-20' })).toEqual({
      head: { from: '2026-11-03', to: '2026-11-20' },
      months: null,
      tail: null,
    });
    expect(monthSplit({ from: '2024-02-01', to: '2024-02-29' })).toEqual({
      head: null,
      months: { from: '2024-02', to: '2024-02' },
      tail: null,
    });
  });
});
