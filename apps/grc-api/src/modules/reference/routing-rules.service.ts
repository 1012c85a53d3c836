import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  areasToGeoJson,
  planAreaImport,
  validatePolygon,
  type AreaCollection,
  type AreaImportError,
  type Polygon,
  type RoutingAreasImportReport,
  type RoutingRule,
} from '@grc/domain';
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

/** The problem's words for the import's codes (the console words them itself from `code` and `params`). */
const IMPORT_MESSAGES: Record<string, string> = {
  'geojson.empty': 'Le fichier ne contient aucune zone (FeatureCollection de Polygon attendue).',
  'geojson.too_many': 'Trop de zones dans un seul fichier.',
  'geojson.not_polygon': 'Cette entité n’est pas un polygone.',
  'geojson.holes': 'Les polygones à trous ne sont pas acceptés.',
  'geojson.ring': 'Le contour du polygone est invalide.',
  'geojson.point': 'Un point du polygone est invalide (longitude, latitude en degrés).',
  'geojson.unknown_department': 'Service inconnu (code).',
  'geojson.department_required': 'Indiquez le service (propriété department, son code).',
  'geojson.unknown_category': 'Catégorie inconnue (code).',
  'geojson.category_required': 'Indiquez la catégorie (propriété category, son code).',
  'geojson.category_changed': 'La catégorie d’une règle existante ne change pas par l’import.',
  'geojson.duplicate_rule': 'Cette règle apparaît deux fois dans le fichier.',
  'geojson.name_required': 'Donnez un nom à la zone (propriété name).',
};
const importProblem = (errors: readonly AreaImportError[]) => {
  const fields = errors.map((e) => ({
    field: e.field,
    code: e.code,
    params: { feature: e.index === null ? null : e.index + 1, ...(e.params ?? {}) },
    message: `${e.index === null ? '' : `Zone n° ${e.index + 1} : `}${IMPORT_MESSAGES[e.code] ?? 'Polygone invalide.'}${
      e.params?.['code'] ? ` (${e.params['code']})` : ''
    }`,
  }));
  return badRequest(fields.length === 1 ? fields[0]!.message : `${fields.length} erreurs dans le fichier : rien n’a été importé.`, fields);
};

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

  /** Every rule's area as GeoJSON (closed rings; `ruleId`, `name`, category and department codes in the properties). */
  async exportAreas(): Promise<AreaCollection> {
    const [rules, codes] = await Promise.all([this.rules.list(), this.rules.codes()]);
    const category = new Map(codes.categories.map((c) => [c.id, c.code]));
    const department = new Map(codes.departments.map((d) => [d.id, d.code]));
    return areasToGeoJson(
      rules.map((r) => ({
        id: r.id,
        areaName: r.areaName,
        area: r.area,
        category: category.get(r.categoryId),
        department: department.get(r.departmentId),
      })),
    );
  }

  /**
   * The GeoJSON import of routing areas (libs/domain `planAreaImport`): features naming a rule replace its area,
   * the others create rules from their category and department codes. `dryRun`: the plan only (the admin's
   * preview). Otherwise the plan is applied in one transaction, each rule's change audited (`routing_rule.import`);
   * any error in the file and nothing is changed (400, every feature at fault with its field).
   */
  async importAreas(actor: Actor, input: unknown, dryRun: boolean): Promise<RoutingAreasImportReport> {
    return this.db.transaction(async (m) => {
      await this.rules.lockAreasImport(m);
      const [rules, codes] = await Promise.all([this.rules.list(m), this.rules.codes(m)]);
      const plan = planAreaImport(input, { rules: rules.map(toRoutingRule), ...codes });
      if (!plan.ok) throw importProblem(plan.errors);
      const items: RoutingAreasImportReport['items'] = [];
      for (const a of plan.actions) {
        let ruleId: string | null = a.kind === 'create' ? null : a.ruleId;
        if (!dryRun && a.kind === 'create') {
          const saved = await this.rules.insert(
            {
              categoryId: a.categoryId,
              departmentId: a.departmentId,
              areaName: a.areaName,
              area: a.area,
              position: await this.rules.nextPosition(a.categoryId, m),
            },
            m,
          );
          ruleId = saved.id;
          await this.audit.record(
            m,
            auditActor(actor),
            'routing_rule.import',
            'routing_rule',
            saved.id,
            diff(null, toRoutingRule(saved), FIELDS),
          );
        } else if (!dryRun && a.kind === 'update') {
          const row = (await this.rules.findForUpdate(a.ruleId, m))!;
          const before = toRoutingRule(row);
          Object.assign(row, { departmentId: a.departmentId, areaName: a.areaName, area: a.area });
          const after = toRoutingRule(await this.rules.save(row, m));
          await this.audit.record(m, auditActor(actor), 'routing_rule.import', 'routing_rule', a.ruleId, diff(before, after, FIELDS));
        }
        items.push({
          index: a.index,
          kind: a.kind,
          ruleId,
          categoryId: a.categoryId,
          departmentId: a.departmentId,
          areaName: a.areaName,
          changes: a.kind === 'update' ? a.changes : [],
        });
      }
      const count = (k: string) => items.filter((i) => i.kind === k).length;
      return { dryRun, created: count('create'), updated: count('update'), unchanged: count('unchanged'), items };
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
