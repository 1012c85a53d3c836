import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
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
  let name = NAMES.get(text);
  if (!name) {
    name = `grc_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    // the texts are the code's constants (a handful): the map stays small
    if (NAMES.size < 1_000) NAMES.set(text, name);
  }
  const runner = m.queryRunner as unknown as { connect(): Promise<PgClient> } | undefined;
  const client: PgClient | undefined = runner ? await runner.connect() : (m.connection.driver as unknown as { master?: PgClient }).master;
  if (!client) return m.query(text, values);
  const result = await client.query({ name, text, values });
  return result.rows as T[];
}
