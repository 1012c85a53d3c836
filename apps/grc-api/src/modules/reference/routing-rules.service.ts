import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { validatePolygon, type Polygon, type RoutingRule } from '@grc/domain';
import { badRequest, invalidField, notFound } from '../../common/problem';
import type { RoutingRuleEntity } from '../../database/entities';
import { AuditService, auditActor, diff } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { CategoriesRepository } from './categories.repository';
import { DepartmentsRepository } from './departments.repository';
import { ensureDepartmentExists, staleVersion } from './departments.service';
import { RoutingRulesRepository } from './routing-rules.repository';
import { CreateRoutingRuleDto, UpdateRoutingRuleDto } from './routing-rule.dto';

const FIELDS: Array<keyof RoutingRule> = ['categoryId', 'departmentId', 'areaName', 'area', 'position'];

export const toRoutingRule = (r: RoutingRuleEntity): RoutingRule => ({
  id: r.id,
  categoryId: r.categoryId,
  departmentId: r.departmentId,
  areaName: r.areaName,
  area: r.area,
  position: r.position,
  version: r.version,
});

/** The area and its name go together; the polygon is checked by libs/domain (≥3 distinct points, lng/lat in range, not flat). */
function checkArea(areaName: string | null, area: unknown): Polygon | null {
  if (area === null) {
    if (areaName !== null) throw invalidField('area', 'Une zone nommée doit avoir un polygone (ou retirez son nom).', 'area_required');
    return null;
  }
  const v = validatePolygon(area, 'area');
  if (!v.ok) {
    const errors = v.errors.map((e) => ({ field: e.field, message: e.message, code: e.code }));
    throw badRequest(errors.length === 1 ? errors[0]!.message : `${errors.length} erreurs dans la zone.`, errors);
  }
  if (areaName === null) throw invalidField('areaName', 'Donnez un nom à la zone (ex. « Quartier nord »).', 'area_name_required');
  return v.value;
}

@Injectable()
export class RoutingRulesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rules: RoutingRulesRepository,
    private readonly categories: CategoriesRepository,
    private readonly departments: DepartmentsRepository,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<RoutingRule[]> {
    return (await this.rules.list()).map(toRoutingRule);
  }

  async create(actor: Actor, input: CreateRoutingRuleDto): Promise<RoutingRule> {
    const areaName = input.areaName ?? null;
    const area = checkArea(areaName, input.area ?? null);
    return this.db.transaction(async (m) => {
      await this.ensureCategoryExists(m, input.categoryId);
      await ensureDepartmentExists(this.departments, m, input.departmentId, 'departmentId');
      const position = input.position ?? (await this.rules.nextPosition(input.categoryId, m));
      const saved = await this.rules.insert(
        { categoryId: input.categoryId, departmentId: input.departmentId, areaName, area, position },
        m,
      );
      const after = toRoutingRule(saved);
      await this.audit.record(m, auditActor(actor), 'routing_rule.create', 'routing_rule', after.id, diff(null, after, FIELDS));
      return after;
    });
  }

  async update(actor: Actor, id: string, input: UpdateRoutingRuleDto): Promise<RoutingRule> {
    return this.db.transaction(async (m) => {
      const row = await this.rules.findForUpdate(id, m);
      if (!row) throw notFound("Règle d'aiguillage");
      if (row.version !== input.version) throw staleVersion("cette règle d'aiguillage");
      const before = toRoutingRule(row);
      const areaName = input.areaName === undefined ? row.areaName : input.areaName;
      const area = checkArea(areaName, input.area === undefined ? row.area : input.area);
      if (input.categoryId !== row.categoryId) await this.ensureCategoryExists(m, input.categoryId);
      if (input.departmentId !== row.departmentId) await ensureDepartmentExists(this.departments, m, input.departmentId, 'departmentId');
      Object.assign(row, {
        categoryId: input.categoryId,
        departmentId: input.departmentId,
        areaName,
        area,
        position:
          input.position ?? (input.categoryId !== row.categoryId ? await this.rules.nextPosition(input.categoryId, m) : row.position),
      });
      const changes = diff(before, toRoutingRule(row), FIELDS);
      if (Object.keys(changes).length === 0) return before;
      const after = toRoutingRule(await this.rules.save(row, m));
      await this.audit.record(m, auditActor(actor), 'routing_rule.update', 'routing_rule', id, changes);
      return after;
    });
  }

  /** `version`, when given, must be the current one (409 otherwise). */
  async remove(actor: Actor, id: string, version: number | undefined): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await this.rules.findForUpdate(id, m);
      if (!row) throw notFound("Règle d'aiguillage");
      if (version !== undefined && row.version !== version) throw staleVersion("cette règle d'aiguillage");
      await this.rules.delete(id, m);
      await this.audit.record(m, auditActor(actor), 'routing_rule.delete', 'routing_rule', id, diff(toRoutingRule(row), null, FIELDS));
    });
  }

  private async ensureCategoryExists(m: EntityManager, id: string): Promise<void> {
    if (!(await this.categories.lockExisting(id, m))) throw invalidField('categoryId', 'Catégorie introuvable.', 'category_not_found');
  }
}
