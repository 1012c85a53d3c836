import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { checkFieldDefinitions, sortFields, type Category, type CategoryField } from '@grc/domain';
import { badRequest, notFound } from '../../common/problem';
import type { CategoryEntity } from '../../database/entities';
import { AuditService, auditActor, diff } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { CreateCategoryDto, UpdateCategoryDto } from './category.dto';
import { pgCode, PG_UNIQUE_VIOLATION } from './db-errors';
import { CategoriesRepository } from './categories.repository';
import { CategoryFieldsRepository } from './category-fields.repository';
import { DepartmentsRepository } from './departments.repository';
import { codeTaken, ensureDepartmentExists, staleVersion } from './departments.service';

const FIELDS: Array<keyof Category> = ['code', 'nameFr', 'nameEn', 'defaultDepartmentId', 'active', 'fields'];

export const toCategory = (c: CategoryEntity, fields: CategoryField[] = []): Category => ({
  id: c.id,
  code: c.code,
  nameFr: c.nameFr,
  nameEn: c.nameEn,
  defaultDepartmentId: c.defaultDepartmentId,
  active: c.active,
  version: c.version,
  fields,
});

/** The administrator's field definitions checked by the domain's rules (400 on `fields.<i>.<prop>`). */
function checkedFields(input: CreateCategoryDto): CategoryField[] | undefined {
  if (input.fields === undefined) return undefined;
  const r = checkFieldDefinitions(input.fields);
  if (!r.ok) throw badRequest('Les champs de la catégorie sont invalides.', r.errors);
  return sortFields(r.value);
}

@Injectable()
export class CategoriesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly categories: CategoriesRepository,
    private readonly fields: CategoryFieldsRepository,
    private readonly departments: DepartmentsRepository,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<Category[]> {
    const [rows, fields, origins] = await Promise.all([this.categories.list(), this.fields.byCategory(), this.categories.origins()]);
    return rows.map((c) => {
      const category = toCategory(c, fields.get(c.id) ?? []);
      const origin = origins.get(c.id);
      return origin ? { ...category, origin } : category;
    });
  }

  async create(actor: Actor, input: CreateCategoryDto): Promise<Category> {
    const fields = checkedFields(input) ?? [];
    return this.write(input.code, async (m) => {
      await this.ensureCodeFree(m, input.code, null);
      await ensureDepartmentExists(this.departments, m, input.defaultDepartmentId, 'defaultDepartmentId');
      const saved = await this.categories.insert(
        {
          code: input.code,
          nameFr: input.nameFr,
          nameEn: input.nameEn,
          defaultDepartmentId: input.defaultDepartmentId,
          active: input.active ?? true,
        },
        m,
      );
      await this.fields.replace(saved.id, fields, m);
      const after = toCategory(saved, fields);
      await this.audit.record(m, auditActor(actor), 'category.create', 'category', after.id, diff(null, after, FIELDS));
      return after;
    });
  }

  async update(actor: Actor, id: string, input: UpdateCategoryDto): Promise<Category> {
    const fields = checkedFields(input);
    return this.write(input.code, async (m) => {
      const row = await this.categories.findForUpdate(id, m);
      if (!row) throw notFound('Catégorie');
      if (row.version !== input.version) throw staleVersion('cette catégorie');
      const before = toCategory(row, await this.fields.ofCategory(id, m));
      if (input.code !== row.code) await this.ensureCodeFree(m, input.code, id);
      if (input.defaultDepartmentId !== row.defaultDepartmentId)
        await ensureDepartmentExists(this.departments, m, input.defaultDepartmentId, 'defaultDepartmentId');
      Object.assign(row, {
        code: input.code,
        nameFr: input.nameFr,
        nameEn: input.nameEn,
        defaultDepartmentId: input.defaultDepartmentId,
        active: input.active ?? row.active,
      });
      const changes = diff(before, toCategory(row, fields ?? before.fields), FIELDS);
      if (Object.keys(changes).length === 0) return before;
      if (changes['fields']) await this.fields.replace(id, fields!, m);
      // the version is bumped even when only the fields changed (the screen's optimistic lock)
      row.updatedAt = new Date();
      const after = toCategory(await this.categories.save(row, m), fields ?? before.fields);
      await this.audit.record(m, auditActor(actor), 'category.update', 'category', id, changes);
      return after;
    });
  }

  private async write<T>(code: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (e) {
      if (pgCode(e) === PG_UNIQUE_VIOLATION) throw codeTaken(code);
      throw e;
    }
  }

  private async ensureCodeFree(m: EntityManager, code: string, exceptId: string | null): Promise<void> {
    if (await this.categories.isCodeTaken(code, exceptId, m)) throw codeTaken(code);
  }
}
