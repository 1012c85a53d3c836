import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Category } from '@grc/domain';
import { notFound } from '../../common/problem';
import type { CategoryEntity } from '../../database/entities';
import { AuditService, auditActor, diff } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { CreateCategoryDto, UpdateCategoryDto } from './category.dto';
import { pgCode, PG_UNIQUE_VIOLATION } from './db-errors';
import { CategoriesRepository } from './categories.repository';
import { DepartmentsRepository } from './departments.repository';
import { codeTaken, ensureDepartmentExists, staleVersion } from './departments.service';

const FIELDS: Array<keyof Category> = ['code', 'nameFr', 'nameEn', 'defaultDepartmentId', 'active'];

export const toCategory = (c: CategoryEntity): Category => ({
  id: c.id,
  code: c.code,
  nameFr: c.nameFr,
  nameEn: c.nameEn,
  defaultDepartmentId: c.defaultDepartmentId,
  active: c.active,
  version: c.version,
});

@Injectable()
export class CategoriesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly categories: CategoriesRepository,
    private readonly departments: DepartmentsRepository,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<Category[]> {
    return (await this.categories.list()).map(toCategory);
  }

  async create(actor: Actor, input: CreateCategoryDto): Promise<Category> {
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
      const after = toCategory(saved);
      await this.audit.record(m, auditActor(actor), 'category.create', 'category', after.id, diff(null, after, FIELDS));
      return after;
    });
  }

  async update(actor: Actor, id: string, input: UpdateCategoryDto): Promise<Category> {
    return this.write(input.code, async (m) => {
      const row = await this.categories.findForUpdate(id, m);
      if (!row) throw notFound('Catégorie');
      if (row.version !== input.version) throw staleVersion('cette catégorie');
      const before = toCategory(row);
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
      const changes = diff(before, toCategory(row), FIELDS);
      if (Object.keys(changes).length === 0) return before;
      const after = toCategory(await this.categories.save(row, m));
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
