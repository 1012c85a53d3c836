/**
 * Duration histograms of the monthly cube (`report_cube_durations`): the dashboards' medians and p90 come
 * from fixed log-spaced buckets instead of sorting every request's duration at each view.
 *
 * The scheme, in minutes (calendar days are bucketed as days × 1,440 minutes):
 * - bucket 0: [0, 1 minute);
 * - bucket i (1 ≤ i < DURATION_BUCKET_COUNT − 1): [2^((i−1)/8), 2^(i/8)) minutes — eight buckets per doubling,
 *   each 9.05 % wide;
 * - the last bucket: 2^((N−2)/8) minutes (about 32 years) and more.
 *
 * A duration stands for its bucket's geometric middle (bucket 0: 0). The percentile is then PostgreSQL's
 * `percentile_cont` (linear interpolation between closest ranks, as `stats.ts`) over these stand-ins. Each
 * stand-in is within a factor 2^(1/16) (4.4 %) of the duration it replaces, and a linear interpolation of
 * positive values keeps that bound, so a figure is **within 4.5 % of the exact percentile, plus at most one
 * minute** (durations under a minute count as 0). Counts are exact; only the medians and p90 are approximate.
 */

/** buckets per doubling of the duration */
export const DURATION_BUCKETS_PER_DOUBLING = 8;
/** 0, 24 doublings × 8 from 1 minute, and the open last one */
export const DURATION_BUCKET_COUNT = 1 + 24 * DURATION_BUCKETS_PER_DOUBLING + 1;
/** the bound the definitions state: |estimate − exact| ≤ 4.5 % of the exact value + 1 minute */
export const DURATION_PRECISION = 0.045;
export const MINUTES_PER_DAY = 1440;

/** The measures the cube keeps a histogram of (the value of `report_cube_durations.measure`). */
export const DURATION_MEASURES = {
  first_response_business: 1,
  first_response_days: 2,
  resolution_business: 3,
  resolution_days: 4,
} as const;
export type DurationMeasure = keyof typeof DURATION_MEASURES;

/** The bucket of a duration in minutes (negative or not finite: 0). */
export function durationBucket(minutes: number): number {
  if (!(minutes >= 1)) return 0;
  const i = 1 + Math.floor(Math.log2(minutes) * DURATION_BUCKETS_PER_DOUBLING);
  return Math.min(i, DURATION_BUCKET_COUNT - 1);
}

/**
 * The same bucket as a SQL expression over a double precision expression in minutes (the cube's
 * maintenance and the partial months read from the facts use it; fixed text, no parameter).
 */
export function durationBucketSql(minutesExpr: string): string {
  const k = DURATION_BUCKETS_PER_DOUBLING;
  return `(CASE WHEN (${minutesExpr}) >= 1 THEN least(${DURATION_BUCKET_COUNT - 1}, 1 + floor(ln(${minutesExpr}) / ln(2.0) * ${k}))::int ELSE 0 END)`;
}

/** The lower bound of a bucket in minutes. */
export const bucketLow = (i: number): number => (i <= 0 ? 0 : 2 ** ((i - 1) / DURATION_BUCKETS_PER_DOUBLING));

/** The duration (minutes) a bucket stands for: its geometric middle; bucket 0: 0. */
export function bucketValue(i: number): number {
  if (i <= 0) return 0;
  return 2 ** ((i - 0.5) / DURATION_BUCKETS_PER_DOUBLING);
}

/** A histogram: count per bucket (sparse). */
export type Histogram = ReadonlyMap<number, number>;

/** Adds `more` into `into` (in place) and returns it. */
export function mergeHistogram(into: Map<number, number>, more: Iterable<readonly [number, number]>): Map<number, number> {
  for (const [b, n] of more) if (n) into.set(b, (into.get(b) ?? 0) + n);
  return into;
}

/** The histogram of durations in minutes. */
export function histogramOf(minutes: readonly number[]): Map<number, number> {
  const h = new Map<number, number>();
  for (const v of minutes) if (Number.isFinite(v)) h.set(durationBucket(v), (h.get(durationBucket(v)) ?? 0) + 1);
  return h;
}

/**
 * The p-th percentile (0 ≤ p ≤ 1) in minutes from a histogram: `percentile_cont` over the buckets'
 * stand-ins (see the header for the precision); null when empty.
 */
export function percentileFromHistogram(h: Histogram, p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile ${p} outside [0, 1]`);
  const buckets = [...h.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const pos = p * (total - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  // the stand-in of the value at 0-based rank r
  const at = (r: number): number => {
    let seen = 0;
    for (const [b, n] of buckets) {
      seen += n;
      if (r < seen) return bucketValue(b);
    }
    return bucketValue(buckets[buckets.length - 1][0]);
  };
  const a = at(lo);
  const b = hi === lo ? a : at(hi);
  return a + (b - a) * (pos - lo);
}
