/** Retention job and purges, read from the environment (docs/configuration.md); refused at start when out of range. */
export interface RetentionConfig {
  /** how often the worker runs the retention rules and the purges; 0: never on its own */
  everyMinutes: number;
  /** requests per transaction (short transactions, no long lock) */
  batchSize: number;
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

function bounded(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return n;
}

export function loadRetentionConfig(env: NodeJS.ProcessEnv = process.env): RetentionConfig {
  return {
    everyMinutes: bounded(env, 'GRC_RETENTION_EVERY_MINUTES', 60, 0, 10_080),
    batchSize: bounded(env, 'GRC_RETENTION_BATCH', 100, 1, 5_000),
    outboxBodyDays: bounded(env, 'GRC_PURGE_OUTBOX_BODY_DAYS', 90, 1, 3_650),
    quarantineDays: bounded(env, 'GRC_PURGE_QUARANTINE_DAYS', 30, 1, 365),
    loginIpMonths: bounded(env, 'GRC_PURGE_LOGIN_IP_MONTHS', 6, 1, 12),
    expiredSessionDays: bounded(env, 'GRC_PURGE_SESSIONS_DAYS', 0, 0, 90),
  };
}
