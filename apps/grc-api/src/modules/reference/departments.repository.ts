import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { DepartmentNode } from '@grc/domain';
import { DepartmentEntity } from '../../database/entities';

/**
 * Every query on `departments`. Each method takes the caller's EntityManager (optional: the pool
 * otherwise), so that a check, a lock and the write it guards belong to one transaction.
 */
@Injectable()
export class DepartmentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** All departments, by name. */
  list(m: EntityManager = this.db.manager): Promise<DepartmentEntity[]> {
    return m.find(DepartmentEntity, { order: { name: 'ASC', id: 'ASC' } });
  }

  /**
   * Serialises the writes of the tree until the transaction ends: two concurrent moves, each valid
   * alone, cannot build a cycle together.
   */
  async lockTree(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('grc:departments'))`);
  }

  /** The row, locked for update; null when unknown. */
  findForUpdate(id: string, m: EntityManager = this.db.manager): Promise<DepartmentEntity | null> {
    return m.findOne(DepartmentEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Whether another department (not `exceptId`) has this code. */
  async isCodeTaken(code: string, exceptId: string | null, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM departments WHERE code = $1 AND id IS DISTINCT FROM $2`, [code, exceptId]);
    return rows.length > 0;
  }

  /** The whole tree, as the hierarchy rules of libs/domain read it. */
  tree(m: EntityManager = this.db.manager): Promise<DepartmentNode[]> {
    return m.query(`SELECT id, parent_id AS "parentId", kind, active, name FROM departments`);
  }

  /**
   * Which of `ids` exist, each locked FOR SHARE until the transaction ends, so that a department
   * referenced by the caller's write cannot be deleted or re-keyed meanwhile.
   */
  async lockExisting(ids: readonly string[], m: EntityManager = this.db.manager): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const found: Array<{ id: string }> = await m.query(`SELECT id FROM departments WHERE id = ANY($1::uuid[]) FOR SHARE`, [ids]);
    return new Set(found.map((r) => r.id));
  }

  /** Whether the department exists and is active (a ticket may be sent to it). */
  async isActive(id: string, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows: Array<{ active: boolean }> = await m.query(`SELECT active FROM departments WHERE id = $1`, [id]);
    return rows[0]?.active === true;
  }

  /**
   * Whether a request of `communeId` may be sent to the department: active, and the commune's own or one of its
   * métropole's shared services. A métropole's session sees its own departments; a commune's request sent to one
   * that is not shared would leave its commune's reach (row-level security refuses the row).
   */
  async isReachableFrom(id: string, communeId: string, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows: Array<{ active: boolean }> = await m.query(
      `SELECT d.active FROM departments d
        WHERE d.id = $1 AND (d.commune_id = $2 OR (d.shared AND d.commune_id = (SELECT parent_id FROM communes WHERE id = $2)))`,
      [id, communeId],
    );
    return rows[0]?.active === true;
  }

  /** Every department by code: its name and its parent's code (null at the top). */
  byCode(m: EntityManager = this.db.manager): Promise<Array<{ code: string; name: string; parent: string | null }>> {
    return m.query(`SELECT d.code, d.name, p.code AS parent FROM departments d LEFT JOIN departments p ON p.id = d.parent_id`);
  }

  /** The departments among `ids` (id, code, name), by name. */
  summaries(ids: readonly string[], m: EntityManager = this.db.manager): Promise<Array<{ id: string; code: string; name: string }>> {
    return m.query(`SELECT id, code, name FROM departments WHERE id = ANY($1) ORDER BY name`, [ids]);
  }

  /** The active departments among these codes, locked FOR SHARE (an agent created on first sign-in joins them). */
  async lockActiveByCodes(codes: readonly string[], m: EntityManager = this.db.manager): Promise<Array<{ id: string; code: string }>> {
    if (!codes.length) return [];
    return m.query(`SELECT id, code FROM departments WHERE code = ANY($1::text[]) AND active ORDER BY code FOR SHARE`, [codes]);
  }

  insert(
    values: Pick<DepartmentEntity, 'code' | 'name' | 'kind' | 'parentId' | 'email' | 'active' | 'frontDesk'>,
    m: EntityManager = this.db.manager,
  ): Promise<DepartmentEntity> {
    return m.save(m.create(DepartmentEntity, values));
  }

  /** Saves a loaded row (its version column is bumped by TypeORM). */
  save(row: DepartmentEntity, m: EntityManager = this.db.manager): Promise<DepartmentEntity> {
    return m.save(row);
  }
}
