import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Role } from '@grc/domain';
import { preparedQuery } from '../../common/prepared';
import type { AuthenticatedAgent } from './authenticated-agent';

/**
 * One query: the live session (not past its expiry, the town's absolute lifetime nor its idle timeout:
 * security_settings), its active agent, the agent's departments and every department below them, and
 * what restricts the session (a forced password change, a second factor the town requires).
 */
const LOOKUP = `WITH st AS (SELECT * FROM security_settings WHERE id = 1),
         a AS (
           SELECT ag.*, s.id AS session_id, s.last_seen_at,
             EXISTS (SELECT 1 FROM agent_totp t WHERE t.agent_id = ag.id AND t.confirmed_at IS NOT NULL) AS totp,
             coalesce((SELECT second_factor_required_for_admins FROM st), false) AS totp_required
           FROM sessions s JOIN agents ag ON ag.id = s.agent_id
           WHERE s.token_hash = $1 AND s.expires_at > now() AND ag.active
             AND s.created_at > now() - make_interval(hours => coalesce((SELECT session_lifetime_hours FROM st), 12))
             AND (coalesce((SELECT idle_timeout_minutes FROM st), 0) = 0
               OR s.last_seen_at > now() - make_interval(mins => (SELECT idle_timeout_minutes FROM st)))),
         own AS (SELECT department_id FROM agent_departments WHERE agent_id = (SELECT id FROM a)),
         visible AS (
           WITH RECURSIVE tree AS (
             SELECT d.id FROM departments d WHERE d.id IN (SELECT department_id FROM own)
               OR (SELECT role FROM a) = 'admin'
             UNION
             SELECT d.id FROM departments d JOIN tree t ON d.parent_id = t.id)
           SELECT id FROM tree)
         SELECT a.id, a.email, a.display_name, a.role, a.locale, a.session_id, a.last_seen_at, a.must_change_password,
           a.totp, a.totp_required,
           (SELECT array_agg(department_id) FROM own) AS own,
           (SELECT array_agg(id) FROM visible) AS visible,
           EXISTS (SELECT 1 FROM departments d WHERE d.front_desk AND d.active AND d.id IN (SELECT department_id FROM own)) AS front_desk
         FROM a`;

/**
 * The commune a session works for (shared tables only: it is read before the commune is set): the one it
 * switched to while its agent is still a member, else the agent's first commune (the default first), else —
 * an agent of no commune in particular, a single-town install's — the default commune.
 */
const SESSION_COMMUNE = `SELECT coalesce(
    (SELECT ac.commune_id FROM agent_communes ac WHERE ac.agent_id = s.agent_id AND ac.commune_id = s.commune_id),
    (SELECT ac.commune_id FROM agent_communes ac JOIN communes c ON c.id = ac.commune_id
      WHERE ac.agent_id = s.agent_id ORDER BY c.is_default DESC, c.code LIMIT 1),
    (SELECT id FROM communes WHERE is_default)) AS commune_id
  FROM sessions s WHERE s.token_hash = $1 AND s.expires_at > now()`;

interface LookupRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  locale: 'fr' | 'en';
  own: string[] | null;
  visible: string[] | null;
  front_desk: boolean;
  session_id: string;
  last_seen_at: Date;
  must_change_password: boolean;
  totp: boolean;
  totp_required: boolean;
}

export interface SessionRow {
  id: string;
  tokenHash: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
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
  async lookup(tokenHash: string, m: EntityManager = this.db.manager): Promise<{ agent: AuthenticatedAgent; lastSeenAt: Date } | null> {
    const rows = await preparedQuery<LookupRow>(m, LOOKUP, [tokenHash]);
    const r = rows[0];
    if (!r) return null;
    const agent: AuthenticatedAgent = {
      id: r.id,
      email: r.email,
      displayName: r.display_name,
      role: r.role,
      locale: r.locale,
      departmentIds: r.own ?? [],
      visibleDepartmentIds: r.visible ?? [],
      frontDesk: r.front_desk === true,
      sessionId: r.session_id,
      mustChangePassword: r.must_change_password === true,
      secondFactor: r.totp === true,
      secondFactorEnrolmentRequired: r.role === 'admin' && r.totp_required === true && r.totp !== true,
    };
    return { agent, lastSeenAt: new Date(r.last_seen_at) };
  }

  /** The commune the session works for (SESSION_COMMUNE); null: no such live session, or no commune at all. */
  async communeOf(tokenHash: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const rows = await preparedQuery<{ commune_id: string | null }>(m, SESSION_COMMUNE, [tokenHash]);
    return rows[0]?.commune_id ?? null;
  }

  /** The communes the agent works for (an agent of none: the default commune), by name. */
  async communesOf(
    agentId: string,
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ id: string; code: string; name: string; kind: 'commune' | 'metropole' }>> {
    return m.query(
      `SELECT c.id, c.code, c.name, c.kind FROM communes c
       WHERE c.id IN (SELECT commune_id FROM agent_communes WHERE agent_id = $1)
         OR (c.is_default AND NOT EXISTS (SELECT 1 FROM agent_communes WHERE agent_id = $1))
       ORDER BY c.name, c.code`,
      [agentId],
    );
  }

  /** The session now works for `communeId` (the caller checked the agent is a member). */
  async setCommune(tokenHash: string, communeId: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`UPDATE sessions SET commune_id = $2 WHERE token_hash = $1`, [tokenHash, communeId]);
  }

  /** Marks the session seen now (the idle timeout counts from here). */
  async touch(tokenHash: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1`, [tokenHash]);
  }

  /** The agent's sessions that have not expired, most recently seen first. */
  async listFor(agentId: string, m: EntityManager = this.db.manager): Promise<SessionRow[]> {
    const rows: Array<{
      id: string;
      token_hash: string;
      created_at: Date;
      last_seen_at: Date;
      expires_at: Date;
      ip: string | null;
      user_agent: string | null;
    }> = await m.query(
      `SELECT id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions
       WHERE agent_id = $1 AND expires_at > now() ORDER BY last_seen_at DESC, id`,
      [agentId],
    );
    return rows.map((r) => ({
      id: r.id,
      tokenHash: r.token_hash,
      createdAt: r.created_at,
      lastSeenAt: r.last_seen_at,
      expiresAt: r.expires_at,
      ip: r.ip,
      userAgent: r.user_agent,
    }));
  }

  /** One session of the agent by its id; the deleted row's token hash, or null when it is not the agent's. */
  async deleteOne(agentId: string, id: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const rows: Array<{ token_hash: string }> = await m.query(
      `WITH d AS (DELETE FROM sessions WHERE agent_id = $1 AND id = $2 RETURNING token_hash) SELECT token_hash FROM d`,
      [agentId, id],
    );
    return rows[0]?.token_hash ?? null;
  }

  /** Every session of the agent but one (sign out everywhere else, a password change); how many ended. */
  async deleteOthers(agentId: string, keepTokenHash: string, m: EntityManager = this.db.manager): Promise<number> {
    const rows: unknown[] = await m.query(
      `WITH d AS (DELETE FROM sessions WHERE agent_id = $1 AND token_hash <> $2 RETURNING 1) SELECT 1 FROM d`,
      [agentId, keepTokenHash],
    );
    return rows.length;
  }

  /** Retention purge: up to `limit` sessions expired more than `days` ago removed; how many. */
  async purgeExpired(m: EntityManager, days: number, limit: number): Promise<number> {
    const [, n] = await m.query(
      `DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at < now() - make_interval(days => $1)
       LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [days, limit],
    );
    return Number(n ?? 0);
  }
}
