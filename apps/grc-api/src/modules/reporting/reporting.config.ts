/** The figures' jobs, read from the environment (docs/configuration.md); refused at start when out of range. */
export interface ReportingConfig {
  /** how often the worker folds the changed requests into the rollup; 0: never on its own */
  refreshSeconds: number;
  /** requests per refresh transaction */
  batchSize: number;
  /** how often the worker regenerates the open data files; 0: never on its own */
  openDataHours: number;
}

export const REPORTING_CONFIG = Symbol('REPORTING_CONFIG');

function bounded(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return n;
}

export function loadReportingConfig(env: NodeJS.ProcessEnv = process.env): ReportingConfig {
  return {
    refreshSeconds: bounded(env, 'GRC_REPORTING_REFRESH_SECONDS', 10, 0, 86_400),
    batchSize: bounded(env, 'GRC_REPORTING_BATCH', 500, 1, 10_000),
    openDataHours: bounded(env, 'GRC_OPEN_DATA_EVERY_HOURS', 24, 0, 24 * 31),
  };
}
