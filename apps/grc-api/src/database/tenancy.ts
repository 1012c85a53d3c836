/**
 * Communes as tenants (issue 15): the ONE place where a connection learns whose rows it may see.
 *
 * PostgreSQL's row-level security does the isolation: every tenant table has `commune_id` and a policy
 * `commune_id = grc_commune()`, forced for the owner too (migration 1763800001090); `grc_commune()` reads
 * the setting `grc.commune`. The connection layer sets it whenever a pooled connection is checked out for
 * another commune than the one it last served: the commune of the current async context
 * (`withCommune(id, fn)`: a request, a job), else the install's default commune. So every statement —
 * in a transaction or not, from any module, repository or CLI command — runs under a commune, and a
 * statement that escaped it (a raw connection without the setting) sees no row and may write none.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource } from 'typeorm';

const context = new AsyncLocalStorage<{ communeId: string | null; publicPrefix?: string }>();

/** Runs `fn` (and everything it awaits) as commune `communeId`. */
export const withCommune = <T>(communeId: string, fn: () => T): T => context.run({ communeId }, fn);

/**
 * Runs an HTTP request's handling (`next`: everything after this middleware) in a context of its own whose
 * commune is not known yet: the session's, set by the AuthGuard once it has resolved it (`enterCommune`);
 * until then (sign-in, public routes) the install's default commune.
 */
export const withRequestContext = <T>(fn: () => T): T => context.run({ communeId: null }, fn);

/** Sets the commune of the current request's context (no effect outside one: a job names its commune with withCommune). */
export function enterCommune(communeId: string): void {
  const store = context.getStore();
  if (store) store.communeId = communeId;
}

/**
 * How the current request reached its commune's public pages: `/c/<code>` (by path), '' (by the commune's
 * host); undefined: neither (the default commune, a job). Links made for the request (tracking) keep it.
 */
export function enterPublicPrefix(prefix: string): void {
  const store = context.getStore();
  if (store) store.publicPrefix = prefix;
}
export const currentPublicPrefix = (): string | undefined => context.getStore()?.publicPrefix;

/** The commune of the current async context; null: the install's default commune. */
export const currentCommune = (): string | null => context.getStore()?.communeId ?? null;

/**
 * Runs `fn` once per commune of the install, each under its commune (a periodic pass of the worker: timers'
 * reconciliation, the outbox, retention, figures), one after the other. `communes` is shared (no policy).
 */
export async function forEachCommune(ds: DataSource, fn: (communeId: string) => Promise<void>): Promise<void> {
  const rows: Array<{ id: string }> = await ds.query(`SELECT id FROM communes ORDER BY is_default DESC, code`);
  for (const r of rows) await withCommune(r.id, () => fn(r.id));
}

interface TrackedClient {
  query(text: string, values: unknown[]): Promise<{ rows: Array<{ commune: string }> }>;
  /** the commune this connection's `grc.commune` holds ('default:<id>' for the default), undefined when unknown */
  grcCommune?: string;
}
type Release = (err?: Error | boolean) => void;
type ConnectCallback = (err: Error | undefined, client: TrackedClient | undefined, release: Release) => void;
interface Pool {
  connect(cb?: ConnectCallback): Promise<TrackedClient> | void;
  grcTenancy?: true;
}

/**
 * The commune, and `grc.plain_commune`: the same id when that commune is not a métropole, '' when it is — so that
 * row triggers and policies of a commune's connection skip the métropole's work without asking `communes` again
 * (migration 1763800003100; a commune's kind never changes).
 */
const SET_COMMUNE = `WITH c AS (SELECT coalesce($1::text, (SELECT id::text FROM communes WHERE is_default), '') AS id)
  SELECT set_config('grc.commune', c.id, false) AS commune,
         set_config('grc.plain_commune',
           CASE WHEN EXISTS (SELECT 1 FROM communes m WHERE m.id::text = c.id AND m.kind = 'metropole') THEN '' ELSE c.id END, false) AS plain
  FROM c`;

/** Sets the connection's commune unless it already holds it. */
async function setCommune(client: TrackedClient, wanted: string | null): Promise<void> {
  if (wanted !== null ? client.grcCommune === wanted : client.grcCommune?.startsWith('default:')) return;
  client.grcCommune = undefined;
  let r: { rows: Array<{ commune: string }> };
  try {
    r = await client.query(SET_COMMUNE, [wanted]);
  } catch (e) {
    // before the migrations made `communes` (a fresh database): no commune yet, ask again next time
    if ((e as { code?: string }).code === '42P01') return;
    throw e;
  }
  const commune = r.rows[0]?.commune ?? '';
  // before any commune exists (a fresh database), ask again at the next checkout
  client.grcCommune = wanted !== null ? wanted : commune ? `default:${commune}` : undefined;
}

