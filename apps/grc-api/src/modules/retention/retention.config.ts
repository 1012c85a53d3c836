import { readEnvironment } from '../../config/environment';

/** Retention job and purges, read from the environment (docs/configuration.md); refused at start when out of range. */
export interface RetentionConfig {
  /** how often the worker runs the retention rules and the purges; 0: never on its own */
  everyMinutes: number;
  /** requests per transaction (short transactions, no long lock) */
  batchSize: number;
  /** batches run side by side (each its own transaction and connection) */
  concurrency: number;
  /** days a sent e-mail keeps its body in the outbox (the row, dates and status stay) */
  outboxBodyDays: number;
  /** days a quarantined e-mail is kept for an administrator to look at */
  quarantineDays: number;
  /** months the IP address of a login (success or failure) is kept in the audit trail (CNIL: 6 months to 1 year) */
  loginIpMonths: number;
  /** days an expired session row is kept (0: removed as soon as it expired) */
  expiredSessionDays: number;
}

export const RETENTION_CONFIG = Symbol('RETENTION_CONFIG');

export function loadRetentionConfig(env: NodeJS.ProcessEnv = process.env): RetentionConfig {
  const e = readEnvironment(env);
  return {
    everyMinutes: e.GRC_RETENTION_EVERY_MINUTES,
    batchSize: e.GRC_RETENTION_BATCH,
    concurrency: e.GRC_RETENTION_CONCURRENCY,
    outboxBodyDays: e.GRC_PURGE_OUTBOX_BODY_DAYS,
    quarantineDays: e.GRC_PURGE_QUARANTINE_DAYS,
    loginIpMonths: e.GRC_PURGE_LOGIN_IP_MONTHS,
    expiredSessionDays: e.GRC_PURGE_SESSIONS_DAYS,
  };
}
