import type { ProcessRole } from './config';
import { readEnvironment } from './environment';

/** Connections the HTTP side needs under the measured load (bench/README.md: 8 clients creating tickets). */
const API_POOL = 20;

/**
 * Concurrent timer firings per worker (GRC_TIMERS_CONCURRENCY, default 48): 48 kept the p99 lag under
 * 1 s for 555 timers/s on 2 shared cores (docs/sla.md). Each firing holds a connection for its transaction.
 */
export function timersConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  return readEnvironment(env).GRC_TIMERS_CONCURRENCY;
}

/**
 * PostgreSQL pool size (GRC_DB_POOL, or by role): the worker needs one connection per concurrent firing
 * plus a few for the reconciler and the other queues, or firings queue for a connection and fire late.
 * node-postgres opens connections on demand: an idle process holds few.
 */
export function dbPoolSize(role: ProcessRole, env: NodeJS.ProcessEnv = process.env): number {
  const explicit = readEnvironment(env).GRC_DB_POOL;
  if (explicit !== undefined) return explicit;
  const worker = timersConcurrency(env) + 12;
  return role === 'api' ? API_POOL : role === 'worker' ? worker : API_POOL + worker;
}
