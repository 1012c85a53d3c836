import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { RetentionAction } from '@grc/domain';
import { preparedQuery } from '../../common/prepared';

export interface RuleRow {
  category_id: string | null;
  category_code: string | null;
  months: number;
  action: RetentionAction;
  updated_at: Date;
}
export interface RunRow {
  id: string;
  kind: 'retention' | 'purge';
  state: 'running' | 'done' | 'failed';
  started_at: Date;
  finished_at: Date | null;
  counts: Record<string, unknown>;
  error: string | null;
}

/** A run whose worker stopped beating for this long crashed: it is closed as failed and a new run takes over. */
const STALE_RUN = '10 minutes';

/**
 * Every query of the retention module: `retention_rules`, `retention_runs`, the selection of due requests
 * (reads of `tickets`; their changes go through AnonymisationService → TicketsService) and the technical
 * purges on their own clocks (expired sessions, sent outbox bodies and quarantine through their own repositories), login IPs of
 * `audit_events` (through grc_audit_redact, the trail's one exception). Each purge statement takes a bounded
 * batch (`LIMIT`, `SKIP LOCKED`) so that no lock is held long.
 */
@Injectable()
export class RetentionRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  get manager(): EntityManager {
    return this.db.manager;
  }

  rules(m: EntityManager = this.db.manager): Promise<RuleRow[]> {
    return m.query(
      `SELECT r.category_id, c.code AS category_code, r.months, r.action, r.updated_at
       FROM retention_rules r LEFT JOIN categories c ON c.id = r.category_id ORDER BY c.code NULLS FIRST`,
    );
  }

  async unknownCategories(m: EntityManager, ids: readonly string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(
      `SELECT u.cid AS id FROM unnest($1::uuid[]) AS u(cid) WHERE NOT EXISTS (SELECT 1 FROM categories c WHERE c.id = u.cid)`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  async replaceRules(
    m: EntityManager,
    rules: ReadonlyArray<{ categoryId: string | null; months: number; action: RetentionAction }>,
    by: string | null,
  ): Promise<void> {
    await m.query(`DELETE FROM retention_rules`);
    if (!rules.length) return;
    await m.query(
      `INSERT INTO retention_rules (category_id, months, action, updated_by)
       SELECT c, mo, a, $4 FROM unnest($1::uuid[], $2::int[], $3::text[]) AS u(c, mo, a)`,
      [rules.map((r) => r.categoryId), rules.map((r) => r.months), rules.map((r) => r.action), by],
    );
  }

  /** Pack loading: rules by category code (null: the default), unknown codes ignored by the caller's check. */
  async categoryIdsByCode(m: EntityManager): Promise<Map<string, string>> {
    const rows: Array<{ id: string; code: string }> = await m.query(`SELECT id, code FROM categories`);
    return new Map(rows.map((r) => [r.code, r.id]));
  }

  categories(m: EntityManager = this.db.manager): Promise<Array<{ id: string; code: string }>> {
    return m.query(`SELECT id, code FROM categories ORDER BY code`);
  }

  // ------------------------------------------------------------------ runs

  /** A new running run, or null when one of this kind is running (and still beating). */
  async startRun(kind: RunRow['kind']): Promise<string | null> {
    return this.db.transaction(async (m) => {
      await m.query(
        `UPDATE retention_runs SET state = 'failed', finished_at = now(), error = 'worker stopped (no heartbeat)'
         WHERE kind = $1 AND state = 'running' AND heartbeat_at < now() - interval '${STALE_RUN}'`,
        [kind],
      );
      const rows: Array<{ id: string }> = await m.query(
        `INSERT INTO retention_runs (kind) VALUES ($1) ON CONFLICT (commune_id, kind) WHERE state = 'running' DO NOTHING RETURNING id`,
        [kind],
      );
      return rows[0]?.id ?? null;
    });
  }

  async beat(m: EntityManager, id: string, counts: Record<string, unknown>): Promise<void> {
    await m.query(`UPDATE retention_runs SET counts = $2, heartbeat_at = now() WHERE id = $1`, [id, JSON.stringify(counts)]);
  }

  async finishRun(
    m: EntityManager,
    id: string,
    state: 'done' | 'failed',
    counts: Record<string, unknown>,
    error: string | null,
  ): Promise<void> {
    await m.query(
      `UPDATE retention_runs SET state = $2, counts = $3, error = $4, finished_at = now(), heartbeat_at = now() WHERE id = $1`,
      [id, state, JSON.stringify(counts), error],
    );
  }

  runs(limit: number, m: EntityManager = this.db.manager): Promise<RunRow[]> {
    return m.query(
      `SELECT id, kind, state, started_at, finished_at, counts, error FROM retention_runs ORDER BY started_at DESC, id DESC LIMIT $1`,
      [limit],
    );
  }

  // ------------------------------------------------------------------ due requests

  /** Up to `limit` closed, not yet anonymised requests of a category closed on or before `closedBefore`, locked (SKIP LOCKED). */
  /**
   * This batch's commit does not wait for its WAL to reach the disk (`synchronous_commit = off`, for this
   * transaction only): the batch's row locks are released without the flush's wait (a COMMIT took 20 ms on
   * average on this machine with other databases writing, bench/anonymise.mjs --log-statements) and the next
   * batch starts sooner. Atomicity is unchanged (the rows, the timeline and the audit of a batch commit together
   * or not at all); only the last batches before a crash of PostgreSQL itself may be lost — at most
   * 3 × wal_writer_delay, 600 ms by default — and the job, idempotent and resumable, anonymises them again on its
   * next run. Only the retention job's batches: never an agent's change, nor a DPO's erasure.
   */
  async commitWithoutWaitingForDisk(m: EntityManager): Promise<void> {
    await m.query(`SET LOCAL synchronous_commit = off`);
  }

  async dueBatch(m: EntityManager, categoryId: string, closedBefore: Date, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await preparedQuery(
      m,
      `SELECT id FROM tickets WHERE category_id = $1 AND status = 'closed' AND anonymised_at IS NULL AND closed_at <= $2
       ORDER BY closed_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [categoryId, closedBefore, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Merges the pending entries of the tickets' and citizens' search indexes (migration 1763800001000), outside
   * any batch: so that no batch's transaction, holding its rows, pays for a full pending list. Pages merged.
   */
  async flushSearchIndexes(): Promise<number> {
    const [r] = await this.db.query(`SELECT grc_flush_search_indexes() AS n`);
    return Number(r?.n ?? 0);
  }

  // ------------------------------------------------------------------ purges
  // (sessions, outbox bodies and quarantine are purged through their own repositories)

  /** Login audit events older than `months` that still hold an IP address: ids and changes (kept as they are). */
  loginIpsToClear(m: EntityManager, months: number, limit: number): Promise<Array<{ id: string; changes: unknown }>> {
    return m.query(
      `SELECT id::text, changes FROM audit_events WHERE action IN ('auth.login', 'auth.login_failed') AND ip IS NOT NULL
         AND at < now() - make_interval(months => $1) ORDER BY id LIMIT $2`,
      [months, limit],
    );
  }
}
