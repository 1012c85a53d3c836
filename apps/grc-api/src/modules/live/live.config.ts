/** Live updates (server-sent events) and presence, read from the environment (docs/live.md); refused at start when out of range. */
export interface LiveConfig {
  /** entries kept in the event log (Redis stream, trimmed approximately): how far back a reconnection replays */
  logLength: number;
  /** SSE connections one API process serves; beyond, the stream is refused (503) and the console polls */
  maxClients: number;
  /** a connection ends after this long (the console reconnects with Last-Event-ID: the session is checked again) */
  maxAgeSeconds: number;
  /** comment line sent to keep proxies from closing a quiet stream */
  heartbeatSeconds: number;
  /** a presence entry lives this long without a heartbeat */
  presenceTtlSeconds: number;
}

export const LIVE_CONFIG = Symbol('LIVE_CONFIG');

function bounded(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return n;
}

export function loadLiveConfig(env: NodeJS.ProcessEnv = process.env): LiveConfig {
  return {
    logLength: bounded(env, 'GRC_LIVE_LOG_LENGTH', 10_000, 100, 1_000_000),
    maxClients: bounded(env, 'GRC_LIVE_MAX_CLIENTS', 2_000, 0, 100_000),
    maxAgeSeconds: bounded(env, 'GRC_LIVE_MAX_AGE_SECONDS', 900, 5, 86_400),
    heartbeatSeconds: bounded(env, 'GRC_LIVE_HEARTBEAT_SECONDS', 25, 1, 300),
    presenceTtlSeconds: bounded(env, 'GRC_PRESENCE_TTL_SECONDS', 45, 5, 3_600),
  };
}
