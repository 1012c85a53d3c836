import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OPEN_STATUSES } from '@grc/domain';

/** Every query on `inbox_counters` (the read model of open work; PostgreSQL's tickets stay the truth). */
@Injectable()
export class InboxCountersRepository {
  /**
   * Rebuilds the read model from tickets (open work per department and status) with the caller's
   * EntityManager, which must be in a transaction. Concurrent recomputes are serialised so that one
   * never inserts over the other's rows. The commune's own departments only (named, not left to the policy:
   * the pack loader runs as the owner, whom no policy holds): a métropole's shared department counts the
   * requests of every commune it serves, once, under the métropole.
   */
  async recompute(m: EntityManager): Promise<{ rows: number }> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('grc:inbox_counters'))`);
    await m.query(`DELETE FROM inbox_counters WHERE commune_id = grc_row_commune()`);
    const inserted: Array<{ department_id: string }> = await m.query(
      `INSERT INTO inbox_counters (department_id, status, total, unassigned, computed_at)
       SELECT t.department_id, t.status, count(*)::int, (count(*) FILTER (WHERE t.assignee_id IS NULL))::int, now()
       FROM tickets t JOIN departments d ON d.id = t.department_id
       WHERE t.status = ANY($1::text[]) AND d.commune_id = grc_row_commune()
       GROUP BY t.department_id, t.status
       RETURNING department_id`,
      [OPEN_STATUSES],
    );
    return { rows: inserted.length };
  }
}

/** The same, for the pack loader (no injector there). */
export const recomputeInboxCounters = (m: EntityManager) => new InboxCountersRepository().recompute(m);
