/**
 * THE configuration schema: every environment variable any GRC process reads (the API, the worker, the
 * CLI, `npm start`, the test harness), with its type, range, default and meaning. `readEnvironment` checks
 * all of them at once and refuses the process naming each variable at fault; `docs/configuration.md`'s
 * reference table is generated from this list (`npm run grc -- config doc`) and a spec fails when the code
 * reads a variable that is not here, or when the page is not what this list generates.
 */
import { z } from 'zod';
import { parseMailbox } from '@grc/domain';
import { parseTrustProxy } from './trust-proxy';

export type EnvGroup =
  | 'server'
  | 'database'
  | 'security'
  | 'login'
  | 'limits'
  | 'mail'
  | 'workers'
  | 'retention'
  | 'reporting'
  | 'live'
  | 'quick-start'
  | 'tests';

export const ENV_GROUPS: Record<EnvGroup, string> = {
  server: 'Server and processes',
  database: 'Database',
  security: 'Secrets, cookies and proxies',
  login: 'Login limits',
  limits: 'Public channels and uploads',
  mail: 'E-mail (docs/mail.md)',
  workers: 'Background jobs',
  retention: 'Retention and purges (docs/rgpd.md)',
  reporting: 'Figures and open data (docs/reporting.md)',
  live: 'Live updates and presence (docs/live.md)',
  'quick-start': '`npm start` only (scripts/start.mjs)',
  tests: 'Test harness only (never read by a deployed process)',
};

interface VarSpec<T> {
  group: EnvGroup;
  /** the schema: raw value (undefined when unset or blank) → typed value; a failure names the variable */
  schema: z.ZodType<T, z.ZodTypeDef, string | undefined>;
  /** the default as shown in the documentation (null: none) */
  default: string | null;
  doc: string;
  /** masked by `grc config check` */
  secret?: boolean;
}

const optionalText = () => z.string().trim().min(1).optional();
const text = (fallback: string) => z.string().trim().min(1).default(fallback);

/** A whole number in [min, max]; absent → fallback. */
function int(fallback: number, min: number, max: number): z.ZodType<number, z.ZodTypeDef, string | undefined> {
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z.number().int().min(min, `must be a whole number from ${min} to ${max}`).max(max, `must be a whole number from ${min} to ${max}`),
    )
    .optional()
    .transform((v) => v ?? fallback);
}
function optionalInt(min: number, max: number): z.ZodType<number | undefined, z.ZodTypeDef, string | undefined> {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z.number().int().min(min, `must be a whole number from ${min} to ${max}`).max(max, `must be a whole number from ${min} to ${max}`),
    )
    .optional();
}
function bool(fallback: boolean): z.ZodType<boolean, z.ZodTypeDef, string | undefined> {
  return z
    .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true'));
}
function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return z
    .enum(values, { errorMap: () => ({ message: `must be one of ${values.join(', ')}` }) })
    .optional()
    .transform((v) => v ?? fallback);
}
function url(protocols: readonly string[]) {
  return z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      `must be a URL (${protocols.map((p) => `${p}://`).join(', ')})`,
    )
    .optional();
}
const urlOr = (protocols: readonly string[], fallback: string) => url(protocols).transform((v) => v ?? fallback);

const DEFAULT_DB = 'postgres://postgres@127.0.0.1:5432/grc';
const MB = 1024 * 1024;

