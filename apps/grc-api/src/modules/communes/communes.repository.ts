import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CommuneMember } from '@grc/domain';

export interface MemberRow {
  id: string;
  email: string;
  display_name: string;
  role: CommuneMember['role'];
  active: boolean;
}

export interface CommuneRow {
  id: string;
  code: string;
  name: string;
  kind: 'commune' | 'metropole';
  parent_id: string | null;
  is_default: boolean;
  public_host: string | null;
}

/**
 * Every query of the communes screen on `communes` (shared by the install: no policy; the métropole and its members
 * named explicitly) and on a commune's `town_settings` (as that commune: row-level security holds it to its own).
 */
@Injectable()
export class CommunesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The commune `id`, or null. */
  async find(id: string, m: EntityManager = this.db.manager, lock = false): Promise<CommuneRow | null> {
    const [r]: CommuneRow[] = await m.query(
      `SELECT id, code, name, kind, parent_id, is_default, public_host FROM communes WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return r ?? null;
  }

  /** The métropole `metropoleId` and its member communes, the métropole first, then by name. */
  family(metropoleId: string, m: EntityManager = this.db.manager): Promise<CommuneRow[]> {
    return m.query(
      `SELECT id, code, name, kind, parent_id, is_default, public_host FROM communes WHERE id = $1 OR parent_id = $1
       ORDER BY (id = $1) DESC, name, code`,
      [metropoleId],
    );
  }

  /** Whether a commune has this code / another commune than `exceptId` this public host. */
  async codeTaken(code: string, m: EntityManager): Promise<boolean> {
    return (await m.query(`SELECT 1 FROM communes WHERE code = $1`, [code])).length > 0;
  }
  async hostTaken(host: string, exceptId: string | null, m: EntityManager): Promise<boolean> {
    return (await m.query(`SELECT 1 FROM communes WHERE public_host = $1 AND id IS DISTINCT FROM $2`, [host, exceptId])).length > 0;
  }

  /** A member commune of `metropoleId`. */
  async insert(
    m: EntityManager,
    c: { id: string; code: string; name: string; publicHost: string | null; metropoleId: string },
  ): Promise<void> {
    await m.query(`INSERT INTO communes (id, code, name, kind, parent_id, public_host) VALUES ($1, $2, $3, 'commune', $4, $5)`, [
      c.id,
      c.code,
      c.name,
      c.metropoleId,
      c.publicHost,
    ]);
  }

  /** The agents who work for commune `id` (`agent_communes`), by name. */
  members(id: string, m: EntityManager = this.db.manager): Promise<MemberRow[]> {
    return m.query(
      `SELECT a.id, a.email, a.display_name, a.role, a.active FROM agent_communes ac JOIN agents a ON a.id = ac.agent_id
       WHERE ac.commune_id = $1 ORDER BY a.display_name, a.email`,
      [id],
    );
  }

  /** Agent `agentId` if they work for one of `communeIds` (the métropole's family), locked; null otherwise. */
  async lockAgentOf(m: EntityManager, agentId: string, communeIds: readonly string[]): Promise<MemberRow | null> {
    const [r]: MemberRow[] = await m.query(
      `SELECT a.id, a.email, a.display_name, a.role, a.active FROM agents a
       WHERE a.id = $1 AND EXISTS (SELECT 1 FROM agent_communes ac WHERE ac.agent_id = a.id AND ac.commune_id = ANY($2::uuid[]))
       FOR UPDATE OF a`,
      [agentId, communeIds],
    );
    return r ?? null;
  }

  /** Makes the agent a member of the commune; whether they were not yet. */
  async addMember(m: EntityManager, communeId: string, agentId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `WITH i AS (INSERT INTO agent_communes (agent_id, commune_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING agent_id)
       SELECT agent_id FROM i`,
      [agentId, communeId],
    );
    return rows.length > 0;
  }

  /** Ends the agent's membership of the commune; whether they were a member. */
  async removeMember(m: EntityManager, communeId: string, agentId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `WITH d AS (DELETE FROM agent_communes WHERE agent_id = $1 AND commune_id = $2 RETURNING agent_id) SELECT agent_id FROM d`,
      [agentId, communeId],
    );
    return rows.length > 0;
  }

  /** How many communes the agent works for. */
  async membershipCount(m: EntityManager, agentId: string): Promise<number> {
    const [r] = await m.query(`SELECT count(*)::int AS n FROM agent_communes WHERE agent_id = $1`, [agentId]);
    return r.n;
  }

  async update(m: EntityManager, id: string, c: { name: string; publicHost: string | null }): Promise<void> {
    await m.query(`UPDATE communes SET name = $2, public_host = $3 WHERE id = $1`, [id, c.name, c.publicHost]);
  }
}
