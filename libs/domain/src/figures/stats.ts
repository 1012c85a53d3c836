/**
 * Percentiles by linear interpolation between closest ranks — exactly PostgreSQL's `percentile_cont`,
 * so that a figure computed here (open data, tests) and one computed in SQL (dashboards) agree.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile ${p} outside [0, 1]`);
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const pos = p * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

export const median = (values: readonly number[]): number | null => percentile(values, 0.5);
export const p90 = (values: readonly number[]): number | null => percentile(values, 0.9);

/** a / b, null when nothing was counted (a rate of 0 requests is not 0 %). */
export const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** Relative change from the previous period (null when the previous value is 0 or absent). */
export const change = (current: number | null, previous: number | null): number | null =>
  current === null || previous === null || previous === 0 ? null : (current - previous) / previous;