/** Every variable. Add one here (and run `npm run grc -- config doc`) before reading it anywhere. */
export const ENVIRONMENT = {
  // ---------------- server ----------------
  NODE_ENV: {
    group: 'server',
    schema: oneOf(['production', 'development', 'test'], 'development'),
    default: 'development',
    doc: 'set `production` on a server',
  },
  GRC_ROLE: {
    group: 'server',
    schema: oneOf(['api', 'worker', 'all'], 'all'),
    default: 'all',
    doc: '`api` (HTTP: REST API + console), `worker` (BullMQ jobs) or `all` (both in one process, fine for a small town)',
  },
  GRC_API_WORKERS: {
    group: 'server',
    schema: int(1, 1, 64),
    default: '1',
    doc: "`grc serve` in role `api` or `all`: the number of processes sharing the HTTP port (node:cluster; the primary restarts a process that dies and serves the processes' metrics summed on GRC_METRICS_PORT). 1: one process. On Kubernetes, keep 1 and scale the pods",
  },
  PORT: {
    group: 'server',
    schema: int(3000, 0, 65535),
    default: '3000',
    doc: 'HTTP port of the api role (console on `/`, API on `/api/v1`)',
  },
  HOST: { group: 'server', schema: text('0.0.0.0'), default: '0.0.0.0', doc: 'address the api role listens on' },
  PUBLIC_URL: {
    group: 'server',
    schema: url(['http', 'https']),
    default: null,
    doc: "the town's public address (`https://grc.ville-exemple.fr`): tracking links in e-mails, identity providers' redirect URIs (docs/sso.md). Required in production: without it they follow the request's `Host`",
  },
  GRC_ROOT: {
    group: 'server',
    schema: optionalText(),
    default: 'the working directory',
    doc: 'the installation folder; `GRC_DATA_DIR` and `GRC_WEB_DIST` default under it',
  },
  GRC_WEB_DIST: {
    group: 'server',
    schema: optionalText(),
    default: '`<GRC_ROOT>/dist/apps/grc-web/browser`',
    doc: 'the built console, served on the same port (absent: API only)',
  },
  GRC_DATA_DIR: {
    group: 'server',
    schema: optionalText(),
    default: '`<GRC_ROOT>/.data`',
    doc: 'attachments (and `secret.key` when `GRC_SECRET_KEY` is not set); writable, shared by api and worker, backed up with the database',
  },
  GRC_ATTACHMENT_STORE: {
    group: 'server',
    schema: oneOf(['filesystem'], 'filesystem'),
    default: 'filesystem',
    doc: "where attachments' bytes are kept: `filesystem` (under `GRC_DATA_DIR`) is the only store for now",
  },
  GRC_LOG_LEVEL: {
    group: 'server',
    schema: oneOf(['error', 'warn', 'log', 'debug', 'verbose'], 'log'),
    default: 'log',
    doc: "the server's log level; the `grc` commands other than `serve` log only errors unless `--verbose`",
  },
  GRC_QUEUE_PREFIX: {
    group: 'server',
    schema: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1 to 64 letters, digits, ":", "_" or "-"')
      .optional()
      .transform((v) => v ?? 'grc'),
    default: 'grc',
    doc: 'prefix of every Redis key (queues, rate limits): several towns (or test runs) can share one Redis, each with its own prefix',
  },
  GRC_METRICS_PORT: {
    group: 'server',
    schema: optionalInt(0, 65535),
    default: null,
    doc: "port of Prometheus' `/metrics` and the probes (`/livez`, `/readyz`), apart from the app's (docs/install.md#metrics; `0`: a free port, the tests); unset: not served",
  },
  GRC_METRICS_HOST: { group: 'server', schema: text('0.0.0.0'), default: '0.0.0.0', doc: 'address the metrics port listens on' },
  GRC_METRICS_TOKEN: {
    group: 'security',
    schema: optionalText(),
    default: null,
    doc: 'bearer token `/metrics` asks for (`Authorization: Bearer …`); unset: no token (keep the port private)',
    secret: true,
  },
  GRC_MAP_TILES_URL: {
    group: 'server',
    schema: optionalText(),
    default: null,
    doc: 'tile URL template of the maps (`https://…/{z}/{x}/{y}.png`, docs/places.md); unset: no map, no tile ever fetched',
  },
  GRC_MAP_TILES_ATTRIBUTION: {
    group: 'server',
    schema: optionalText(),
    default: null,
    doc: "the tiles' attribution as their licence asks (required with `GRC_MAP_TILES_URL`)",
  },
  GRC_MAP_MAX_ZOOM: { group: 'server', schema: int(19, 1, 22), default: '19', doc: "the tiles' highest zoom level" },
  // ---------------- database ----------------
  DATABASE_URL: {
    group: 'database',
    schema: urlOr(['postgres', 'postgresql'], DEFAULT_DB),
    default: DEFAULT_DB,
    doc: "the app's connection (URL-encode special characters of the password), as a login member of `GRC_DB_ROLE` (docs/install.md#database-roles)",
    secret: true,
  },
  GRC_MIGRATE_DATABASE_URL: {
    group: 'database',
    schema: url(['postgres', 'postgresql']),
    default: '`DATABASE_URL`',
    doc: "the schema owner's connection, used by `migrate`, `load-pack`, `create-admin` and `serve --migrate`",
    secret: true,
  },
  GRC_DB_ROLE: {
    group: 'database',
    schema: z
      .string()
      .trim()
      .regex(/^([a-z_][a-z0-9_]{0,62})$/, 'must be a role name (lower case, digits, _) or none')
      .optional()
      .transform((v) => (v === undefined ? 'grc_app' : v)),
    default: 'grc_app',
    doc: "the role every app connection takes (`-c role=…`); `none`: the login's own rights",
  },
  GRC_APP_DB_PASSWORD: {
    group: 'database',
    schema: optionalText(),
    default: null,
    doc: '`migrate` gives `GRC_DB_ROLE` this login password (Compose uses it)',
    secret: true,
  },
  GRC_DB_POOL: {
    group: 'database',
    schema: optionalInt(1, 1000),
    default: 'by role: api 20, worker `GRC_TIMERS_CONCURRENCY` + 12, all both',
    doc: "PostgreSQL connections per process (opened on demand); keep the sum under the server's `max_connections`",
  },
  REDIS_URL: {
    group: 'database',
    schema: urlOr(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
    default: 'redis://127.0.0.1:6379',
    doc: 'queues and rate limits (`rediss://` for TLS); no persistence needed, `maxmemory-policy noeviction`',
    secret: true,
  },
  // ---------------- security ----------------
  GRC_SECRET_KEY: {
    group: 'security',
    schema: z
      .string()
      .trim()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)')
      .optional(),
    default: '`<GRC_DATA_DIR>/secret.key` (created on first use)',
    doc: "seals mailboxes' passwords, identity providers' client secrets and agents' TOTP secrets. Keep it OUTSIDE the backed-up data: a backup and its key stolen together give the secrets away; a lost key means entering them again",
    secret: true,
  },
  GRC_SECURE_COOKIES: {
    group: 'security',
    schema: bool(false),
    default: 'false',
    doc: '`true` behind TLS: `Secure` cookies, HSTS and `upgrade-insecure-requests`',
  },
  GRC_TRUST_PROXY: {
    group: 'security',
    schema: z
      .string()
      .optional()
      .superRefine((v, ctx) => {
        try {
          parseTrustProxy(v);
        } catch (e) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: (e as Error).message.replace(/^GRC_TRUST_PROXY: /, '') });
        }
      })
      .transform((v) => parseTrustProxy(v)),
    default: 'loopback',
    doc: "whose `X-Forwarded-For` gives the client's address: `false`, a hop count, or addresses/subnets / `loopback`, `linklocal`, `uniquelocal` (Compose: `uniquelocal`)",
  },
  GRC_SESSION_CACHE_MS: {
    group: 'security',
    schema: int(5000, 0, 60_000),
    default: '5000',
    doc: 'how long an API process trusts a session it has checked before reading it again (a closed session stops working within this delay on other processes)',
  },
  // ---------------- login ----------------
  GRC_LOGIN_ACCOUNT_FAILURES: {
    group: 'login',
    schema: int(5, 1, 100_000),
    default: '5',
    doc: 'consecutive failures of one account before it is locked (429 `auth.locked`)',
  },
  GRC_LOGIN_LOCK_SECONDS: { group: 'login', schema: int(60, 1, 86_400), default: '60', doc: 'first lock; each further failure doubles it' },
  GRC_LOGIN_MAX_LOCK_SECONDS: { group: 'login', schema: int(3600, 1, 604_800), default: '3600', doc: 'longest lock' },
  GRC_LOGIN_IP_FAILURES: {
    group: 'login',
    schema: int(200, 1, 10_000_000),
    default: '200',
    doc: 'failed logins per client address per window before 429 `auth.ip_throttled`',
  },
  GRC_LOGIN_IP_WINDOW_SECONDS: {
    group: 'login',
    schema: int(900, 1, 86_400),
    default: '900',
    doc: 'that window, and how long the address then waits',
  },
  GRC_SIGN_IN_LINK_HOURS: {
    group: 'login',
    schema: int(24, 1, 720),
    default: '24',
    doc: 'how long a sign-in link of `grc create-admin` works (it works once; `--expires-in` overrides it for one link)',
  },
  // ---------------- limits ----------------
  GRC_MAX_UPLOAD_BYTES: {
    group: 'limits',
    schema: int(10 * MB, 1024, 1024 * MB),
    default: String(10 * MB),
    doc: 'largest attachment accepted (agents, public form, e-mails)',
  },
  GRC_PUBLIC_RATE_LIMIT: {
    group: 'limits',
    schema: int(5, 1, 10_000_000),
    default: '5',
    doc: 'public form creations per address per window',
  },
  GRC_PUBLIC_RATE_WINDOW_SECONDS: { group: 'limits', schema: int(600, 1, 86_400), default: '600', doc: "the public form's window" },
  GRC_OPEN311_RATE_LIMIT: {
    group: 'limits',
    schema: int(300, 1, 10_000_000),
    default: '300',
    doc: 'Open311 GET requests per address per window',
  },
  GRC_OPEN311_KEY_RATE_LIMIT: {
    group: 'limits',
    schema: int(3000, 1, 10_000_000),
    default: '3000',
    doc: 'Open311 GET requests per known `api_key` per window',
  },
  GRC_OPEN311_RATE_WINDOW_SECONDS: { group: 'limits', schema: int(60, 1, 86_400), default: '60', doc: "Open311's window" },
  GRC_TRACKING_TTL_DAYS: {
    group: 'limits',
    schema: int(90, 0, 3650),
    default: '90',
    doc: "days a citizen's tracking link keeps working after the request is resolved or closed (`0`: forever)",
  },
  // ---------------- mail ----------------
  SMTP_URL: {
    group: 'mail',
    schema: url(['smtp', 'smtps']),
    default: null,
    doc: '`smtp://user:password@host:587` or `smtps://…:465`; unset: e-mails wait in the outbox',
    secret: true,
  },
  MAIL_FROM: {
    group: 'mail',
    schema: z
      .string()
      .trim()
      .refine((v) => parseMailbox(v) !== null, 'must be one address, e.g. "Mairie de Ma-Ville <mairie@ma-ville.fr>"')
      .optional()
      .transform((v) => v ?? 'GRC <mairie@grc.invalid>'),
    default: 'GRC <mairie@grc.invalid>',
    doc: "the default sender of every e-mail; the town's sender address in Administration › Commune takes precedence",
  },
  MAIL_DOMAIN: { group: 'mail', schema: optionalText(), default: "the sender's domain", doc: 'domain of our Message-IDs' },
  MAIL_RETRY_BASE_MS: {
    group: 'mail',
    schema: int(30_000, 0, 86_400_000),
    default: '30000',
    doc: 'first retry of a failed send after this many ms, doubled at each attempt',
  },
  MAIL_RETRY_MAX_MS: {
    group: 'mail',
    schema: int(3_600_000, 0, 604_800_000),
    default: '3600000',
    doc: 'longest wait between two attempts',
  },
  MAIL_MAX_ATTEMPTS: { group: 'mail', schema: int(8, 1, 100), default: '8', doc: 'attempts before an e-mail is marked failed' },
  MAIL_SWEEP_MS: {
    group: 'mail',
    schema: int(5000, 100, 3_600_000),
    default: '5000',
    doc: "the sender's periodic sweep of the outbox (independent of Redis)",
  },
  MAIL_INTAKE_TICK_MS: {
    group: 'mail',
    schema: int(5000, 0, 3_600_000),
    default: '5000',
    doc: 'how often the intake looks for mailboxes to poll; `0` disables the intake',
  },
  MAIL_QUARANTINE_MAX_BYTES: {
    group: 'mail',
    schema: int(5 * MB, 0, 1024 * MB),
    default: String(5 * MB),
    doc: 'malformed messages: raw kept in the quarantine up to this size',
  },
  MAIL_MAX_MESSAGE_BYTES: {
    group: 'mail',
    schema: optionalInt(1024, 4096 * MB),
    default: 'max(25 MiB, 3 × `GRC_MAX_UPLOAD_BYTES`)',
    doc: 'bigger messages are quarantined without import',
  },
  MAIL_IMAP_REJECT_UNAUTHORIZED: {
    group: 'mail',
    schema: bool(true),
    default: 'true',
    doc: '`false` accepts self-signed IMAP certificates (internal servers)',
  },
  // ---------------- workers ----------------
  GRC_TIMERS_CONCURRENCY: {
    group: 'workers',
    schema: int(48, 1, 1000),
    default: '48',
    doc: 'SLA/circuit timers fired at once by a worker (docs/sla.md)',
  },
  GRC_TIMERS_RECONCILE_MS: {
    group: 'workers',
    schema: int(15_000, 100, 3_600_000),
    default: '15000',
    doc: 'how often the worker re-mirrors due timer rows into Redis (heals a lost Redis)',
  },
  // ---------------- retention ----------------
  GRC_RETENTION_EVERY_MINUTES: {
    group: 'retention',
    schema: int(60, 0, 10_080),
    default: '60',
    doc: 'how often the worker runs the retention rules, then the purges; `0`: never on its own',
  },
  GRC_REPORTING_REFRESH_SECONDS: {
    group: 'reporting',
    schema: int(10, 0, 86_400),
    default: '10',
    doc: "how often the worker folds the changed requests into the figures' rollup (`0`: never on its own)",
  },
  GRC_REPORTING_BATCH: { group: 'reporting', schema: int(500, 1, 10_000), default: '500', doc: 'requests per rollup refresh transaction' },
  GRC_OPEN_DATA_EVERY_HOURS: {
    group: 'reporting',
    schema: int(24, 0, 24 * 31),
    default: '24',
    doc: 'how often the worker regenerates the open data files (`0`: never on its own)',
  },
  GRC_LIVE_LOG_LENGTH: {
    group: 'live',
    schema: int(10_000, 100, 1_000_000),
    default: '10000',
    doc: 'entries kept (approximately) in the live event log (Redis stream): how far back a reconnecting console is replayed',
  },
  GRC_LIVE_MAX_CLIENTS: {
    group: 'live',
    schema: int(2_000, 0, 100_000),
    default: '2000',
    doc: 'SSE connections one API process serves; beyond, 503 and the console polls every 30 s',
  },
  GRC_LIVE_MAX_AGE_SECONDS: {
    group: 'live',
    schema: int(900, 5, 86_400),
    default: '900',
    doc: 'a stream ends after this long; the browser reconnects with `Last-Event-ID` (session and departments checked again)',
  },
  GRC_LIVE_HEARTBEAT_SECONDS: {
    group: 'live',
    schema: int(25, 1, 300),
    default: '25',
    doc: 'a comment line keeps proxies from closing a quiet stream',
  },
  GRC_PRESENCE_TTL_SECONDS: {
    group: 'live',
    schema: int(45, 5, 3_600),
    default: '45',
    doc: 'a presence entry lives this long without a heartbeat (the console beats every 15 s)',
  },
  GRC_BAN_MAX_BYTES: {
    group: 'limits',
    schema: int(512 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
    default: '536870912',
    doc: 'largest BAN address file the admin screen accepts (bytes)',
  },
  GRC_RETENTION_BATCH: { group: 'retention', schema: int(100, 1, 5000), default: '100', doc: 'requests (or purged rows) per transaction' },
  GRC_RETENTION_CONCURRENCY: {
    group: 'retention',
    schema: int(2, 1, 8),
    default: '2',
    doc: 'retention batches run side by side, each in its own transaction (keep it below the database pool size)',
  },
  GRC_PURGE_SESSIONS_DAYS: { group: 'retention', schema: int(0, 0, 90), default: '0', doc: 'days an expired session row is kept' },
  GRC_PURGE_OUTBOX_BODY_DAYS: {
    group: 'retention',
    schema: int(90, 1, 3650),
    default: '90',
    doc: 'days a sent e-mail keeps its body in the outbox',
  },
  GRC_PURGE_QUARANTINE_DAYS: { group: 'retention', schema: int(30, 1, 365), default: '30', doc: 'days a quarantined e-mail is kept' },
  GRC_PURGE_LOGIN_IP_MONTHS: {
    group: 'retention',
    schema: int(6, 1, 12),
    default: '6',
    doc: "months a login's IP address stays in the audit trail (CNIL: 6 months to 1 year)",
  },
  // ---------------- quick start ----------------
  GRC_EMBEDDED_PG_PORT: {
    group: 'quick-start',
    schema: int(54329, 1, 65535),
    default: '54329',
    doc: 'port of the embedded PostgreSQL `npm start` starts when none answers',
  },
  GRC_LOCAL_REDIS_PORT: {
    group: 'quick-start',
    schema: int(6380, 1, 65535),
    default: '6380',
    doc: 'port of the local `redis-server` `npm start` starts when none answers',
  },
  GRC_DEMO: {
    group: 'quick-start',
    schema: bool(false),
    default: 'false',
    doc: "Compose's `migrate` service also loads `packs/demo-town` (never in production)",
  },
  // ---------------- tests ----------------
  TEST_PG_URL: {
    group: 'tests',
    schema: url(['postgres', 'postgresql']),
    default: 'postgres://postgres@127.0.0.1:5432/postgres',
    doc: 'the PostgreSQL server the API tests create their databases on',
    secret: true,
  },
  E2E_PG_URL: {
    group: 'tests',
    schema: url(['postgres', 'postgresql']),
    default: 'postgres://postgres@127.0.0.1:5432/postgres',
    doc: 'the same for the browser and CLI tests',
    secret: true,
  },
  GRC_TEST_TEMPLATE_DB: {
    group: 'tests',
    schema: optionalText(),
    default: null,
    doc: "set by the API tests' global setup: the run's template database",
  },
  GRC_TEST_DB: { group: 'tests', schema: optionalText(), default: null, doc: "set per spec file: that file's database" },
  GRC_KEEP_TEST_DB: { group: 'tests', schema: bool(false), default: 'false', doc: "`true` keeps the tests' databases to look at them" },
  GRC_DEMO_PASSWORD: {
    group: 'tests',
    schema: optionalText(),
    default: 'Demo-GRC-2026!',
    doc: "the demo accounts' password the tests log in with",
  },
  GRC_FUZZ_REPORT: { group: 'tests', schema: optionalText(), default: null, doc: 'a file the fuzz suite writes its report to' },
  OIDC_TEST_CONFIG: {
    group: 'tests',
    schema: optionalText(),
    default: null,
    doc: "the test identity provider's settings (set by the SSO tests)",
  },
  CHROMIUM_PATH: { group: 'tests', schema: optionalText(), default: '/usr/bin/chromium', doc: 'the browser of the browser tests' },
  GRC_E2E_VERBOSE: { group: 'tests', schema: bool(false), default: 'false', doc: "`true` copies the e2e server's output to the terminal" },
  GRC_E2E_START_TIMEOUT_MS: {
    group: 'tests',
    schema: int(180_000, 1000, 3_600_000),
    default: '180000',
    doc: 'how long the e2e setup waits for the server',
  },
  GRC_E2E_BASE_URL: { group: 'tests', schema: optionalText(), default: null, doc: "set by the e2e setup: the server's address" },
  GRC_E2E_DATABASE_URL: {
    group: 'tests',
    schema: optionalText(),
    default: null,
    doc: "set by the e2e setup: the run's database",
    secret: true,
  },
  GRC_E2E_WS_ENDPOINT: { group: 'tests', schema: optionalText(), default: null, doc: "set by the e2e setup: the browser's endpoint" },
  GRC_E2E_KEEP_DB: { group: 'tests', schema: bool(false), default: 'false', doc: "`true` keeps the e2e run's database" },
} satisfies Record<string, VarSpec<unknown>>;

