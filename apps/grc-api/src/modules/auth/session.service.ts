import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Role } from '@grc/domain';
import { preparedQuery } from '../../common/prepared';
import type { AuthenticatedAgent } from './authenticated-agent';

export const SESSION_COOKIE = 'grc_session';
/**
 * Resolved sessions are kept this long in the process: every request needs the agent and its
 * departments, and this saves a query per request. Logout and deactivation evict at once in this
 * process; other API processes notice within this delay.
 */
const CACHE_MS = Number(process.env['GRC_SESSION_CACHE_MS'] ?? 5_000);
const CACHE_MAX = 10_000;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Opaque session tokens; PostgreSQL keeps their hashes, so a database leak reveals no live session. */
@Injectable()
export class SessionService {
  private readonly cache = new Map<string, { agent: AuthenticatedAgent; until: number }>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async open(agentId: string, ttlHours: number, ip: string | null, userAgent: string | null): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
    await this.db.query(`INSERT INTO sessions (token_hash, agent_id, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5)`, [
      hash(token),
      agentId,
      expiresAt,
      ip,
      userAgent?.slice(0, 300) ?? null,
    ]);
    return { token, expiresAt };
  }

  async close(token: string): Promise<void> {
    this.cache.delete(hash(token));
    await this.db.query(`DELETE FROM sessions WHERE token_hash = $1`, [hash(token)]);
  }

  async closeAllFor(agentId: string): Promise<void> {
    for (const [key, entry] of this.cache) if (entry.agent.id === agentId) this.cache.delete(key);
    await this.db.query(`DELETE FROM sessions WHERE agent_id = $1`, [agentId]);
  }

  /** One query: the live session, its active agent, the agent's departments and every department below them. */
  async resolve(token: string): Promise<AuthenticatedAgent | null> {
    const key = hash(token);
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.agent;
    const agent = await this.lookup(key);
    if (agent) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(key, { agent, until: Date.now() + CACHE_MS });
    } else {
      this.cache.delete(key);
    }
    return agent;
  }

  private async lookup(tokenHash: string): Promise<AuthenticatedAgent | null> {
    const rows: Array<{
      id: string;
      email: string;
      display_name: string;
      role: Role;
      locale: 'fr' | 'en';
      own: string[] | null;
      visible: string[] | null;
      front_desk: boolean;
    }> = await preparedQuery(
      this.db.manager,
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
           (SELECT array_agg(id) FROM visible) AS visible,
           EXISTS (SELECT 1 FROM departments d WHERE d.front_desk AND d.active AND d.id IN (SELECT department_id FROM own)) AS front_desk
         FROM a`,
      [tokenHash],
    );
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
