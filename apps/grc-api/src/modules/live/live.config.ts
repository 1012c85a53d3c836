import { readEnvironment } from '../../config/environment';

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

export function loadLiveConfig(env: NodeJS.ProcessEnv = process.env): LiveConfig {
  const e = readEnvironment(env);
  return {
    logLength: e.GRC_LIVE_LOG_LENGTH,
    maxClients: e.GRC_LIVE_MAX_CLIENTS,
    maxAgeSeconds: e.GRC_LIVE_MAX_AGE_SECONDS,
    heartbeatSeconds: e.GRC_LIVE_HEARTBEAT_SECONDS,
    presenceTtlSeconds: e.GRC_PRESENCE_TTL_SECONDS,
  };
}
