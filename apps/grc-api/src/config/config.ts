import { join, resolve } from 'node:path';
import { DEFAULT_LOGIN_THROTTLE, DEFAULT_TRACKING_TTL_DAYS, type LoginThrottlePolicy } from '@grc/domain';
import { parseTrustProxy, type TrustProxy } from './trust-proxy';

/** Which processes this build runs as: HTTP, BullMQ worker, or both (quick start). */
export type ProcessRole = 'api' | 'worker' | 'all';

/** The attachment stores this build knows (modules/tickets/attachment-store.ts). */
export const ATTACHMENT_STORES = ['filesystem'] as const;
export type AttachmentStoreKind = (typeof ATTACHMENT_STORES)[number];

function attachmentStore(v: string | undefined): AttachmentStoreKind {
  const kind = (v ?? '').trim() || 'filesystem';
  if (!(ATTACHMENT_STORES as readonly string[]).includes(kind))
    throw new Error(`GRC_ATTACHMENT_STORE must be one of ${ATTACHMENT_STORES.join(', ')} (got "${kind}")`);
  return kind as AttachmentStoreKind;
}

export interface GrcConfig {
  port: number;
  role: ProcessRole;
  databaseUrl: string;
  /** the schema owner's connection, for migrations and pack loading (GRC_MIGRATE_DATABASE_URL, default DATABASE_URL) */
  migrateDatabaseUrl: string;
  /** the role the app's connections take (GRC_DB_ROLE, default grc_app; `none`: the login user's own rights) */
  dbRole: string | null;
  redisUrl: string;
  /** where uploads are stored (attachments) */
  dataDir: string;
  /** which AttachmentStore keeps the attachments' bytes (GRC_ATTACHMENT_STORE; only `filesystem`, under dataDir, for now) */
  attachmentStore: AttachmentStoreKind;
  /** built console served on the same port; absent in API-only deployments */
  webDist: string;
  /** Secure cookies behind TLS; off for http://localhost */
  secureCookies: boolean;
  /** failed logins: per account (doubling locks) and per IP (successes never count) */
  loginThrottle: { account: LoginThrottlePolicy; ipFailures: { points: number; windowSeconds: number } };
  /** which proxies in front of the app are believed about the client's address (X-Forwarded-For) */
  trustProxy: TrustProxy;
  maxUploadBytes: number;
  /** prefix of every Redis key (queues, rate limits): lets tests and several towns share one Redis */
  queuePrefix: string;
  /** days a citizen's tracking link keeps working after the request is resolved or closed; 0: forever */
  trackingTtlDays: number;
  /** Prometheus' /metrics and the probes on a port of their own (GRC_METRICS_PORT; null: not served), behind a bearer token when GRC_METRICS_TOKEN is set */
  metrics: { port: number | null; host: string; token: string | null };
}

const int = (v: string | undefined, fallback: number): number => {
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
};

function dbRole(v: string | undefined): string | null {
  const role = (v ?? 'grc_app').trim();
  if (role === 'none' || role === '') return null;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role))
    throw new Error(`GRC_DB_ROLE must be a role name (lower case, digits, _) or none (got "${role}")`);
  return role;
}

function metricsPort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`GRC_METRICS_PORT must be a port number (got "${v}")`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GrcConfig {
  const role = (env['GRC_ROLE'] ?? 'all') as ProcessRole;
  if (!['api', 'worker', 'all'].includes(role)) throw new Error(`GRC_ROLE must be api, worker or all (got "${role}")`);
  const root = resolve(env['GRC_ROOT'] ?? process.cwd());
  return {
    port: int(env['PORT'], 3000),
    role,
    databaseUrl: env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/grc',
    migrateDatabaseUrl: env['GRC_MIGRATE_DATABASE_URL'] || (env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/grc'),
    dbRole: dbRole(env['GRC_DB_ROLE']),
    redisUrl: env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    dataDir: resolve(env['GRC_DATA_DIR'] ?? join(root, '.data')),
    attachmentStore: attachmentStore(env['GRC_ATTACHMENT_STORE']),
    webDist: resolve(env['GRC_WEB_DIST'] ?? join(root, 'dist/apps/grc-web/browser')),
    secureCookies: env['GRC_SECURE_COOKIES'] === 'true',
    loginThrottle: {
      account: {
        allowedFailures: Math.max(1, int(env['GRC_LOGIN_ACCOUNT_FAILURES'], DEFAULT_LOGIN_THROTTLE.allowedFailures)),
        baseLockSeconds: Math.max(1, int(env['GRC_LOGIN_LOCK_SECONDS'], DEFAULT_LOGIN_THROTTLE.baseLockSeconds)),
        maxLockSeconds: Math.max(1, int(env['GRC_LOGIN_MAX_LOCK_SECONDS'], DEFAULT_LOGIN_THROTTLE.maxLockSeconds)),
      },
      // sized for a town hall behind one address: 200 agents, many mistyping once
      ipFailures: {
        points: Math.max(1, int(env['GRC_LOGIN_IP_FAILURES'], 200)),
        windowSeconds: Math.max(1, int(env['GRC_LOGIN_IP_WINDOW_SECONDS'], 900)),
      },
    },
    trustProxy: parseTrustProxy(env['GRC_TRUST_PROXY']),
    maxUploadBytes: int(env['GRC_MAX_UPLOAD_BYTES'], 10 * 1024 * 1024),
    queuePrefix: env['GRC_QUEUE_PREFIX'] ?? 'grc',
    trackingTtlDays: int(env['GRC_TRACKING_TTL_DAYS'], DEFAULT_TRACKING_TTL_DAYS),
    metrics: {
      port: env['GRC_METRICS_PORT'] ? metricsPort(env['GRC_METRICS_PORT']) : null,
      host: env['GRC_METRICS_HOST'] || '0.0.0.0',
      token: env['GRC_METRICS_TOKEN'] || null,
    },
  };
}

export const GRC_CONFIG = Symbol('GRC_CONFIG');
