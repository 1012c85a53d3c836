import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectEntityManager } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor as EngineActor, Delegation as EngineDelegation, WorkflowRole } from '@grc/workflows';
import type { Delegation, DelegationInput } from '@grc/domain';
import { badRequest, forbidden, notFound, ProblemException, type FieldError } from '../../common/problem';
import { AuditService, auditActor } from '../audit/audit.service';
import { AgentsRepository } from '../agents/agents.repository';
import { actorId, type Actor, type AuthenticatedAgent } from '../auth/authenticated-agent';
import { DelegationsRepository, type DelegationRow } from './delegations.repository';

const MAX_DAYS = 366;

const toDelegation = (r: DelegationRow, now = Date.now()): Delegation => ({
  id: r.id,
  from: { id: r.from_agent_id, displayName: r.from_name },
  to: { id: r.to_agent_id, displayName: r.to_name },
  startsAt: new Date(r.starts_at).toISOString(),
  endsAt: new Date(r.ends_at).toISOString(),
  createdAt: new Date(r.created_at).toISOString(),
  revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
  active: !r.revoked_at && new Date(r.starts_at).getTime() <= now && now < new Date(r.ends_at).getTime(),
});
/**
 * Delegations of approvals and opinions for a period (a head away names a delegate), and the
 * mapping of our agents to the engine's actors: role, departments by code, delegations received.
 */
@Injectable()
export class DelegationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    /** reads outside a transaction */
    @InjectEntityManager() private readonly reader: EntityManager,
    private readonly repo: DelegationsRepository,
    private readonly agents: AgentsRepository,
    private readonly audit: AuditService,
  ) {}

  /** Admins: all; others: the ones they gave or received. */
  async list(agent: AuthenticatedAgent): Promise<Delegation[]> {
    const admin = agent.role === 'admin';
    const rows = await this.repo.list(this.reader, admin ? null : agent.id);
    return rows.map((r) => toDelegation(r));
  }

  async create(actor: Actor, input: DelegationInput): Promise<Delegation> {
    const me = actor.agent;
    const fromId = input.fromAgentId ?? me.id;
    if (fromId !== me.id && me.role !== 'admin') throw forbidden('Seul un administrateur peut déléguer pour un autre agent.');
    const starts = new Date(input.startsAt);
    const ends = new Date(input.endsAt);
    const errors: FieldError[] = [];
    if (Number.isNaN(starts.getTime())) errors.push({ field: 'startsAt', message: 'Date de début invalide.', code: 'isDateString' });
    if (Number.isNaN(ends.getTime())) errors.push({ field: 'endsAt', message: 'Date de fin invalide.', code: 'isDateString' });
    if (!errors.length && ends <= starts)
      errors.push({ field: 'endsAt', message: 'La fin doit suivre le début.', code: 'period.end_before_start' });
    if (!errors.length && ends.getTime() <= Date.now())
      errors.push({ field: 'endsAt', message: 'La période est déjà passée.', code: 'period.past' });
    if (!errors.length && ends.getTime() - starts.getTime() > MAX_DAYS * 86_400_000)
      errors.push({
        field: 'endsAt',
        message: `Une délégation dure ${MAX_DAYS} jours au plus.`,
        code: 'period.too_long',
        params: { maxDays: MAX_DAYS },
      });
    if (input.toAgentId === fromId)
      errors.push({ field: 'toAgentId', message: 'On ne se délègue pas à soi-même.', code: 'delegation.self' });
    if (errors.length) throw badRequest(errors.map((e) => e.message).join(' '), errors);
    const id = await this.db.transaction(async (m) => {
      const from = await this.agents.find(fromId, m);
      const to = await this.agents.find(input.toAgentId, m);
      if (!from) throw badRequest('Délégant inconnu.', [{ field: 'fromAgentId', message: 'Agent inconnu.', code: 'agent_not_found' }]);
      if (!to?.active)
        throw badRequest('Délégataire inconnu ou désactivé.', [
          { field: 'toAgentId', message: 'Agent inconnu ou désactivé.', code: 'agent_unknown_or_inactive' },
        ]);
      if (await this.repo.overlaps(m, fromId, input.toAgentId, starts, ends))
        throw new ProblemException(409, 'Conflit', 'Une délégation au même agent couvre déjà une partie de cette période.', [
          { field: 'startsAt', message: 'Période déjà couverte.', code: 'overlap' },
        ]);
      const id = await this.repo.insert(m, fromId, input.toAgentId, starts, ends, actorId(actor));
      await this.audit.record(m, auditActor(actor), 'delegation.create', 'delegation', id, {
        from: { before: null, after: fromId },
        to: { before: null, after: input.toAgentId },
        startsAt: { before: null, after: starts.toISOString() },
        endsAt: { before: null, after: ends.toISOString() },
      });
      return id;
    });
    return toDelegation((await this.repo.find(this.reader, id))!);
  }

  /** The delegator (or an admin) ends a delegation now. */
  async revoke(actor: Actor, id: string): Promise<Delegation> {
    await this.db.transaction(async (m) => {
      const d = await this.repo.lock(m, id);
      if (!d || (d.from_agent_id !== actor.agent.id && actor.agent.role !== 'admin')) throw notFound('Délégation');
      if (d.revoked_at) throw new ProblemException(409, 'Conflit', 'Cette délégation est déjà révoquée.');
      await this.repo.revoke(m, id);
      await this.audit.record(m, auditActor(actor), 'delegation.revoke', 'delegation', id, {
        revokedAt: { before: null, after: new Date().toISOString() },
      });
    });
    return toDelegation((await this.repo.find(this.reader, id))!);
  }

  /** The engine's view of an agent: role, own departments by code, delegations received (not revoked, not over). */
  async engineActor(m: EntityManager, agent: AuthenticatedAgent): Promise<EngineActor> {
    const row = await this.repo.engineActor(m, agent.id);
    const delegations: EngineDelegation[] = row.delegations.map((d) => ({
      ...d,
      fromRole: d.fromRole as WorkflowRole,
      from: new Date(d.from).toISOString(),
      to: new Date(d.to).toISOString(),
    }));
    return { id: agent.id, role: agent.role, departmentIds: row.codes, delegations };
  }
}
