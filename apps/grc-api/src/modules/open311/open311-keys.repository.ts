import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface KeyRow {
  id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const KEY_COLUMNS = `id, name, created_at, revoked_at, last_used_at`;

/** Every query on `open311_api_keys` (hashes only: a key is shown once, at its creation). */
@Injectable()
export class Open311KeysRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Active keys first, newest first. */
  list(m: EntityManager = this.db.manager): Promise<KeyRow[]> {
    return m.query(`SELECT ${KEY_COLUMNS} FROM open311_api_keys ORDER BY revoked_at IS NOT NULL, created_at DESC`);
  }

  async insert(m: EntityManager, name: string, keyHash: string): Promise<KeyRow> {
    const [row]: KeyRow[] = await m.query(`INSERT INTO open311_api_keys (name, key_hash) VALUES ($1, $2) RETURNING ${KEY_COLUMNS}`, [
      name,
      keyHash,
    ]);
    return row!;
  }

  async lock(m: EntityManager, id: string): Promise<KeyRow | null> {
    const [row]: KeyRow[] = await m.query(`SELECT ${KEY_COLUMNS} FROM open311_api_keys WHERE id = $1 FOR UPDATE`, [id]);
    return row ?? null;
  }

  async revoke(m: EntityManager, id: string): Promise<KeyRow> {
    const [after]: KeyRow[] = await m.query(
      // (a CTE: TypeORM's postgres driver answers a bare UPDATE … RETURNING with [rows, count])
      `WITH u AS (UPDATE open311_api_keys SET revoked_at = now() WHERE id = $1 RETURNING ${KEY_COLUMNS}) SELECT * FROM u`,
      [id],
    );
    return after!;
  }

  /** The key of this hash when it is not revoked, else null. */
  async findActive(keyHash: string, m: EntityManager = this.db.manager): Promise<{ id: string; name: string } | null> {
    const [key] = await m.query(`SELECT id, name FROM open311_api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [keyHash]);
    return key ?? null;
  }

  async touch(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE open311_api_keys SET last_used_at = now() WHERE id = $1`, [id]);
  }
}
