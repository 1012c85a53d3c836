import { readEnvironment } from '../../config/environment';

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

export function loadReportingConfig(env: NodeJS.ProcessEnv = process.env): ReportingConfig {
  const e = readEnvironment(env);
  return { refreshSeconds: e.GRC_REPORTING_REFRESH_SECONDS, batchSize: e.GRC_REPORTING_BATCH, openDataHours: e.GRC_OPEN_DATA_EVERY_HOURS };
}
