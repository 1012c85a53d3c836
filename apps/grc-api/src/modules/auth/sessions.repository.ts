import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Role } from '@grc/domain';
import { preparedQuery } from '../../common/prepared';
import type { AuthenticatedAgent } from './authenticated-agent';

/** One query: the live session, its active agent, the agent's departments and every department below them. */
const LOOKUP = `WITH a AS (
           SELECT ag.* FROM sessions s JOIN agents ag ON ag.id = s.agent_id
           WHERE s.token_hash = $1 AND s.expires_at > now() AND ag.active),
         own AS (SELECT department_id FROM agent_departments WHERE agent_id = (SELECT id FROM a)),
         visible AS (
           WITH RECURSIVE tree AS (
             SELECT d.id FROM departments d WHERE d.id IN (SELECT department_id FROM own)
               OR (SELECT role FROM a) = 'admin'
             UNION
             SELECT d.id FROM departments d JOIN tree t ON d.parent_id = t.id)
           SELECT id FROM tree)
         SELECT a.id, a.email, a.display_name, a.role, a.locale,
           (SELECT array_agg(department_id) FROM own) AS own,
           (SELECT array_agg(id) FROM visible) AS visible,
           EXISTS (SELECT 1 FROM departments d WHERE d.front_desk AND d.active AND d.id IN (SELECT department_id FROM own)) AS front_desk
         FROM a`;

interface LookupRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  locale: 'fr' | 'en';
  own: string[] | null;
  visible: string[] | null;
  front_desk: boolean;
}

/**
 * Every query on `sessions` (rows are keyed by the token's hash, never the token). Each method takes
 * the caller's EntityManager (optional: the pool otherwise), so that closing an agent's sessions
 * commits with the change that causes it.
 */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(
    tokenHash: string,
    agentId: string,
    expiresAt: Date,
    ip: string | null,
    userAgent: string | null,
    m: EntityManager = this.db.manager,
  ): Promise<void> {
    await m.query(`INSERT INTO sessions (token_hash, agent_id, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5)`, [
      tokenHash,
      agentId,
      expiresAt,
      ip,
      userAgent,
    ]);
  }

  async delete(tokenHash: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`DELETE FROM sessions WHERE token_hash = $1`, [tokenHash]);
  }

  /** Every session of the agent (deactivation, password change). */
  async deleteAllFor(agentId: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`DELETE FROM sessions WHERE agent_id = $1`, [agentId]);
  }

  /**
   * The agent behind a live session, with its departments; null when the session is unknown, expired
   * or its agent inactive. A prepared statement: it runs on every request the cache misses.
   */
  async lookup(tokenHash: string, m: EntityManager = this.db.manager): Promise<AuthenticatedAgent | null> {
    const rows = await preparedQuery<LookupRow>(m, LOOKUP, [tokenHash]);
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      email: r.email,
      displayName: r.display_name,
      role: r.role,
      locale: r.locale,
      departmentIds: r.own ?? [],
      visibleDepartmentIds: r.visible ?? [],
      frontDesk: r.front_desk === true,
    };
  }
}
