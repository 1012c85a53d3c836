import { join, resolve } from 'node:path';
import { DEFAULT_TRACKING_TTL_DAYS } from '@grc/domain';

/** Which processes this build runs as: HTTP, BullMQ worker, or both (quick start). */
export type ProcessRole = 'api' | 'worker' | 'all';

export interface GrcConfig {
  port: number;
  role: ProcessRole;
  databaseUrl: string;
  redisUrl: string;
  /** where uploads are stored (attachments) */
  dataDir: string;
  /** built console served on the same port; absent in API-only deployments */
  webDist: string;
  sessionTtlHours: number;
  /** Secure cookies behind TLS; off for http://localhost */
  secureCookies: boolean;
  /** login attempts per minute per IP and per e-mail */
  loginRateLimit: number;
  maxUploadBytes: number;
  /** prefix of every Redis key (queues, rate limits): lets tests and several towns share one Redis */
  queuePrefix: string;
  /** days a citizen's tracking link keeps working after the request is resolved or closed; 0: forever */
  trackingTtlDays: number;
}

const int = (v: string | undefined, fallback: number): number => {
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GrcConfig {
  const role = (env['GRC_ROLE'] ?? 'all') as ProcessRole;
  if (!['api', 'worker', 'all'].includes(role)) throw new Error(`GRC_ROLE must be api, worker or all (got "${role}")`);
  const root = resolve(env['GRC_ROOT'] ?? process.cwd());
  return {
    port: int(env['PORT'], 3000),
    role,
    databaseUrl: env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/grc',
    redisUrl: env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    dataDir: resolve(env['GRC_DATA_DIR'] ?? join(root, '.data')),
    webDist: resolve(env['GRC_WEB_DIST'] ?? join(root, 'dist/apps/grc-web/browser')),
    sessionTtlHours: int(env['GRC_SESSION_TTL_HOURS'], 12),
    secureCookies: env['GRC_SECURE_COOKIES'] === 'true',
    loginRateLimit: int(env['GRC_LOGIN_RATE_LIMIT'], 5),
    maxUploadBytes: int(env['GRC_MAX_UPLOAD_BYTES'], 10 * 1024 * 1024),
    queuePrefix: env['GRC_QUEUE_PREFIX'] ?? 'grc',
    trackingTtlDays: int(env['GRC_TRACKING_TTL_DAYS'], DEFAULT_TRACKING_TTL_DAYS),
  };
}

export const GRC_CONFIG = Symbol('GRC_CONFIG');
