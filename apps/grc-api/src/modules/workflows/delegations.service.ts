import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor as EngineActor, Delegation as EngineDelegation, WorkflowRole } from '@grc/workflows';
import type { Delegation, DelegationInput } from '@grc/domain';
import { badRequest, forbidden, notFound, ProblemException } from '../../common/problem';
import { AuditService, auditActor } from '../audit/audit.service';
import { actorId, type Actor, type AuthenticatedAgent } from '../auth/authenticated-agent';

const MAX_DAYS = 366;

interface DelegationRow {
  id: string;
  from_agent_id: string;
  from_name: string;
  to_agent_id: string;
  to_name: string;
  starts_at: Date;
  ends_at: Date;
  created_at: Date;
  revoked_at: Date | null;
}
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
const SELECT = `SELECT d.id, d.from_agent_id, f.display_name AS from_name, d.to_agent_id, t.display_name AS to_name,
  d.starts_at, d.ends_at, d.created_at, d.revoked_at
  FROM delegations d JOIN agents f ON f.id = d.from_agent_id JOIN agents t ON t.id = d.to_agent_id`;

/**
 * Delegations of approvals and opinions for a period (a head away names a delegate), and the
 * mapping of our agents to the engine's actors: role, departments by code, delegations received.
 */
@Injectable()
export class DelegationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Admins: all; others: the ones they gave or received. */
  async list(agent: AuthenticatedAgent): Promise<Delegation[]> {
    const admin = agent.role === 'admin';
    const rows: DelegationRow[] = await this.db.query(
      `${SELECT} ${admin ? '' : 'WHERE d.from_agent_id = $1 OR d.to_agent_id = $1'} ORDER BY d.starts_at DESC, d.id LIMIT 500`,
      admin ? [] : [agent.id],
    );
    return rows.map((r) => toDelegation(r));
  }

  async create(actor: Actor, input: DelegationInput): Promise<Delegation> {
    const me = actor.agent;
    const fromId = input.fromAgentId ?? me.id;
    if (fromId !== me.id && me.role !== 'admin') throw forbidden('Seul un administrateur peut déléguer pour un autre agent.');
    const starts = new Date(input.startsAt);
    const ends = new Date(input.endsAt);
    const errors: Array<{ field: string; message: string }> = [];
    if (Number.isNaN(starts.getTime())) errors.push({ field: 'startsAt', message: 'Date de début invalide.' });
    if (Number.isNaN(ends.getTime())) errors.push({ field: 'endsAt', message: 'Date de fin invalide.' });
    if (!errors.length && ends <= starts) errors.push({ field: 'endsAt', message: 'La fin doit suivre le début.' });
    if (!errors.length && ends.getTime() <= Date.now()) errors.push({ field: 'endsAt', message: 'La période est déjà passée.' });
    if (!errors.length && ends.getTime() - starts.getTime() > MAX_DAYS * 86_400_000)
      errors.push({ field: 'endsAt', message: `Une délégation dure ${MAX_DAYS} jours au plus.` });
    if (input.toAgentId === fromId) errors.push({ field: 'toAgentId', message: 'On ne se délègue pas à soi-même.' });
    if (errors.length) throw badRequest(errors.map((e) => e.message).join(' '), errors);
    const id = await this.db.transaction(async (m) => {
      const agents: Array<{ id: string; active: boolean; role: string }> = await m.query(
        `SELECT id, active, role FROM agents WHERE id = ANY($1::uuid[])`,
        [[fromId, input.toAgentId]],
      );
      const from = agents.find((a) => a.id === fromId);
      const to = agents.find((a) => a.id === input.toAgentId);
      if (!from) throw badRequest('Délégant inconnu.', [{ field: 'fromAgentId', message: 'Agent inconnu.' }]);
      if (!to?.active)
        throw badRequest('Délégataire inconnu ou désactivé.', [{ field: 'toAgentId', message: 'Agent inconnu ou désactivé.' }]);
      const overlap = await m.query(
        `SELECT 1 FROM delegations WHERE from_agent_id = $1 AND to_agent_id = $2 AND revoked_at IS NULL AND starts_at < $4 AND ends_at > $3`,
        [fromId, input.toAgentId, starts, ends],
      );
      if (overlap.length)
        throw new ProblemException(409, 'Conflit', 'Une délégation au même agent couvre déjà une partie de cette période.', [
          { field: 'startsAt', message: 'Période déjà couverte.', code: 'overlap' },
        ]);
      const [row] = await m.query(
        `INSERT INTO delegations (from_agent_id, to_agent_id, starts_at, ends_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [fromId, input.toAgentId, starts, ends, actorId(actor)],
      );
      await this.audit.record(m, auditActor(actor), 'delegation.create', 'delegation', row.id, {
        from: { before: null, after: fromId },
        to: { before: null, after: input.toAgentId },
        startsAt: { before: null, after: starts.toISOString() },
        endsAt: { before: null, after: ends.toISOString() },
      });
      return row.id as string;
    });
    const [row] = await this.db.query(`${SELECT} WHERE d.id = $1`, [id]);
    return toDelegation(row);
  }

  /** The delegator (or an admin) ends a delegation now. */
  async revoke(actor: Actor, id: string): Promise<Delegation> {
    await this.db.transaction(async (m) => {
      const [d] = await m.query(`SELECT from_agent_id, revoked_at FROM delegations WHERE id = $1 FOR UPDATE`, [id]);
      if (!d || (d.from_agent_id !== actor.agent.id && actor.agent.role !== 'admin')) throw notFound('Délégation');
      if (d.revoked_at) throw new ProblemException(409, 'Conflit', 'Cette délégation est déjà révoquée.');
      await m.query(`UPDATE delegations SET revoked_at = now() WHERE id = $1`, [id]);
      await this.audit.record(m, auditActor(actor), 'delegation.revoke', 'delegation', id, {
        revokedAt: { before: null, after: new Date().toISOString() },
      });
    });
    const [row] = await this.db.query(`${SELECT} WHERE d.id = $1`, [id]);
    return toDelegation(row);
  }

  /** The engine's view of an agent: role, own departments by code, delegations received (not revoked, not over). */
  async engineActor(m: EntityManager, agent: AuthenticatedAgent): Promise<EngineActor> {
    const [row] = await m.query(
      `SELECT
         (SELECT coalesce(array_agg(d.code), '{}') FROM agent_departments ad JOIN departments d ON d.id = ad.department_id WHERE ad.agent_id = $1) AS codes,
         (SELECT coalesce(json_agg(json_build_object('fromAgentId', f.id, 'fromRole', f.role, 'from', dl.starts_at, 'to', dl.ends_at,
            'fromDepartmentIds', (SELECT coalesce(array_agg(d.code), '{}') FROM agent_departments ad JOIN departments d ON d.id = ad.department_id WHERE ad.agent_id = f.id))
            ORDER BY dl.starts_at), '[]')
          FROM delegations dl JOIN agents f ON f.id = dl.from_agent_id
          WHERE dl.to_agent_id = $1 AND dl.revoked_at IS NULL AND dl.ends_at > now() AND f.active) AS delegations`,
      [agent.id],
    );
    const delegations: EngineDelegation[] = (row.delegations as Array<EngineDelegation & { from: string; to: string }>).map((d) => ({
      ...d,
      fromRole: d.fromRole as WorkflowRole,
      from: new Date(d.from).toISOString(),
      to: new Date(d.to).toISOString(),
    }));
    return { id: agent.id, role: agent.role, departmentIds: row.codes, delegations };
  }
}
