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
import { DepartmentsRepository } from '../reference/departments.repository';
import { staleVersion } from '../reference/departments.service';
import { CreateAgentDto, UpdateAgentDto } from './agent.dto';
import { AgentsRepository } from './agents.repository';
import { assertAcceptablePassword } from '../accounts/password-strength';
import { SecondFactorService } from '../accounts/second-factor.service';

const FIELDS: Array<keyof Agent> = ['email', 'displayName', 'role', 'locale', 'active', 'departmentIds'];

const emailTaken = (email: string) =>
  conflict(`L'adresse ${email} est déjà celle d'un autre agent.`, [
    { field: 'email', message: 'Adresse déjà utilisée', code: 'duplicate_email' },
  ]);

const PASSWORD_CHANGED = { before: '***', after: '***' };

@Injectable()
export class AgentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly agents: AgentsRepository,
    private readonly departments: DepartmentsRepository,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
    private readonly secondFactor: SecondFactorService,
  ) {}

  /** The directory (for the admin screen and names), by name; with a search, the pickers' bounded list. */
  async list(query: { q?: string; departmentId?: string[]; limit?: number } = {}): Promise<Agent[]> {
    if (query.q === undefined && query.departmentId === undefined && query.limit === undefined) return this.agents.list();
    const words = (query.q ?? '').split(/\s+/).filter(Boolean).slice(0, 10);
    return this.agents.search({ words, departmentIds: query.departmentId ?? null, limit: query.limit ?? 50 });
  }

  async create(actor: Actor, input: CreateAgentDto): Promise<Agent> {
    const departmentIds = this.checkDepartments(input.role, input.departmentIds);
    assertAcceptablePassword(input.password, input);
    const passwordHash = await hashPassword(input.password);
    return this.write(input.email, async (m) => {
      await this.ensureEmailFree(m, input.email, null);
      await this.ensureDepartmentsExist(m, input.departmentIds);
      const id = await this.agents.insert(
        {
          email: input.email,
          displayName: input.displayName,
          role: input.role,
          locale: input.locale ?? 'fr',
          active: input.active ?? true,
        },
        passwordHash,
        m,
      );
      await this.agents.setDepartments(id, departmentIds, m);
      const after = await this.load(m, id);
      await this.audit.record(m, auditActor(actor), 'agent.create', 'agent', after.id, {
        ...diff(null, after, FIELDS),
        password: { before: null, after: '***' },
      });
      return after;
    });
  }

  async update(actor: Actor, id: string, input: UpdateAgentDto): Promise<Agent> {
    const departmentIds = this.checkDepartments(input.role, input.departmentIds);
    if (input.password !== undefined) assertAcceptablePassword(input.password, input);
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const result = await this.write(input.email, async (m) => {
      const version = await this.agents.lockVersion(id, m);
      if (version === null) throw notFound('Agent');
      if (version !== input.version) throw staleVersion('cet agent');
      const before = await this.load(m, id);
      if (input.email !== before.email) await this.ensureEmailFree(m, input.email, id);
      if (id === actor.agent.id && (input.role !== 'admin' || input.active === false)) {
        throw invalidField(
          input.active === false ? 'active' : 'role',
          'Vous ne pouvez pas retirer vos propres droits d’administrateur ni désactiver votre compte.',
          'self_lockout',
        );
      }
      const next: Agent = {
        ...before,
        email: input.email,
        displayName: input.displayName,
        role: input.role,
        locale: input.locale ?? before.locale,
        active: input.active ?? before.active,
        departmentIds,
      };
      const changes: Changes = diff(before, next, FIELDS);
      if (passwordHash !== null) changes['password'] = PASSWORD_CHANGED;
      if (Object.keys(changes).length === 0) return { agent: before, closeSessions: false };
      if (changes['departmentIds']) await this.ensureDepartmentsExist(m, input.departmentIds);
      await this.agents.update(id, next, passwordHash, m);
      if (changes['departmentIds']) await this.agents.setDepartments(id, departmentIds, m);
      const closeSessions = passwordHash !== null || (before.active && !next.active);
      // sessions go in the same transaction: a deactivated agent is logged out exactly when the change commits
      if (closeSessions) await this.sessions.closeAllFor(id, m);
      await this.audit.record(m, auditActor(actor), 'agent.update', 'agent', id, changes);
      return { agent: await this.load(m, id), closeSessions };
    });
    // and once more after commit, for a session opened while the transaction ran (a login with the old password)
    if (result.closeSessions) await this.sessions.closeAllFor(id);
    return result.agent;
  }

  /**
   * An administrator gives the agent a temporary password: every session of the agent ends, and the next
   * one may only change it (must_change_password) before anything else.
   */
  async resetPassword(actor: Actor, id: string, password: string): Promise<Agent> {
    const owner = await this.agents.find(id);
    if (!owner) throw notFound('Agent');
    assertAcceptablePassword(password, owner);
    const passwordHash = await hashPassword(password);
    const agent = await this.db.transaction(async (m) => {
      if ((await this.agents.lockVersion(id, m)) === null) throw notFound('Agent');
      await this.agents.setPassword(id, passwordHash, true, m);
      await this.sessions.closeAllFor(id, m);
      await this.audit.record(m, auditActor(actor), 'agent.password_reset', 'agent', id, {
        password: PASSWORD_CHANGED,
        mustChangePassword: { before: null, after: true },
      });
      return this.load(m, id);
    });
    await this.sessions.closeAllFor(id);
    return agent;
  }

  /** Removes the agent's second factor (a lost phone); audited. */
  resetSecondFactor(actor: Actor, id: string): Promise<void> {
    return this.secondFactor.adminReset(actor, id);
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
    const known = await this.departments.lockExisting(ids, m);
    const missing = ids.findIndex((d) => !known.has(d));
    if (missing >= 0) throw invalidField(`departmentIds.${missing}`, 'Service introuvable.', 'department_not_found');
  }

  private async ensureEmailFree(m: EntityManager, email: string, exceptId: string | null): Promise<void> {
    if (await this.agents.isEmailTaken(email, exceptId, m)) throw emailTaken(email);
  }

  private async load(m: EntityManager, id: string): Promise<Agent> {
    const agent = await this.agents.find(id, m);
    if (!agent) throw notFound('Agent');
    return agent;
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
