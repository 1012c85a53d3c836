import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * Runs a hot query as a named prepared statement on the transaction's connection, so PostgreSQL
 * plans it once per connection instead of on every request (planning was most of the cost of
 * ticket creation, and of the session lookup and inbox reads). Outside a transaction it goes through
 * the pool, which keeps the statement on each of its connections.
 */
/** statement text → name: hashed once per process */
const NAMES = new Map<string, string>();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are typed by the caller, like EntityManager.query
export async function preparedQuery<T = any>(m: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  return (await prepared(m, text, values)).rows as T[];
}

/** The same for a statement that changes rows (UPDATE, DELETE, INSERT): how many it changed. */
export async function preparedCommand(m: EntityManager, text: string, values: unknown[]): Promise<number> {
  return (await prepared(m, text, values)).rowCount;
}

async function prepared(m: EntityManager, text: string, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number }> {
  let name = NAMES.get(text);
  if (!name) {
    name = `grc_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    // the texts are the code's constants (a few dozen): the map stays small
    if (NAMES.size < 1_000) NAMES.set(text, name);
  }
  const runner = m.queryRunner as unknown as { connect(): Promise<PgClient> } | undefined;
  const client: PgClient | undefined = runner ? await runner.connect() : (m.connection.driver as unknown as { master?: PgClient }).master;
  if (!client) {
    // TypeORM answers [rows, count] to an UPDATE or a DELETE, the rows alone otherwise
    const r: unknown = await m.query(text, values);
    if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return { rows: r[0], rowCount: r[1] };
    return { rows: r as unknown[], rowCount: Array.isArray(r) ? r.length : 0 };
  }
  const result = await client.query({ name, text, values });
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}
