import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface DelegationRow {
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

/** An agent as the engine sees them: department codes, delegations received (dates as the driver returns them). */
export interface EngineActorRow {
  codes: string[];
  delegations: Array<{ fromAgentId: string; fromRole: string; from: string; to: string; fromDepartmentIds: string[] }>;
}

const SELECT = `SELECT d.id, d.from_agent_id, f.display_name AS from_name, d.to_agent_id, t.display_name AS to_name,
  d.starts_at, d.ends_at, d.created_at, d.revoked_at
  FROM delegations d JOIN agents f ON f.id = d.from_agent_id JOIN agents t ON t.id = d.to_agent_id`;

/** Every query on `delegations`; each method takes the caller's EntityManager. */
@Injectable()
export class DelegationsRepository {
  /** All delegations (`agentId` null), or the ones the agent gave or received; latest first, 500 at most. */
  list(m: EntityManager, agentId: string | null): Promise<DelegationRow[]> {
    return m.query(
      `${SELECT} ${agentId === null ? '' : 'WHERE d.from_agent_id = $1 OR d.to_agent_id = $1'} ORDER BY d.starts_at DESC, d.id LIMIT 500`,
      agentId === null ? [] : [agentId],
    );
  }

  async find(m: EntityManager, id: string): Promise<DelegationRow | undefined> {
    const [row] = await m.query(`${SELECT} WHERE d.id = $1`, [id]);
    return row;
  }

  /** Whether a live delegation from → to covers part of [starts, ends). */
  async overlaps(m: EntityManager, fromId: string, toId: string, starts: Date, ends: Date): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM delegations WHERE from_agent_id = $1 AND to_agent_id = $2 AND revoked_at IS NULL AND starts_at < $4 AND ends_at > $3`,
      [fromId, toId, starts, ends],
    );
    return rows.length > 0;
  }

  async insert(m: EntityManager, fromId: string, toId: string, starts: Date, ends: Date, createdBy: string | null): Promise<string> {
    const [row] = await m.query(
      `INSERT INTO delegations (from_agent_id, to_agent_id, starts_at, ends_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [fromId, toId, starts, ends, createdBy],
    );
    return row.id as string;
  }

  /** The delegation's delegator and revocation, locked for update. */
  async lock(m: EntityManager, id: string): Promise<{ from_agent_id: string; revoked_at: Date | null } | undefined> {
    const [d] = await m.query(`SELECT from_agent_id, revoked_at FROM delegations WHERE id = $1 FOR UPDATE`, [id]);
    return d;
  }

  async revoke(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE delegations SET revoked_at = now() WHERE id = $1`, [id]);
  }

  /** The agent's department codes and the delegations they received (not revoked, not over, from an active agent). */
  async engineActor(m: EntityManager, agentId: string): Promise<EngineActorRow> {
    const [row] = await m.query(
      `SELECT
         (SELECT coalesce(array_agg(d.code), '{}') FROM agent_departments ad JOIN departments d ON d.id = ad.department_id WHERE ad.agent_id = $1) AS codes,
         (SELECT coalesce(json_agg(json_build_object('fromAgentId', f.id, 'fromRole', f.role, 'from', dl.starts_at, 'to', dl.ends_at,
            'fromDepartmentIds', (SELECT coalesce(array_agg(d.code), '{}') FROM agent_departments ad JOIN departments d ON d.id = ad.department_id WHERE ad.agent_id = f.id))
            ORDER BY dl.starts_at), '[]')
          FROM delegations dl JOIN agents f ON f.id = dl.from_agent_id
          WHERE dl.to_agent_id = $1 AND dl.revoked_at IS NULL AND dl.ends_at > now() AND f.active) AS delegations`,
      [agentId],
    );
    return row;
  }
}
