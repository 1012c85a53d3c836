import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { InboxColumn, SavedViewQuery } from '@grc/domain';

export interface SavedViewRow {
  id: string;
  owner_id: string;
  owner_name: string;
  name: string;
  query: SavedViewQuery;
  columns: InboxColumn[];
  shared_department_ids: string[];
  version: number;
  updated_at: Date;
}
export interface SavedViewWrite {
  name: string;
  query: SavedViewQuery;
  columns: readonly string[];
  sharedDepartmentIds: readonly string[];
}

const COLUMNS = `v.id, v.owner_id, a.display_name AS owner_name, v.name, v.query, v.columns, v.shared_department_ids, v.version, v.updated_at`;

/** Every statement on `saved_views`. */
@Injectable()
export class ViewsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The agent's own views and those shared with one of the departments they belong to: own first, then by name. */
  async visibleTo(agentId: string, departmentIds: readonly string[]): Promise<SavedViewRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM saved_views v JOIN agents a ON a.id = v.owner_id
       WHERE v.owner_id = $1 OR v.shared_department_ids && $2::uuid[]
       ORDER BY (v.owner_id = $1) DESC, v.name, v.id`,
      [agentId, departmentIds],
    );
  }

  async find(id: string, opts: { m?: EntityManager; lock?: boolean } = {}): Promise<SavedViewRow | null> {
    const { m = this.db.manager, lock = false } = opts;
    const [row] = await m.query(
      `SELECT ${COLUMNS} FROM saved_views v JOIN agents a ON a.id = v.owner_id WHERE v.id = $1${lock ? ' FOR UPDATE OF v' : ''}`,
      [id],
    );
    return row ?? null;
  }

  async insert(m: EntityManager, ownerId: string, w: SavedViewWrite): Promise<string> {
    const [row] = await m.query(
      `INSERT INTO saved_views (owner_id, name, query, columns, shared_department_ids) VALUES ($1, $2, $3::jsonb, $4::text[], $5::uuid[]) RETURNING id`,
      [ownerId, w.name, JSON.stringify(w.query), w.columns, w.sharedDepartmentIds],
    );
    return row.id;
  }

  async update(m: EntityManager, id: string, w: SavedViewWrite): Promise<void> {
    await m.query(
      `UPDATE saved_views SET name = $2, query = $3::jsonb, columns = $4::text[], shared_department_ids = $5::uuid[],
         version = version + 1, updated_at = now() WHERE id = $1`,
      [id, w.name, JSON.stringify(w.query), w.columns, w.sharedDepartmentIds],
    );
  }

  async delete(m: EntityManager, id: string): Promise<void> {
    await m.query(`DELETE FROM saved_views WHERE id = $1`, [id]);
  }
}
