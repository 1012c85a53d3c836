import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../../common/prepared';
import type { TimerRow, TimerSpec } from './timer.types';

interface RawTimer {
  id: string;
  key: string;
  kind: string;
  ticket_id: string | null;
  due_at: Date;
  state: TimerRow['state'];
  payload: Record<string, unknown>;
  attempts: number;
}
const toRow = (r: RawTimer): TimerRow => ({
  id: String(r.id),
  key: r.key,
  kind: r.kind,
  ticketId: r.ticket_id,
  dueAt: new Date(r.due_at),
  state: r.state,
  payload: r.payload ?? {},
  attempts: r.attempts,
});

/** TypeORM answers an UPDATE … RETURNING with [rows, count]. */
const updated = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));

/** A timer written by an upsert: its due time, its ticket, and whether a pending timer was moved. */
export interface UpsertedTimer {
  key: string;
  due_at: Date;
  moved: boolean;
  ticket_id: string | null;
  /** the row's commune: its request's (a métropole's work on a commune's request files the commune's timer) */
  commune_id: string;
}
/** A pending timer as the reconciler pages through them. */
export interface PendingTimer {
  id: string;
  key: string;
  ticket_id: string | null;
  due_at: Date;
  due_ms: string;
}

/**
 * Every query on `timers`. The firing path (pendingTicketOf, lockTicket, lockForFiring, markFired)
 * is the hot path of the benchmark (bench/sla-timers.mjs): its statements are prepared once per
 * connection (common/prepared.ts, named from the text: keep the text as it is), and the row is
 * taken with SKIP LOCKED so that two workers never fire one timer twice.
 */
