import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OPEN_STATUSES } from '@grc/domain';

/** The counters' figures ($1: the open statuses); exported for the plan's spec (rls-indexes.spec). */
export const OPEN_COUNTS_SQL = `SELECT t.department_id, t.status, count(*)::int, (count(*) FILTER (WHERE t.assignee_id IS NULL))::int, now()
       FROM tickets t
       WHERE t.status = ANY($1::text[]) AND (t.commune_id = (SELECT grc_row_commune()) OR t.department_id = ANY ((SELECT grc_shared_departments())::uuid[]))
       GROUP BY t.department_id, t.status`;

/** Every query on `inbox_counters` (the read model of open work; PostgreSQL's tickets stay the truth). */
@Injectable()
export class InboxCountersRepository {
  /**
   * Rebuilds the read model from tickets (open work per department and status) with the caller's
   * EntityManager, which must be in a transaction. Concurrent recomputes are serialised so that one
   * never inserts over the other's rows. What the commune's connection sees (named, not left to the policy:
   * the pack loader runs as the owner, whom no policy holds): a commune's requests wherever they are handled
   * (its requests in its métropole's shared services too: its counters agree with its lists), and for a
   * métropole its shared departments' requests of every commune (migration 1763800002510: one counter per
   * commune and department). Answered from `tickets_open_department_counts` alone (migration 1763800003710); the
   * commune is read once (`(SELECT grc_row_commune())`, an InitPlan) rather than called for every open request.
   */
  async recompute(m: EntityManager): Promise<{ rows: number }> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('grc:inbox_counters'))`);
    await m.query(`DELETE FROM inbox_counters WHERE commune_id = grc_row_commune()`);
    const inserted: Array<{ department_id: string }> = await m.query(
      `INSERT INTO inbox_counters (department_id, status, total, unassigned, computed_at) ${OPEN_COUNTS_SQL} RETURNING department_id`,
      [OPEN_STATUSES],
    );
    return { rows: inserted.length };
  }
}

/** The same, for the pack loader (no injector there). */
export const recomputeInboxCounters = (m: EntityManager) => new InboxCountersRepository().recompute(m);
