import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A métropole's shared services (1763800002000), their agents' work on a commune's request: the timeline
 * events they write are the request's commune's (the tickets repository names it), so that the commune sees
 * them. This policy lets such a connection file them — for a request of its shared departments only; every
 * other write stays held to the connection's commune. Reversible.
 */
export class MetropoleSharedEvents1763800002020 implements MigrationInterface {
  name = 'MetropoleSharedEvents1763800002020';

  async up(q: QueryRunner): Promise<void> {
    const shared = `(SELECT grc_shared_departments())::uuid[]`;
    await q.query(`CREATE POLICY ticket_events_shared_file ON ticket_events FOR INSERT
      WITH CHECK (cardinality(${shared}) > 0
        AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = ticket_events.ticket_id AND t.commune_id = ticket_events.commune_id AND t.department_id = ANY (${shared})))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS ticket_events_shared_file ON ticket_events`);
  }
}
