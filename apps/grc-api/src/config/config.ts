import { join, resolve } from 'node:path';
import type { LoginThrottlePolicy } from '@grc/domain';
import { loadMapTiles, type MapTilesConfig } from '../modules/places/map-tiles.config';
import { readEnvironment } from './environment';
import type { TrustProxy } from './trust-proxy';

/** Which processes this build runs as: HTTP, BullMQ worker, or both (quick start). */
export type ProcessRole = 'api' | 'worker' | 'all';

/** The attachment stores this build knows (modules/tickets/attachment-store.ts). */
export const ATTACHMENT_STORES = ['filesystem'] as const;
export type AttachmentStoreKind = (typeof ATTACHMENT_STORES)[number];

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
  /** hours a sign-in link of `grc create-admin` works (GRC_SIGN_IN_LINK_HOURS) */
  signInLinkHours: number;
  /** the town's public address (PUBLIC_URL, no trailing slash), null when unset */
  publicUrl: string | null;
  maxUploadBytes: number;
  /** prefix of every Redis key (queues, rate limits): lets tests and several towns share one Redis */
  queuePrefix: string;
  /** days a citizen's tracking link keeps working after the request is resolved or closed; 0: forever */
  trackingTtlDays: number;
  /** the map's tile source (GRC_MAP_TILES_URL…, modules/places); null: no map */
  mapTiles: MapTilesConfig | null;
  /** Prometheus' /metrics and the probes on a port of their own (GRC_METRICS_PORT; null: not served), behind a bearer token when GRC_METRICS_TOKEN is set */
  metrics: { port: number | null; host: string; token: string | null };
  /** processes sharing the HTTP port under node:cluster (GRC_API_WORKERS, `grc serve`, roles api and all) */
  apiWorkers: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GrcConfig {
  const e = readEnvironment(env);
  const root = resolve(e.GRC_ROOT ?? process.cwd());
  return {
    port: e.PORT,
    role: e.GRC_ROLE,
    databaseUrl: e.DATABASE_URL,
    migrateDatabaseUrl: e.GRC_MIGRATE_DATABASE_URL ?? e.DATABASE_URL,
    dbRole: e.GRC_DB_ROLE === 'none' ? null : e.GRC_DB_ROLE,
    redisUrl: e.REDIS_URL,
    dataDir: resolve(e.GRC_DATA_DIR ?? join(root, '.data')),
    attachmentStore: e.GRC_ATTACHMENT_STORE,
    webDist: resolve(e.GRC_WEB_DIST ?? join(root, 'dist/apps/grc-web/browser')),
    secureCookies: e.GRC_SECURE_COOKIES,
    loginThrottle: {
      account: {
        allowedFailures: e.GRC_LOGIN_ACCOUNT_FAILURES,
        baseLockSeconds: e.GRC_LOGIN_LOCK_SECONDS,
        maxLockSeconds: e.GRC_LOGIN_MAX_LOCK_SECONDS,
      },
      // sized for a town hall behind one address: 200 agents, many mistyping once
      ipFailures: { points: e.GRC_LOGIN_IP_FAILURES, windowSeconds: e.GRC_LOGIN_IP_WINDOW_SECONDS },
    },
    trustProxy: e.GRC_TRUST_PROXY,
    signInLinkHours: e.GRC_SIGN_IN_LINK_HOURS,
    publicUrl: e.PUBLIC_URL ? String(e.PUBLIC_URL).replace(/\/+$/, '') : null,
    maxUploadBytes: e.GRC_MAX_UPLOAD_BYTES,
    queuePrefix: e.GRC_QUEUE_PREFIX,
    trackingTtlDays: e.GRC_TRACKING_TTL_DAYS,
    mapTiles: loadMapTiles(env),
    metrics: { port: e.GRC_METRICS_PORT ?? null, host: e.GRC_METRICS_HOST, token: e.GRC_METRICS_TOKEN ?? null },
    apiWorkers: e.GRC_API_WORKERS,
  };
}

export const GRC_CONFIG = Symbol('GRC_CONFIG');
