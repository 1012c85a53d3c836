import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface TotpRow {
  secret: string;
  confirmed: boolean;
  lastUsedStep: number;
}

/** (TypeORM answers a bare UPDATE/DELETE … RETURNING with [rows, count]: those are wrapped in a CTE and selected.)
 * Every query on `agent_totp`, `agent_recovery_codes` and `login_challenges`. */
@Injectable()
export class SecondFactorRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findTotp(agentId: string, m: EntityManager = this.db.manager, lock = false): Promise<TotpRow | null> {
    const rows: Array<{ secret: string; confirmed_at: Date | null; last_used_step: string }> = await m.query(
      `SELECT secret, confirmed_at, last_used_step FROM agent_totp WHERE agent_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [agentId],
    );
    const r = rows[0];
    return r ? { secret: r.secret, confirmed: r.confirmed_at !== null, lastUsedStep: Number(r.last_used_step) } : null;
  }

  /** A new, unconfirmed secret (replaces an enrolment that was never confirmed). */
  async startEnrolment(agentId: string, sealedSecret: string, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO agent_totp (agent_id, secret) VALUES ($1, $2)
       ON CONFLICT (agent_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = now(), last_used_step = 0
       WHERE agent_totp.confirmed_at IS NULL`,
      [agentId, sealedSecret],
    );
  }

  async confirm(agentId: string, step: number, m: EntityManager): Promise<void> {
    await m.query(`UPDATE agent_totp SET confirmed_at = now(), last_used_step = $2 WHERE agent_id = $1`, [agentId, step]);
  }

  /** Records the time step of an accepted code: the same code cannot be replayed. */
  async useStep(agentId: string, step: number, m: EntityManager): Promise<void> {
    await m.query(`UPDATE agent_totp SET last_used_step = $2 WHERE agent_id = $1`, [agentId, step]);
  }

  /** Removes the second factor and its recovery codes; whether there was one. */
  async remove(agentId: string, m: EntityManager): Promise<boolean> {
    await m.query(`DELETE FROM agent_recovery_codes WHERE agent_id = $1`, [agentId]);
    const rows: unknown[] = await m.query(
      `WITH d AS (DELETE FROM agent_totp WHERE agent_id = $1 RETURNING agent_id) SELECT agent_id FROM d`,
      [agentId],
    );
    return rows.length > 0;
  }

  async replaceRecoveryCodes(agentId: string, hashes: readonly string[], m: EntityManager): Promise<void> {
    await m.query(`DELETE FROM agent_recovery_codes WHERE agent_id = $1`, [agentId]);
    await m.query(`INSERT INTO agent_recovery_codes (agent_id, code_hash) SELECT $1, unnest($2::text[])`, [agentId, hashes]);
  }

  /** Marks the code used, if it is one of the agent's unused codes; whether it was. */
  async useRecoveryCode(agentId: string, hash: string, m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `WITH u AS (UPDATE agent_recovery_codes SET used_at = now() WHERE agent_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id)
       SELECT id FROM u`,
      [agentId, hash],
    );
    return rows.length > 0;
  }

  async recoveryCodesLeft(agentId: string, m: EntityManager = this.db.manager): Promise<number> {
    const [r]: Array<{ n: number }> = await m.query(
      `SELECT count(*)::int AS n FROM agent_recovery_codes WHERE agent_id = $1 AND used_at IS NULL`,
      [agentId],
    );
    return r?.n ?? 0;
  }

  // ---- the pending second step of a login

  async insertChallenge(tokenHash: string, agentId: string, expiresAt: Date, m: EntityManager = this.db.manager): Promise<void> {
    // expired challenges go as new ones come: the table stays a few rows long
    await m.query(`DELETE FROM login_challenges WHERE expires_at < now() - interval '1 hour'`);
    await m.query(`INSERT INTO login_challenges (token_hash, agent_id, expires_at) VALUES ($1, $2, $3)`, [tokenHash, agentId, expiresAt]);
  }

  /** The live challenge, locked, with its agent's e-mail; null when unknown or expired. */
  async lockChallenge(tokenHash: string, m: EntityManager): Promise<{ agentId: string; email: string; attempts: number } | null> {
    const rows: Array<{ agent_id: string; email: string; attempts: number }> = await m.query(
      `SELECT c.agent_id, a.email, c.attempts FROM login_challenges c JOIN agents a ON a.id = c.agent_id
       WHERE c.token_hash = $1 AND c.expires_at > now() AND a.active FOR UPDATE OF c`,
      [tokenHash],
    );
    const r = rows[0];
    return r ? { agentId: r.agent_id, email: r.email, attempts: r.attempts } : null;
  }

  async countAttempt(tokenHash: string, m: EntityManager): Promise<void> {
    await m.query(`UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = $1`, [tokenHash]);
  }

  async deleteChallenge(tokenHash: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`DELETE FROM login_challenges WHERE token_hash = $1`, [tokenHash]);
  }
}
