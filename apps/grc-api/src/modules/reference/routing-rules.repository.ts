import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { RoutingRuleData } from '@grc/domain';
import { RoutingRuleEntity } from '../../database/entities';

/** Gap left between two rules' positions, so that a rule can later be slotted in between. */
const POSITION_STEP = 10;

/** Every query on `routing_rules`; each method takes the caller's EntityManager (optional). */
@Injectable()
export class RoutingRulesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** All rules, per category in the order they are tried. */
  list(m: EntityManager = this.db.manager): Promise<RoutingRuleEntity[]> {
    return m.find(RoutingRuleEntity, { order: { categoryId: 'ASC', position: 'ASC', id: 'ASC' } });
  }

  /** One category's rules in the order they are tried, as `routeTicket` (libs/domain) reads them. */
  forCategory(categoryId: string, m: EntityManager = this.db.manager): Promise<RoutingRuleData[]> {
    return m.query(
      `SELECT id, category_id AS "categoryId", department_id AS "departmentId", area_name AS "areaName", area, position
       FROM routing_rules WHERE category_id = $1 ORDER BY position, id`,
      [categoryId],
    );
  }

  /** The row, locked for update; null when unknown. */
  findForUpdate(id: string, m: EntityManager = this.db.manager): Promise<RoutingRuleEntity | null> {
    return m.findOne(RoutingRuleEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The position after the category's last rule (0 for its first). */
  async nextPosition(categoryId: string, m: EntityManager = this.db.manager): Promise<number> {
    const [r]: Array<{ next: number }> = await m.query(
      `SELECT coalesce(max(position) + ${POSITION_STEP}, 0)::int AS next FROM routing_rules WHERE category_id = $1`,
      [categoryId],
    );
    return r?.next ?? 0;
  }

  /** One GeoJSON import of areas at a time (two admins): the second waits for the first's commit, then plans on its result. */
  async lockAreasImport(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('grc:routing-areas-import'))`);
  }

  /** Every category's and department's code (the GeoJSON properties name them by code). */
  async codes(m: EntityManager = this.db.manager): Promise<{
    categories: Array<{ id: string; code: string }>;
    departments: Array<{ id: string; code: string }>;
  }> {
    const [categories, departments] = await Promise.all([
      // the commune's own last (the métropole's shared ones are readable too): a code names its own first
      m.query(`SELECT id, code FROM categories ORDER BY code, (commune_id = (SELECT grc_commune()))`),
      m.query(`SELECT id, code FROM departments ORDER BY code`),
    ]);
    return { categories, departments };
  }

  insert(
    values: Pick<RoutingRuleEntity, 'categoryId' | 'departmentId' | 'areaName' | 'area' | 'position'>,
    m: EntityManager = this.db.manager,
  ): Promise<RoutingRuleEntity> {
    return m.save(m.create(RoutingRuleEntity, values));
  }

  /** Saves a loaded row (its version column is bumped by TypeORM). */
  save(row: RoutingRuleEntity, m: EntityManager = this.db.manager): Promise<RoutingRuleEntity> {
    return m.save(row);
  }

  async delete(id: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.delete(RoutingRuleEntity, { id });
  }
}
