import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Agent } from '@grc/domain';

interface AgentRow {
  id: string;
  email: string;
  display_name: string;
  role: Agent['role'];
  locale: Agent['locale'];
  active: boolean;
  version: number;
  department_ids: string[];
}

const toAgent = (r: AgentRow): Agent => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  locale: r.locale,
  active: r.active,
  departmentIds: [...r.department_ids].sort(),
  version: r.version,
});

/** Never selects password_hash. */
const SELECT_AGENTS = `
  SELECT a.id, a.email, a.display_name, a.role, a.locale, a.active, a.version,
    coalesce(array_agg(ad.department_id ORDER BY ad.department_id) FILTER (WHERE ad.department_id IS NOT NULL), '{}') AS department_ids
  FROM agents a LEFT JOIN agent_departments ad ON ad.agent_id = a.id`;

/** The fields of an agent's account that an administrator writes. */
export interface AgentWrite {
  email: string;
  displayName: string;
  role: Agent['role'];
  locale: Agent['locale'];
  active: boolean;
}

/**
 * The agents of the connection's commune: its members (`agent_communes`), and in the install's default commune
 * also the agents who belong to no commune at all (as the session look-up has it). `agents` is shared by the
 * install — the sign-in reads it before any commune is known — so no row-level security holds it: this condition
 * does, on every read and write an administrator or a picker reaches (an administrator of one commune must not
 * list, edit, reset or sign in as another commune's or the métropole's agents).
 */
const MEMBER = `(EXISTS (SELECT 1 FROM agent_communes ac WHERE ac.agent_id = a.id AND ac.commune_id = grc_commune())
  OR (NOT EXISTS (SELECT 1 FROM agent_communes ac WHERE ac.agent_id = a.id)
      AND EXISTS (SELECT 1 FROM communes c WHERE c.id = grc_commune() AND c.is_default)))`;

/**
 * Every query on `agents` and `agent_departments` (the agent's memberships belong to the agent).
 * Reads never return the password hash, except `findCredentials` for the login. Each method takes the caller's EntityManager (optional).
 * `list`, `search`, `find` and `lockVersion` see the commune's agents only (MEMBER); the sign-in's own reads
 * (`findCredentials`, `lockAnyVersion`, `findAny`, `findPasswordOf`) and `namesOf` (names on a shared request's
 * timeline) see every agent.
 */
