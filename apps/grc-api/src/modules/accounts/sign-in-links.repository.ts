import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SignInLinkRecord } from '@grc/domain';

export interface SignInLinkRow extends SignInLinkRecord {
  agentId: string;
  email: string;
  displayName: string;
  role: string;
}

/** Every query on `sign_in_links` (grc create-admin's one-time links; only the token's hash is stored). */
@Injectable()
export class SignInLinksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new link; the agent's older links that were never used stop working (one link is the way in). */
  async insert(tokenHash: string, agentId: string, expiresAt: Date, createdBy: string, m: EntityManager): Promise<void> {
    await m.query(`DELETE FROM sign_in_links WHERE agent_id = $1 AND used_at IS NULL`, [agentId]);
    await m.query(`INSERT INTO sign_in_links (token_hash, agent_id, expires_at, created_by) VALUES ($1, $2, $3, $4)`, [
      tokenHash,
      agentId,
      expiresAt,
      createdBy,
    ]);
  }

  /** The link and its agent, locked when asked (the redemption); null: no such token. */
  async find(tokenHash: string, m: EntityManager = this.db.manager, lock = false): Promise<SignInLinkRow | null> {
    const rows: Array<{
      agent_id: string;
      expires_at: Date;
      used_at: Date | null;
      active: boolean;
      email: string;
      display_name: string;
      role: string;
    }> = await m.query(
      `SELECT l.agent_id, l.expires_at, l.used_at, a.active, a.email, a.display_name, a.role
       FROM sign_in_links l JOIN agents a ON a.id = l.agent_id WHERE l.token_hash = $1${lock ? ' FOR UPDATE OF l' : ''}`,
      [tokenHash],
    );
    const r = rows[0];
    return r
      ? {
          agentId: r.agent_id,
          expiresAt: new Date(r.expires_at),
          usedAt: r.used_at ? new Date(r.used_at) : null,
          agentActive: r.active,
          email: r.email,
          displayName: r.display_name,
          role: r.role,
        }
      : null;
  }

  async markUsed(tokenHash: string, m: EntityManager): Promise<void> {
    await m.query(`UPDATE sign_in_links SET used_at = now() WHERE token_hash = $1`, [tokenHash]);
  }
}
