import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returning } from '../../../common/returning';

export interface SignInAgent {
  id: string;
  email: string;
  active: boolean;
  /** found through the stored (provider, sub) link rather than the e-mail */
  linked: boolean;
}

/**
 * Every query of a sign-in through a provider: the transactions under way, the (provider, sub) links
 * of agents (`agent_identities`) and the local sessions that came from a provider (`oidc_sessions`).
 */
@Injectable()
export class OidcRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new transaction; expired ones are swept on the way (they hold nothing personal). */
  async insertTransaction(
    stateHash: string,
    providerId: string,
    codeVerifier: string,
    nonce: string,
    expiresAt: Date,
    m: EntityManager = this.db.manager,
  ): Promise<void> {
    await m.query(`DELETE FROM oidc_transactions WHERE expires_at < now()`);
    await m.query(`INSERT INTO oidc_transactions (state_hash, provider_id, code_verifier, nonce, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      stateHash,
      providerId,
      codeVerifier,
      nonce,
      expiresAt,
    ]);
  }

  /** Takes the transaction (single use): null when unknown, expired, or begun with another provider. */
  async takeTransaction(
    stateHash: string,
    providerId: string,
    m: EntityManager = this.db.manager,
  ): Promise<{ codeVerifier: string; nonce: string } | null> {
    const rows = await returning<{ codeVerifier: string; nonce: string; ok: boolean }>(
      m,
      `DELETE FROM oidc_transactions WHERE state_hash = $1
       RETURNING code_verifier AS "codeVerifier", nonce, (provider_id = $2 AND expires_at > now()) AS ok`,
      [stateHash, providerId],
    );
    const r = rows[0];
    return r && r.ok ? { codeVerifier: r.codeVerifier, nonce: r.nonce } : null;
  }

  /** The agent linked to (provider, sub), else the agent with this e-mail; locked for the sign-in's transaction. */
  async findAgent(providerId: string, subject: string, email: string, m: EntityManager = this.db.manager): Promise<SignInAgent | null> {
    const rows: SignInAgent[] = await m.query(
      `SELECT a.id, a.email, a.active, true AS linked FROM agent_identities i JOIN agents a ON a.id = i.agent_id
         WHERE i.provider_id = $1 AND i.subject = $2
       UNION ALL
       SELECT a.id, a.email, a.active, false FROM agents a WHERE a.email = $3
       ORDER BY linked DESC LIMIT 1`,
      [providerId, subject, email],
    );
    return rows[0] ?? null;
  }

  /** Links (provider, sub) to the agent, or notes the sign-in on the existing link. */
  async link(providerId: string, subject: string, agentId: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(
      `INSERT INTO agent_identities (provider_id, subject, agent_id, last_login_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (provider_id, subject) DO UPDATE SET last_login_at = now()`,
      [providerId, subject, agentId],
    );
  }

  async insertSession(tokenHash: string, providerId: string, sealedIdToken: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`INSERT INTO oidc_sessions (token_hash, provider_id, id_token) VALUES ($1, $2, $3)`, [
      tokenHash,
      providerId,
      sealedIdToken,
    ]);
  }

  /** The provider and sealed ID token behind a local session, if it came from a provider. */
  async findSession(tokenHash: string, m: EntityManager = this.db.manager): Promise<{ providerId: string; sealedIdToken: string } | null> {
    const rows: Array<{ providerId: string; sealedIdToken: string }> = await m.query(
      `SELECT provider_id AS "providerId", id_token AS "sealedIdToken" FROM oidc_sessions WHERE token_hash = $1`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }
}