/**
 * Wraps the DataSource's pool: each checkout takes the commune of the caller's async context (read when
 * the caller asks, not when a connection frees up) and sets it before the connection is handed over; it
 * costs one round trip only when the connection served another commune. A failure to set it is the
 * checkout's failure (the connection is discarded): no statement runs under a stale commune.
 */
export function attachTenancy(ds: DataSource): DataSource {
  const pool = (ds.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('tenancy: the DataSource has no pool (not a PostgreSQL DataSource, or not initialised)');
  if (pool.grcTenancy) return ds;
  pool.grcTenancy = true;
  const connect = pool.connect.bind(pool);
  pool.connect = (cb?: ConnectCallback) => {
    const wanted = currentCommune();
    if (!cb) {
      return (connect() as Promise<TrackedClient & { release: Release }>).then(async (client) => {
        try {
          await setCommune(client, wanted);
        } catch (e) {
          client.release(e as Error);
          throw e;
        }
        return client;
      });
    }
    connect((err, client, release) => {
      if (err || !client) return cb(err, client, release);
      setCommune(client, wanted).then(
        () => cb(undefined, client, release),
        (e: Error) => {
          release(e);
          cb(e, undefined, () => undefined);
        },
      );
    });
  };
  return ds;
}

/** `new DataSource(o).initialize()` with the tenancy layer attached. */
export async function initializeWithTenancy(ds: DataSource): Promise<DataSource> {
  if (!ds.isInitialized) await ds.initialize();
  return attachTenancy(ds);
}

/**
 * A job's work as its commune: the one its payload names (`{ commune }`, a job added for one commune), else
 * every commune in turn (a scheduler's periodic job: retention, figures, inbox counters). Results by commune.
 */
export async function forJobCommunes<T>(ds: DataSource, data: unknown, fn: () => Promise<T>): Promise<T[]> {
  const named = (data as { commune?: unknown } | null | undefined)?.commune;
  if (typeof named === 'string') return [await withCommune(named, fn)];
  const results: T[] = [];
  await forEachCommune(ds, async () => {
    results.push(await fn());
  });
  return results;
}

/**
 * Every table of the schema is classified here; `test/tenancy.spec.ts` fails the build for a table that is
 * in no list (a table added later must say whether it belongs to a commune), and proves, table by table,
 * that a tenant table shows nothing without the setting and only its commune's rows with it.
 */
export const TENANT_TABLES = [
  // 1763800001090
  'departments',
  'categories',
  'routing_rules',
  'category_attributes',
  'citizens',
  'tickets',
  'ticket_events',
  'attachments',
  // 1763800001400
  'agent_departments',
  'town_settings',
  'inbox_counters',
  'audit_events',
  'citizen_revisions',
  'open311_api_keys',
  'open311_requests',
  'timers',
  'sla_calendars',
  'sla_policies',
  'ticket_sla',
  'notifications',
  'notification_reads',
  'workflow_definitions',
  'workflow_bindings',
  'ticket_workflows',
  'delegations',
  'mail_outbox',
  'mail_templates',
  'mail_reply_templates',
  'mail_mailboxes',
  'mail_imported',
  'mail_quarantine',
  'ticket_tracking_keys',
  'retention_rules',
  'retention_runs',
  'privacy_settings',
  'address_imports',
  'address_streets',
  'addresses',
  'open_data_files',
  'open_data_settings',
  'report_dirty',
  'report_step_facts',
  'report_ticket_facts',
  'saved_views',
  // 1763800001900: replies by post (modules/letters), like the outbox they parallel
  'ticket_letters',
  // 1763800002400: the figures' monthly cube (modules/reporting)
  'report_cube',
  'report_cube_durations',
  'report_cube_state',
] as const;

/** Shared by every commune of the install, on purpose. */
export const SHARED_TABLES: Readonly<Record<string, string>> = {
  communes: 'the tenants themselves (read at every checkout, before any commune is set)',
  migrations: 'the schema version',
  agents: 'an agent may belong to several communes (agent_communes); read by the session lookup before a commune is known',
  sessions: 'resolved before the commune is known (the session names the agent)',
  agent_totp: "an agent's second factor, with the agent",
  agent_recovery_codes: "an agent's recovery codes, with the agent",
  login_challenges: 'the login’s pending second step, before a commune is known',
  identity_providers: 'sign-in providers of the install',
  agent_identities: 'links of agents to their identity provider accounts',
  oidc_transactions: 'sign-ins in progress',
  oidc_sessions: 'ID tokens of signed-in agents',
  security_settings: 'the install’s password and session rules',
  sign_in_links: "an agent's one-time sign-in links (grc create-admin), with the agent",
  agent_communes: 'which communes an agent works for: read when a session is resolved, before its commune is known',
};

/**
 * Tenant data whose scoping is not done yet: none since 1763800001400 (kept so that a table added by a
 * branch before its migration has a place to wait, visibly; `test/tenancy.spec.ts` lists it).
 */
export const NOT_YET_SCOPED: readonly string[] = [];