@Injectable()
export class AgentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Every agent, by name. */
  async list(m: EntityManager = this.db.manager): Promise<Agent[]> {
    const rows: AgentRow[] = await m.query(`${SELECT_AGENTS} WHERE ${MEMBER} GROUP BY a.id ORDER BY a.display_name, a.id`);
    return rows.map(toAgent);
  }

  /**
   * The pickers' search: active agents of any of `departmentIds` (null: any) whose name or e-mail contains every
   * word (accents and case ignored, LIKE metacharacters taken literally), by name, at most `limit`.
   */
  async search(
    opts: { words: readonly string[]; departmentIds: readonly string[] | null; limit: number },
    m: EntityManager = this.db.manager,
  ): Promise<Agent[]> {
    const patterns = opts.words.map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const rows: AgentRow[] = await m.query(
      `${SELECT_AGENTS}
       WHERE a.active AND ${MEMBER}
         AND ($1::uuid[] IS NULL OR EXISTS (SELECT 1 FROM agent_departments f WHERE f.agent_id = a.id AND f.department_id = ANY($1::uuid[])))
         AND grc_unaccent(lower(a.display_name || ' ' || a.email)) LIKE ALL (SELECT grc_unaccent(lower(p)) FROM unnest($2::text[]) p)
       GROUP BY a.id ORDER BY a.display_name, a.id LIMIT $3`,
      [opts.departmentIds, patterns, opts.limit],
    );
    return rows.map(toAgent);
  }

  /** One agent of the commune with its departments; null when unknown or another commune's. */
  async find(id: string, m: EntityManager = this.db.manager): Promise<Agent | null> {
    const rows: AgentRow[] = await m.query(`${SELECT_AGENTS} WHERE a.id = $1 AND ${MEMBER} GROUP BY a.id`, [id]);
    return rows[0] ? toAgent(rows[0]) : null;
  }

  /** Locks the row of an agent of the commune for update; its current version, or null when unknown or another commune's. */
  async lockVersion(id: string, m: EntityManager = this.db.manager): Promise<number | null> {
    const locked: Array<{ version: number }> = await m.query(`SELECT version FROM agents a WHERE a.id = $1 AND ${MEMBER} FOR UPDATE OF a`, [
      id,
    ]);
    return locked[0]?.version ?? null;
  }

  /** `find` for the sign-in (an identity provider's agent, before a commune is known): any agent of the install. */
  async findAny(id: string, m: EntityManager = this.db.manager): Promise<Agent | null> {
    const rows: AgentRow[] = await m.query(`${SELECT_AGENTS} WHERE a.id = $1 GROUP BY a.id`, [id]);
    return rows[0] ? toAgent(rows[0]) : null;
  }

  /** `lockVersion` for the sign-in: any agent of the install. */
  async lockAnyVersion(id: string, m: EntityManager = this.db.manager): Promise<number | null> {
    const locked: Array<{ version: number }> = await m.query(`SELECT version FROM agents WHERE id = $1 FOR UPDATE`, [id]);
    return locked[0]?.version ?? null;
  }

  /** Whether another agent (not `exceptId`) has this e-mail address. */
  async isEmailTaken(email: string, exceptId: string | null, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM agents WHERE email = $1 AND id IS DISTINCT FROM $2`, [email, exceptId]);
    return rows.length > 0;
  }

  /** The new agent's id. */
  async insert(fields: AgentWrite, passwordHash: string, m: EntityManager = this.db.manager): Promise<string> {
    const [row]: Array<{ id: string }> = await m.query(
      `INSERT INTO agents (email, display_name, password_hash, role, locale, active) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [fields.email, fields.displayName, passwordHash, fields.role, fields.locale, fields.active],
    );
    // a member of the commune it is created in (database/tenancy.ts: agent_communes)
    await m.query(`INSERT INTO agent_communes (agent_id, commune_id) VALUES ($1, grc_row_commune()) ON CONFLICT DO NOTHING`, [row!.id]);
    return row!.id;
  }

  /** Writes the account and bumps its version; `passwordHash` null keeps the password. */
  async update(id: string, fields: AgentWrite, passwordHash: string | null, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(
      `UPDATE agents SET email = $2, display_name = $3, role = $4, locale = $5, active = $6,
         password_hash = coalesce($7, password_hash),
         password_changed_at = CASE WHEN $7::text IS NULL THEN password_changed_at ELSE now() END,
         updated_at = now(), version = version + 1
       WHERE id = $1`,
      [id, fields.email, fields.displayName, fields.role, fields.locale, fields.active, passwordHash],
    );
  }

  /** Replaces the agent's memberships by `ids`. */
  async setDepartments(agentId: string, ids: readonly string[], m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`DELETE FROM agent_departments WHERE agent_id = $1`, [agentId]);
    if (ids.length) {
      await m.query(`INSERT INTO agent_departments (agent_id, department_id) SELECT $1, unnest($2::uuid[])`, [agentId, ids]);
    }
  }

  /** Agents' display names by id (unknown ids and anything that is not a UUID are left out). */
  async namesOf(ids: readonly string[], m: EntityManager = this.db.manager): Promise<Map<string, string>> {
    const unique = [...new Set(ids.filter((id) => id && /^[0-9a-f-]{36}$/i.test(id)))];
    if (!unique.length) return new Map();
    const rows: Array<{ id: string; display_name: string }> = await m.query(
      `SELECT id, display_name FROM agents WHERE id = ANY($1::uuid[])`,
      [unique],
    );
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }

  /** The password hash and what the password must not contain (a self-service change checks the current one). */
  async findPasswordOf(
    id: string,
    m: EntityManager = this.db.manager,
  ): Promise<{ passwordHash: string; email: string; displayName: string } | null> {
    const rows: Array<{ password_hash: string; email: string; display_name: string }> = await m.query(
      `SELECT password_hash, email, display_name FROM agents WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const r = rows[0];
    return r ? { passwordHash: r.password_hash, email: r.email, displayName: r.display_name } : null;
  }

  /** A new password; `mustChange`: the agent must change it at its next login (an administrator's reset). */
  async setPassword(id: string, passwordHash: string, mustChange: boolean, m: EntityManager): Promise<void> {
    await m.query(
      `UPDATE agents SET password_hash = $2, must_change_password = $3, password_changed_at = now(), updated_at = now(), version = version + 1
       WHERE id = $1`,
      [id, passwordHash, mustChange],
    );
  }

  /** What a login checks (the only read of the password hash); null when no agent has this e-mail. */
  async findCredentials(
    email: string,
    m: EntityManager = this.db.manager,
  ): Promise<{ id: string; email: string; passwordHash: string; active: boolean } | null> {
    const rows: Array<{ id: string; email: string; password_hash: string; active: boolean }> = await m.query(
      `SELECT id, password_hash, active, email FROM agents WHERE email = $1`,
      [email],
    );
    const r = rows[0];
    return r ? { id: r.id, email: r.email, passwordHash: r.password_hash, active: r.active } : null;
  }
}
