import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { INBOX_COLUMNS, shareRefusal, type SavedView } from '@grc/domain';
import { conflict, notFound, ProblemException } from '../../common/problem';
import { AuditService, auditActor, type Changes } from '../audit/audit.service';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import type { SavedViewDto, SavedViewUpdateDto } from './views.dto';
import { ViewsRepository, type SavedViewRow, type SavedViewWrite } from './views.repository';

const toView = (agent: AuthenticatedAgent, r: SavedViewRow): SavedView => ({
  id: r.id,
  name: r.name,
  query: r.query,
  columns: r.columns,
  sharedDepartmentIds: r.shared_department_ids,
  owner: { id: r.owner_id, displayName: r.owner_name },
  mine: r.owner_id === agent.id,
  version: r.version,
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * Saved views of the inbox (docs/live.md): personal, or shared by a head with their departments. Only
 * the owner changes or deletes a view (someone else's answers 404, as for one that does not exist);
 * every change is audited (`view.create`, `view.update`, `view.delete`).
 */
@Injectable()
export class ViewsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly views: ViewsRepository,
    private readonly audit: AuditService,
  ) {}

  async list(agent: AuthenticatedAgent): Promise<SavedView[]> {
    return (await this.views.visibleTo(agent.id, agent.departmentIds)).map((r) => toView(agent, r));
  }

  async create(actor: Actor, dto: SavedViewDto): Promise<SavedView> {
    const w = this.checked(actor.agent, dto);
    const id = await this.db.transaction(async (m) => {
      const id = await this.views.insert(m, actor.agent.id, w);
      await this.audit.record(m, auditActor(actor), 'view.create', 'saved_view', id, changesOf(null, w));
      return id;
    });
    return toView(actor.agent, (await this.views.find(id))!);
  }

  async update(actor: Actor, id: string, dto: SavedViewUpdateDto): Promise<SavedView> {
    const w = this.checked(actor.agent, dto);
    await this.db.transaction(async (m) => {
      const row = await this.ownRow(m, actor.agent, id);
      if (row.version !== dto.version)
        throw conflict('Cette vue a été modifiée entre-temps.', [{ field: 'version', message: 'Version périmée', code: 'stale_version' }]);
      await this.views.update(m, id, w);
      await this.audit.record(m, auditActor(actor), 'view.update', 'saved_view', id, changesOf(row, w));
    });
    return toView(actor.agent, (await this.views.find(id))!);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await this.ownRow(m, actor.agent, id);
      await this.views.delete(m, id);
      await this.audit.record(m, auditActor(actor), 'view.delete', 'saved_view', id, { name: { before: row.name, after: null } });
    });
  }

  /** The caller's own view, locked; anyone else's — shared with them or not — answers 404. */
  private async ownRow(m: EntityManager, agent: AuthenticatedAgent, id: string): Promise<SavedViewRow> {
    const row = await this.views.find(id, { m, lock: true });
    if (!row || row.owner_id !== agent.id) throw notFound('Vue');
    return row;
  }

  private checked(agent: AuthenticatedAgent, dto: SavedViewDto): SavedViewWrite {
    const shared = [...new Set(dto.sharedDepartmentIds)];
    const refused = shareRefusal(agent, shared);
    if (refused)
      throw new ProblemException(400, 'Requête invalide', refused.message, [
        { field: 'sharedDepartmentIds', message: refused.message, code: refused.code },
      ]);
    const { view, q, status, channel, categoryId, departmentId, priority, assigneeId, breached, sort } = dto.query;
    const query = Object.fromEntries(
      Object.entries({
        view,
        q: q?.trim() || undefined,
        status,
        channel,
        categoryId,
        departmentId,
        priority,
        assigneeId,
        breached,
        sort,
      }).filter(([, v]) => v !== undefined),
    );
    // the chosen columns in the inbox's order
    const columns = INBOX_COLUMNS.filter((c) => dto.columns.includes(c));
    return { name: dto.name.trim() || 'Vue', query, columns, sharedDepartmentIds: shared };
  }
}

const changesOf = (before: SavedViewRow | null, w: SavedViewWrite): Changes => ({
  name: { before: before?.name ?? null, after: w.name },
  query: { before: before?.query ?? null, after: w.query },
  columns: { before: before?.columns ?? null, after: [...w.columns] },
  sharedDepartmentIds: { before: before?.shared_department_ids ?? null, after: [...w.sharedDepartmentIds] },
});