export type EnvName = keyof typeof ENVIRONMENT;
export type Environment = { [K in EnvName]: z.output<(typeof ENVIRONMENT)[K]['schema']> };

export interface EnvIssue {
  name: EnvName;
  value: string;
  message: string;
}

/** Thrown when a variable is invalid: its message names every variable at fault. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly EnvIssue[]) {
    super(
      `invalid configuration (docs/configuration.md):\n${issues.map((i) => `  ${i.name}=${JSON.stringify(i.value)}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const raw = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v;
};

/** Every variable checked; the issues (empty when all are valid) and the typed values of the valid ones. */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): { values: Partial<Environment>; issues: EnvIssue[] } {
  const values: Record<string, unknown> = {};
  const issues: EnvIssue[] = [];
  for (const [name, spec] of Object.entries(ENVIRONMENT) as Array<[EnvName, VarSpec<unknown>]>) {
    const r = spec.schema.safeParse(raw(env, name));
    if (r.success) values[name] = r.data;
    else issues.push({ name, value: env[name] ?? '', message: r.error.issues.map((i) => i.message).join('; ') });
  }
  return { values: values as Partial<Environment>, issues };
}

/**
 * Variables named like the GRC's own (`GRC_`, `MAIL_`, `SMTP_`) that no process reads: a typo such as
 * `GRC_QUEU_PREFIX` would otherwise leave the default in force without a word (`grc config check` warns).
 */
