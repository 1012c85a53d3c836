import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CategoryEntity } from '../../database/entities';

/** A category of `commune`, or a shared service's of `metropole` (both SQL expressions). */
const filableIn = (c: string, commune: string, metropole: string): string =>
  `(${c}.commune_id = ${commune} OR (${c}.commune_id = ${metropole}
     AND EXISTS (SELECT 1 FROM departments fd WHERE fd.id = ${c}.default_department_id AND fd.shared)))`;

/**
 * A category a request may be filed in as the current commune (the SQL condition on the categories row `c`): its
 * own, or one of its métropole's shared services' (migration 1763800002520) — never another commune's, which a
 * métropole's session reads only to name and filter its shared services' requests.
 */
export const FILABLE_CATEGORY = (c: string): string => filableIn(c, '(SELECT grc_commune())', '(SELECT grc_metropole())');

/** The same condition for a request of commune `$n` (a métropole's agent recategorising a commune's request). */
const FILABLE_CATEGORY_IN = (c: string, n: number): string => filableIn(c, `$${n}`, `(SELECT parent_id FROM communes WHERE id = $${n})`);

/** Every query on `categories`; each method takes the caller's EntityManager (optional). */
@Injectable()
export class CategoriesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** All categories, by French name. */
  list(m: EntityManager = this.db.manager): Promise<CategoryEntity[]> {
    return m.find(CategoryEntity, { order: { nameFr: 'ASC', id: 'ASC' } });
  }

  /**
   * Whose each category the connection reads is, when not its commune's: 'metropole' (its métropole's shared
   * service: filable, not editable here), 'commune' (a member commune's, read by a métropole: neither).
   */
  async origins(m: EntityManager = this.db.manager): Promise<Map<string, 'metropole' | 'commune'>> {
    const rows: Array<{ id: string; origin: 'metropole' | 'commune' }> = await m.query(
      `SELECT id, CASE WHEN commune_id = (SELECT grc_metropole()) THEN 'metropole' ELSE 'commune' END AS origin
       FROM categories WHERE commune_id <> (SELECT grc_commune())`,
    );
    return new Map(rows.map((r) => [r.id, r.origin]));
  }

  /** The row, locked for update; null when unknown. */
  findForUpdate(id: string, m: EntityManager = this.db.manager): Promise<CategoryEntity | null> {
    return m.findOne(CategoryEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Whether another category (not `exceptId`) has this code. */
  async isCodeTaken(code: string, exceptId: string | null, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM categories WHERE code = $1 AND id IS DISTINCT FROM $2 AND commune_id = (SELECT grc_commune())`,
      [code, exceptId],
    );
    return rows.length > 0;
  }

  /** Whether the category exists, locking it FOR SHARE until the transaction ends (it is being referenced). */
  async lockExisting(id: string, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM categories WHERE id = $1 FOR SHARE`, [id]);
    return rows.length > 0;
  }

  /** The department that takes the category's tickets when no rule matches; null for an unknown category. */
  async defaultDepartmentOf(id: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const rows: Array<{ default_department_id: string }> = await m.query(`SELECT default_department_id FROM categories WHERE id = $1`, [
      id,
    ]);
    return rows[0]?.default_department_id ?? null;
  }

  /** Whether the category exists and is active (a ticket may be put in it). */
  async isActive(id: string, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows: Array<{ active: boolean }> = await m.query(`SELECT active FROM categories WHERE id = $1`, [id]);
    return rows[0]?.active === true;
  }

  /**
   * Whether a request of `communeId` may be moved to the category: active, and the commune's own or its
   * métropole's shared one. A métropole's session also reads its communes' categories that lead to its shared
   * services (to name their requests); moving one commune's request to another commune's category would hide it
   * from its own commune.
   */
  async isFilableIn(id: string, communeId: string, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows: Array<{ active: boolean }> = await m.query(
      `SELECT c.active FROM categories c WHERE c.id = $1 AND ${FILABLE_CATEGORY_IN('c', 2)}`,
      [id, communeId],
    );
    return rows[0]?.active === true;
  }

  /** The code of a category; null for an unknown one. */
  async codeOf(id: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const rows: Array<{ code: string }> = await m.query(`SELECT code FROM categories WHERE id = $1`, [id]);
    return rows[0]?.code ?? null;
  }

  /** Which of these codes are categories' codes. */
  async existingCodes(codes: readonly string[], m: EntityManager = this.db.manager): Promise<Set<string>> {
    const rows: Array<{ code: string }> = await m.query(`SELECT code FROM categories WHERE code = ANY($1::text[])`, [codes]);
    return new Set(rows.map((r) => r.code));
  }

  insert(
    values: Pick<CategoryEntity, 'code' | 'nameFr' | 'nameEn' | 'defaultDepartmentId' | 'active'>,
    m: EntityManager = this.db.manager,
  ): Promise<CategoryEntity> {
    return m.save(m.create(CategoryEntity, values));
  }

  /** Saves a loaded row (its version column is bumped by TypeORM). */
  save(row: CategoryEntity, m: EntityManager = this.db.manager): Promise<CategoryEntity> {
    return m.save(row);
  }
}
