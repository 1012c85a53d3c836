import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Role } from '@grc/domain';
import type { AuthenticatedAgent } from './authenticated-agent';

export const SESSION_COOKIE = 'grc_session';
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Opaque session tokens; PostgreSQL keeps their hashes, so a database leak reveals no live session. */
@Injectable()
export class SessionService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async open(agentId: string, ttlHours: number, ip: string | null, userAgent: string | null): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
    await this.db.query(
      `INSERT INTO sessions (token_hash, agent_id, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5)`,
      [hash(token), agentId, expiresAt, ip, userAgent?.slice(0, 300) ?? null],
    );
    return { token, expiresAt };
  }

  async close(token: string): Promise<void> {
    await this.db.query(`DELETE FROM sessions WHERE token_hash = $1`, [hash(token)]);
  }

  async closeAllFor(agentId: string): Promise<void> {
    await this.db.query(`DELETE FROM sessions WHERE agent_id = $1`, [agentId]);
  }

  /** One query: the live session, its active agent, the agent's departments and every department below them. */
  async resolve(token: string): Promise<AuthenticatedAgent | null> {
    const rows: Array<{ id: string; email: string; display_name: string; role: Role; locale: 'fr' | 'en'; own: string[] | null; visible: string[] | null }> =
      await this.db.query(
        `WITH a AS (
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
           (SELECT array_agg(id) FROM visible) AS visible
         FROM a`,
        [hash(token)],
      );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id, email: r.email, displayName: r.display_name, role: r.role, locale: r.locale,
      departmentIds: r.own ?? [], visibleDepartmentIds: r.visible ?? [],
    };
  }
}