export function unknownVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.keys(env)
    .filter((name) => /^(GRC|MAIL|SMTP)_/.test(name) && !Object.prototype.hasOwnProperty.call(ENVIRONMENT, name))
    .sort();
}

/** The typed environment, or a ConfigError naming each invalid variable. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const { values, issues } = checkEnvironment(env);
  if (issues.length) throw new ConfigError(issues);
  return values as Environment;
}

/**
 * One variable for a constant or a decorator evaluated when its module is imported — before any command checks
 * the configuration. An invalid environment must not crash there (`grc --help`, `grc config check` would die
 * with a stack trace instead of naming the variable): this reads that one variable, its default when it is
 * invalid; every process still refuses an invalid environment when its command starts.
 */
export function envAtImport<K extends EnvName>(name: K, env: NodeJS.ProcessEnv = process.env): Environment[K] {
  return (checkEnvironment(env).values[name] ?? checkEnvironment({}).values[name]) as Environment[K];
}

/** `grc config check`: each variable with its effective value, secrets masked. */
export function describeEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): Array<{ name: EnvName; group: EnvGroup; value: string; source: 'environment' | 'default' }> {
  return (Object.entries(ENVIRONMENT) as Array<[EnvName, VarSpec<unknown>]>)
    .filter(([, s]) => s.group !== 'tests')
    .map(([name, s]) => {
      const set = raw(env, name);
      const shown = set !== undefined ? (s.secret ? mask(name, set) : set) : (s.default ?? '(unset)');
      return { name, group: s.group, value: shown, source: set !== undefined ? 'environment' : 'default' };
    });
}

