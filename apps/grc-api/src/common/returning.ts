import type { EntityManager } from 'typeorm';

/**
 * Rows of an UPDATE/DELETE … RETURNING: TypeORM's PostgreSQL driver answers those with
 * `[rows, affectedCount]` while SELECT and INSERT answer with the rows.
 */
export async function returning<T = Record<string, unknown>>(
  m: Pick<EntityManager, 'query'>,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const r = await m.query(sql, params);
  return (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? r[0] : r) as T[];
}
