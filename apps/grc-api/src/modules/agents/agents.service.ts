import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Agent } from '@grc/domain';
import { conflict, invalidField, notFound } from '../../common/problem';
import { AuditService, auditActor, Changes, diff } from '../audit/audit.service';
import { hashPassword } from '../auth/auth.service';
import type { Actor } from '../auth/authenticated-agent';
import { SessionService } from '../auth/session.service';
import { pgCode, PG_UNIQUE_VIOLATION } from '../reference/db-errors';
import { staleVersion } from '../reference/departments.service';
import { CreateAgentDto, UpdateAgentDto } from './agent.dto';

const FIELDS: Array<keyof Agent> = ['email', 'displayName', 'role', 'locale', 'active', 'departmentIds'];

interface AgentRow {
  id: string; email: string; display_name: string; role: Agent['role']; locale: Agent['locale'];
  active: boolean; version: number; department_ids: string[];
}

const toAgent = (r: AgentRow): Agent => ({
  id: r.id, email: r.email, displayName: r.display_name, role: r.role, locale: r.locale, active: r.active,
  departmentIds: [...r.department_ids].sort(), version: r.version,
});

/** Never selects password_hash. */
const SELECT_AGENTS = `
  SELECT a.id, a.email, a.display_name, a.role, a.locale, a.active, a.version,
    coalesce(array_agg(ad.department_id ORDER BY ad.department_id) FILTER (WHERE ad.department_id IS NOT NULL), '{}') AS department_ids
  FROM agents a LEFT JOIN agent_departments ad ON ad.agent_id = a.id`;

const emailTaken = (email: string) =>
  conflict(`L'adresse ${email} est déjà celle d'un autre agent.`, [{ field: 'email', message: 'Adresse déjà utilisée', code: 'duplicate_email' }]);

const PASSWORD_CHANGED = { before: '***', after: '***' };

@Injectable()
export class AgentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
  ) {}

  /** The directory (for assignment and the admin screen), by name. */
  async list(): Promise<Agent[]> {
    const rows: AgentRow[] = await this.db.query(`${SELECT_AGENTS} GROUP BY a.id ORDER BY a.display_name, a.id`);
    return rows.map(toAgent);
  }

  async create(actor: Actor, input: CreateAgentDto): Promise<Agent> {
    const departmentIds = this.checkDepartments(input.role, input.departmentIds);
    const passwordHash = await hashPassword(input.password);
    return this.write(input.email, async (m) => {
      await this.ensureEmailFree(m, input.email, null);
      await this.ensureDepartmentsExist(m, input.departmentIds);
      const [row]: Array<{ id: string }> = await m.query(
        `INSERT INTO agents (email, display_name, password_hash, role, locale, active) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [input.email, input.displayName, passwordHash, input.role, input.locale ?? 'fr', input.active ?? true],
      );
      await this.setDepartments(m, row!.id, departmentIds);
      const after = await this.load(m, row!.id);
      await this.audit.record(m, auditActor(actor), 'agent.create', 'agent', after.id, { ...diff(null, after, FIELDS), password: { before: null, after: '***' } });
      return after;
    });
  }

  async update(actor: Actor, id: string, input: UpdateAgentDto): Promise<Agent> {
    const departmentIds = this.checkDepartments(input.role, input.departmentIds);
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const result = await this.write(input.email, async (m) => {
      const locked: Array<{ version: number }> = await m.query(`SELECT version FROM agents WHERE id = $1 FOR UPDATE`, [id]);
      if (!locked[0]) throw notFound('Agent');
      if (locked[0].version !== input.version) throw staleVersion('cet agent');
      const before = await this.load(m, id);
      if (input.email !== before.email) await this.ensureEmailFree(m, input.email, id);
      if (id === actor.agent.id && (input.role !== 'admin' || input.active === false)) {
        throw invalidField(input.active === false ? 'active' : 'role', 'Vous ne pouvez pas retirer vos propres droits d’administrateur ni désactiver votre compte.', 'self_lockout');
      }
      const next: Agent = {
        ...before, email: input.email, displayName: input.displayName, role: input.role,
        locale: input.locale ?? before.locale, active: input.active ?? before.active, departmentIds,
      };
      const changes: Changes = diff(before, next, FIELDS);
      if (passwordHash !== null) changes['password'] = PASSWORD_CHANGED;
      if (Object.keys(changes).length === 0) return { agent: before, closeSessions: false };
      if (changes['departmentIds']) await this.ensureDepartmentsExist(m, input.departmentIds);
      await m.query(
        `UPDATE agents SET email = $2, display_name = $3, role = $4, locale = $5, active = $6,
           password_hash = coalesce($7, password_hash), updated_at = now(), version = version + 1
         WHERE id = $1`,
        [id, next.email, next.displayName, next.role, next.locale, next.active, passwordHash],
      );
      if (changes['departmentIds']) await this.setDepartments(m, id, departmentIds);
      const closeSessions = passwordHash !== null || (before.active && !next.active);
      // sessions go in the same transaction: a deactivated agent is logged out exactly when the change commits
      if (closeSessions) await m.query(`DELETE FROM sessions WHERE agent_id = $1`, [id]);
      await this.audit.record(m, auditActor(actor), 'agent.update', 'agent', id, changes);
      return { agent: await this.load(m, id), closeSessions };
    });
    // and once more after commit, for a session opened while the transaction ran (a login with the old password)
    if (result.closeSessions) await this.sessions.closeAllFor(id);
    return result.agent;
  }

  private checkDepartments(role: Agent['role'], ids: string[]): string[] {
    const unique = [...new Set(ids)].sort();
    if (role !== 'admin' && unique.length === 0) {
      throw invalidField('departmentIds', 'Un agent ou un chef de service appartient à au moins un service.', 'department_required');
    }
    return unique;
  }

  /** `ids` as the client sent them, so that the field at fault names the right index. */
  private async ensureDepartmentsExist(m: EntityManager, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const found: Array<{ id: string }> = await m.query(`SELECT id FROM departments WHERE id = ANY($1::uuid[]) FOR SHARE`, [ids]);
    const known = new Set(found.map((r) => r.id));
    const missing = ids.findIndex((d) => !known.has(d));
    if (missing >= 0) throw invalidField(`departmentIds.${missing}`, 'Service introuvable.', 'department_not_found');
  }

  private async setDepartments(m: EntityManager, agentId: string, ids: string[]): Promise<void> {
    await m.query(`DELETE FROM agent_departments WHERE agent_id = $1`, [agentId]);
    if (ids.length) {
      await m.query(`INSERT INTO agent_departments (agent_id, department_id) SELECT $1, unnest($2::uuid[])`, [agentId, ids]);
    }
  }

  private async ensureEmailFree(m: EntityManager, email: string, exceptId: string | null): Promise<void> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM agents WHERE email = $1 AND id IS DISTINCT FROM $2`, [email, exceptId]);
    if (rows.length) throw emailTaken(email);
  }

  private async load(m: EntityManager, id: string): Promise<Agent> {
    const rows: AgentRow[] = await m.query(`${SELECT_AGENTS} WHERE a.id = $1 GROUP BY a.id`, [id]);
    if (!rows[0]) throw notFound('Agent');
    return toAgent(rows[0]);
  }

  private async write<T>(email: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (e) {
      if (pgCode(e) === PG_UNIQUE_VIOLATION) throw emailTaken(email);
      throw e;
    }
  }
}