/** Secrets masked: a URL keeps its scheme and host (which server), never its password; other secrets show nothing. */
function mask(name: string, value: string): string {
  if (/_URL$/.test(name)) {
    try {
      const u = new URL(value);
      if (u.password) u.password = '****';
      return u.toString();
    } catch {
      return '****';
    }
  }
  return '****';
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The reference table of docs/configuration.md (between its generated markers). */
export function environmentMarkdown(): string {
  const out: string[] = [];
  for (const [group, title] of Object.entries(ENV_GROUPS) as Array<[EnvGroup, string]>) {
    const vars = (Object.entries(ENVIRONMENT) as Array<[EnvName, VarSpec<unknown>]>).filter(([, s]) => s.group === group);
    if (!vars.length) continue;
    out.push(`### ${title}`, '', '| variable | default | meaning |', '| --- | --- | --- |');
    for (const [name, s] of vars) {
      const d = s.default === null ? '—' : /[`<]/.test(s.default) || s.default.includes(' ') ? s.default : `\`${s.default}\``;
      out.push(`| \`${name}\`${s.secret ? ' (secret)' : ''} | ${cell(d)} | ${cell(s.doc)} |`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd() + '\n';
}

export const ENV_DOC_BEGIN = '<!-- BEGIN GENERATED: environment (apps/grc-api/src/config/environment.ts; npm run grc -- config doc) -->';
export const ENV_DOC_END = '<!-- END GENERATED: environment -->';

/** The page with its generated section replaced. */
export function withEnvironmentSection(page: string): string {
  const a = page.indexOf(ENV_DOC_BEGIN);
  const b = page.indexOf(ENV_DOC_END);
  if (a < 0 || b < a) throw new Error(`docs/configuration.md has no generated section (${ENV_DOC_BEGIN} … ${ENV_DOC_END})`);
  return `${page.slice(0, a + ENV_DOC_BEGIN.length)}\n\n${environmentMarkdown()}\n${page.slice(b)}`;
}
