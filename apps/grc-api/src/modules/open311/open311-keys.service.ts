import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { notFound } from '../../common/problem';
import { AuditService, auditActor } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { Open311KeysRepository, type KeyRow } from './open311-keys.repository';
import { sha256 } from './open311.service';

export interface Open311ApiKey {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
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
    private readonly keys: Open311KeysRepository,
  ) {}

  async list(): Promise<Open311ApiKey[]> {
    return (await this.keys.list()).map(toKey);
  }

  /** The key itself is returned here and never again. */
  async create(actor: Actor, name: string): Promise<Open311ApiKey & { key: string }> {
    const key = `o311_${randomBytes(24).toString('base64url')}`;
    return this.db.transaction(async (m) => {
      const row = await this.keys.insert(m, name.trim(), sha256(key));
      await this.audit.record(m, auditActor(actor), 'open311_key.create', 'open311_api_key', row.id, {
        name: { before: null, after: row.name },
      });
      return { ...toKey(row), key };
    });
  }

  /** Revokes at once (idempotent: a revoked key stays revoked, with its first revocation date). */
  async revoke(actor: Actor, id: string): Promise<Open311ApiKey> {
    return this.db.transaction(async (m) => {
      const row = await this.keys.lock(m, id);
      if (!row) throw notFound('Clé Open311');
      if (row.revoked_at) return toKey(row);
      const after = await this.keys.revoke(m, id);
      await this.audit.record(m, auditActor(actor), 'open311_key.revoke', 'open311_api_key', id, {
        revokedAt: { before: null, after: iso(after.revoked_at) },
      });
      return toKey(after);
    });
  }
}
