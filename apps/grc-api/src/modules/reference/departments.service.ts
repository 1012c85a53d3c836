import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { validateKindChange, validateParentChange, type Department } from '@grc/domain';
import { conflict, invalidField, notFound } from '../../common/problem';
import type { DepartmentEntity } from '../../database/entities';
import { AuditService, auditActor, diff } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { pgCode, PG_UNIQUE_VIOLATION } from './db-errors';
import { CreateDepartmentDto, UpdateDepartmentDto } from './department.dto';
import { DepartmentsRepository } from './departments.repository';

/** stands for a department being created (not in the table yet) in the tree checks */
const NEW_DEPARTMENT = '00000000-0000-0000-0000-000000000000';

const FIELDS: Array<keyof Department> = ['code', 'name', 'kind', 'parentId', 'email', 'active', 'frontDesk'];

export const toDepartment = (d: DepartmentEntity): Department => ({
  id: d.id,
  code: d.code,
  name: d.name,
  kind: d.kind,
  parentId: d.parentId,
  email: d.email,
  active: d.active,
  frontDesk: d.frontDesk,
  version: d.version,
});

export const staleVersion = (what: string) =>
  conflict(`Quelqu'un d'autre a modifié ${what} entre-temps. Rechargez la page avant de recommencer.`, [
    { field: 'version', message: 'Version périmée', code: 'stale_version' },
  ]);

export const codeTaken = (code: string) =>
  conflict(`Le code « ${code} » est déjà utilisé.`, [{ field: 'code', message: 'Code déjà utilisé', code: 'duplicate_code' }]);

/** Refuses a department id that names nothing (400 on `field`); locks it against a concurrent change. */
export async function ensureDepartmentExists(
  departments: DepartmentsRepository,
  m: EntityManager,
  id: string,
  field: string,
): Promise<void> {
  if (!(await departments.lockExisting([id], m)).has(id)) throw invalidField(field, 'Département introuvable.', 'department_not_found');
}

@Injectable()
export class DepartmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly departments: DepartmentsRepository,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<Department[]> {
    return (await this.departments.list()).map(toDepartment);
  }

  async create(actor: Actor, input: CreateDepartmentDto): Promise<Department> {
    return this.write(async (m) => {
      await this.ensureCodeFree(m, input.code, null);
      const parentId = input.parentId ?? null;
      await this.ensureHierarchy(m, null, input.kind, parentId);
      const saved = await this.departments.insert(
        {
          code: input.code,
          name: input.name,
          kind: input.kind,
          parentId,
          email: input.email ?? null,
          active: input.active ?? true,
          frontDesk: input.frontDesk ?? false,
        },
        m,
      );
      const after = toDepartment(saved);
      await this.audit.record(m, auditActor(actor), 'department.create', 'department', after.id, diff(null, after, FIELDS));
      return after;
    }, input.code);
  }

  async update(actor: Actor, id: string, input: UpdateDepartmentDto): Promise<Department> {
    return this.write(async (m) => {
      const row = await this.departments.findForUpdate(id, m);
      if (!row) throw notFound('Département');
      if (row.version !== input.version) throw staleVersion('ce département');
      const before = toDepartment(row);
      if (input.code !== row.code) await this.ensureCodeFree(m, input.code, id);
      const parentId = input.parentId === undefined ? row.parentId : input.parentId;
      if (parentId !== row.parentId || input.kind !== row.kind) await this.ensureHierarchy(m, id, input.kind, parentId);
      Object.assign(row, {
        code: input.code,
        name: input.name,
        kind: input.kind,
        parentId,
        email: input.email === undefined ? row.email : input.email,
        active: input.active ?? row.active,
        frontDesk: input.frontDesk ?? row.frontDesk,
      });
      const changes = diff(before, toDepartment(row), FIELDS);
      if (Object.keys(changes).length === 0) return before;
      const after = toDepartment(await this.departments.save(row, m));
      await this.audit.record(m, auditActor(actor), 'department.update', 'department', id, changes);
      return after;
    }, input.code);
  }

  /** One transaction; hierarchy writes are serialised so that two concurrent moves cannot build a cycle. */
  private async write<T>(work: (m: EntityManager) => Promise<T>, code: string): Promise<T> {
    try {
      return await this.db.transaction(async (m) => {
        await this.departments.lockTree(m);
        return work(m);
      });
    } catch (e) {
      if (pgCode(e) === PG_UNIQUE_VIOLATION) throw codeTaken(code);
      throw e;
    }
  }

  private async ensureCodeFree(m: EntityManager, code: string, exceptId: string | null): Promise<void> {
    if (await this.departments.isCodeTaken(code, exceptId, m)) throw codeTaken(code);
  }

  /** The tree rules of libs/domain: no cycle, no direction under a service (in either direction of the change). */
  private async ensureHierarchy(m: EntityManager, id: string | null, kind: Department['kind'], parentId: string | null): Promise<void> {
    const all = await this.departments.tree(m);
    const self = id ?? NEW_DEPARTMENT;
    const next = id ? all.map((d) => (d.id === id ? { ...d, kind, parentId } : d)) : all;
    for (const r of [validateParentChange(all, self, parentId, kind), id ? validateKindChange(next, id, kind) : { ok: true as const }]) {
      if (!r.ok) throw invalidField(r.field ?? 'parentId', r.message, r.code);
    }
  }
}