@Injectable()
export class TimersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Upserts by key. A key that already fired stays fired (not returned); a pending or cancelled one
   * takes the new due time and becomes pending.
   */
  upsert(m: EntityManager, specs: readonly TimerSpec[]): Promise<UpsertedTimer[]> {
    // prepared: every ticket creation runs it (its SLA ladder)
    return preparedQuery<UpsertedTimer>(
      m,
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::timestamptz[], $5::jsonb[]) AS i(key, kind, ticket_id, due_at, payload))
       , prev AS (SELECT t.key, t.due_at, t.state FROM timers t JOIN input i ON i.key = t.key)
       , up AS (
         INSERT INTO timers (key, kind, ticket_id, due_at, payload) SELECT key, kind, ticket_id, due_at, payload FROM input
         ON CONFLICT (key) DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload, kind = EXCLUDED.kind,
           state = 'pending', attempts = 0, last_error = NULL, updated_at = now()
         WHERE timers.state <> 'fired'
         RETURNING key, due_at, ticket_id, commune_id)
       SELECT up.key, up.due_at, up.ticket_id, up.commune_id, (prev.key IS NOT NULL AND prev.state = 'pending' AND prev.due_at <> up.due_at) AS moved
       FROM up LEFT JOIN prev ON prev.key = up.key`,
      [
        specs.map((s) => s.key),
        specs.map((s) => s.kind),
        specs.map((s) => s.ticketId ?? null),
        specs.map((s) => s.dueAt.toISOString()),
        specs.map((s) => JSON.stringify(s.payload ?? {})),
      ],
    );
  }

  /** Cancels the pending timers of these keys (fired ones stay fired); the keys cancelled. */
  async cancelKeys(m: EntityManager, keys: readonly string[]): Promise<string[]> {
    const rows = updated<{ key: string }>(
      await m.query(
        `UPDATE timers SET state = 'cancelled', updated_at = now() WHERE key = ANY($1::text[]) AND state = 'pending' RETURNING key`,
        [keys],
      ),
    );
    return rows.map((r) => r.key);
  }

  /** Cancels a ticket's pending timers of a kind whose payload contains `payloadFilter`, except `exceptKeys`; the keys cancelled. */
  async cancelMatching(
    m: EntityManager,
    ticketId: string,
    kind: string,
    payloadFilter: Record<string, unknown>,
    exceptKeys: readonly string[],
  ): Promise<string[]> {
    const rows = updated<{ key: string }>(
      await m.query(
        `UPDATE timers SET state = 'cancelled', updated_at = now()
       WHERE ticket_id = $1 AND kind = $2 AND state = 'pending' AND payload @> $3::jsonb AND NOT (key = ANY($4::text[]))
       RETURNING key`,
        [ticketId, kind, JSON.stringify(payloadFilter), exceptKeys],
      ),
    );
    return rows.map((r) => r.key);
  }

  /** Cancels a ticket's pending timers of a kind due at `dueBy` or earlier; the keys cancelled. */
  async cancelDue(m: EntityManager, ticketId: string, kind: string, dueBy: Date): Promise<string[]> {
    const rows = updated<{ key: string }>(
      await m.query(
        `UPDATE timers SET state = 'cancelled', updated_at = now() WHERE ticket_id = $1 AND kind = $2 AND state = 'pending' AND due_at <= $3 RETURNING key`,
        [ticketId, kind, dueBy],
      ),
    );
    return rows.map((r) => r.key);
  }

  /** A ticket's timers of one kind, whatever their state (for display). */
  forTicket(
    ticketId: string,
    kind: string,
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ key: string; due_at: Date; state: TimerRow['state']; fired_at: Date | null; payload: Record<string, unknown> }>> {
    return m.query(`SELECT key, due_at, state, fired_at, payload FROM timers WHERE ticket_id = $1 AND kind = $2`, [ticketId, kind]);
  }

  // ---- firing (hot path, prepared statements)

  /** The ticket of a pending timer: undefined when the key is not pending (fired, cancelled, unknown). */
  async pendingTicketOf(m: EntityManager, key: string): Promise<string | null | undefined> {
    const [pre]: Array<{ ticket_id: string | null }> = await preparedQuery(
      m,
      `SELECT ticket_id FROM timers WHERE key = $1 AND state = 'pending'`,
      [key],
    );
    return pre ? pre.ticket_id : undefined;
  }

  /**
   * Locks the timer's ticket first (lock order everywhere: ticket, then its rows, then timers). A row
   * lock on the tickets' table, kept here with the firing statements it is prepared with.
   */
  async lockTicket(m: EntityManager, ticketId: string): Promise<void> {
    // NO KEY: as TicketsRepository.lock, so that inserts referencing the ticket are not blocked
    await preparedQuery(m, `SELECT 1 FROM tickets WHERE id = $1 FOR NO KEY UPDATE`, [ticketId]);
  }

  /** The timer, locked; null when another transaction holds it (SKIP LOCKED) or it does not exist. */
  async lockForFiring(m: EntityManager, key: string): Promise<{ timer: TimerRow; due: boolean } | null> {
    // the text is exactly the one prepared before this repository existed (statement names hash it)
    const [raw]: Array<RawTimer & { due: boolean }> = await preparedQuery(
      m,
      `SELECT id, key, kind, ticket_id, due_at, state, payload, attempts, due_at <= clock_timestamp() AS due
           FROM timers WHERE key = $1 FOR UPDATE SKIP LOCKED`,
      [key],
    );
    return raw ? { timer: toRow(raw), due: raw.due } : null;
  }

  async markFired(m: EntityManager, id: string): Promise<void> {
    await preparedQuery(
      m,
      `UPDATE timers SET state = 'fired', fired_at = clock_timestamp(), attempts = attempts + 1, updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  /** Counts a failed attempt of a pending timer (outside the rolled-back firing); sets it aside as 'failed' at `maxAttempts`. */
  async recordFailure(key: string, message: string, maxAttempts: number, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(
      `UPDATE timers SET attempts = attempts + 1, last_error = $2, updated_at = now(),
         state = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE state END
       WHERE key = $1 AND state = 'pending'`,
      [key, message, maxAttempts],
    );
  }

  // ---- reconciliation (worker role): the current commune's own rows (a métropole reads its shared services'
  // requests' timers too, which are their commune's: fired and re-added by the commune's pass)

  /** Up to `limit` pending timers due `graceMs` ago or earlier, in due order. */
  overdue(graceMs: number, limit: number, m: EntityManager = this.db.manager): Promise<Array<{ key: string; ticket_id: string | null }>> {
    return m.query(
      `SELECT key, ticket_id FROM timers WHERE state = 'pending' AND due_at <= clock_timestamp() - $1 * interval '1 millisecond'
         AND commune_id = grc_commune()
       ORDER BY due_at, id LIMIT ${limit}`,
      [graceMs],
    );
  }

  /**
   * One page of pending timers due from `from`, in (due_at, id) order after the keyset `after`;
   * only those due within `horizonMs` unless `horizonMs` is null (every pending row).
   */
  pendingPage(
    from: string,
    horizonMs: number | null,
    after: [string, string] | null,
    limit: number,
    m: EntityManager = this.db.manager,
  ): Promise<PendingTimer[]> {
    return m.query(
      `SELECT id, key, ticket_id, due_at, (extract(epoch FROM due_at) * 1000)::bigint::text AS due_ms FROM timers
       WHERE state = 'pending' AND due_at >= $1::timestamptz AND commune_id = grc_commune()
         ${horizonMs === null ? '' : `AND due_at <= clock_timestamp() + ${horizonMs} * interval '1 millisecond'`}
         ${after ? 'AND (due_at, id) > ($2::timestamptz, $3::bigint)' : ''}
       ORDER BY due_at, id LIMIT ${limit}`,
      after ? [from, ...after] : [from],
    );
  }
}
