import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { notFound } from '../../common/problem';
import { AuditService, auditActor } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { sha256 } from './open311.service';

export interface Open311ApiKey {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface KeyRow {
  id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const toKey = (r: KeyRow): Open311ApiKey => ({
  id: r.id,
  name: r.name,
  createdAt: iso(r.created_at)!,
  revokedAt: iso(r.revoked_at),
  lastUsedAt: iso(r.last_used_at),
});

/** API keys of Open311 client applications: shown once at creation, stored as SHA-256, revocable, audited. */
@Injectable()
export class Open311KeysService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<Open311ApiKey[]> {
    const rows: KeyRow[] = await this.db.query(
      `SELECT id, name, created_at, revoked_at, last_used_at FROM open311_api_keys ORDER BY revoked_at IS NOT NULL, created_at DESC`,
    );
    return rows.map(toKey);
  }

  /** The key itself is returned here and never again. */
  async create(actor: Actor, name: string): Promise<Open311ApiKey & { key: string }> {
    const key = `o311_${randomBytes(24).toString('base64url')}`;
    return this.db.transaction(async (m) => {
      const [row]: KeyRow[] = await m.query(
        `INSERT INTO open311_api_keys (name, key_hash) VALUES ($1, $2) RETURNING id, name, created_at, revoked_at, last_used_at`,
        [name.trim(), sha256(key)],
      );
      await this.audit.record(m, auditActor(actor), 'open311_key.create', 'open311_api_key', row!.id, {
        name: { before: null, after: row!.name },
      });
      return { ...toKey(row!), key };
    });
  }

  /** Revokes at once (idempotent: a revoked key stays revoked, with its first revocation date). */
  async revoke(actor: Actor, id: string): Promise<Open311ApiKey> {
    return this.db.transaction(async (m) => {
      const [row]: KeyRow[] = await m.query(
        `SELECT id, name, created_at, revoked_at, last_used_at FROM open311_api_keys WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!row) throw notFound('Clé Open311');
      if (row.revoked_at) return toKey(row);
      const [after]: KeyRow[] = await m.query(
        // (a CTE: TypeORM's postgres driver answers a bare UPDATE … RETURNING with [rows, count])
        `WITH u AS (UPDATE open311_api_keys SET revoked_at = now() WHERE id = $1 RETURNING id, name, created_at, revoked_at, last_used_at)
         SELECT * FROM u`,
        [id],
      );
      await this.audit.record(m, auditActor(actor), 'open311_key.revoke', 'open311_api_key', id, {
        revokedAt: { before: null, after: iso(after!.revoked_at) },
      });
      return toKey(after!);
    });
  }
}
