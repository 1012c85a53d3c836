import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbox counters per commune (issue 15): a commune's counters count its requests wherever they are handled —
 * those it sent to its métropole's shared services too —, and the métropole's count its shared services'
 * requests of every commune; so a shared department has a counter in each commune that has requests there.
 * The key becomes (commune_id, department_id, status). `inbox_counters` is a small read model (departments ×
 * open statuses per commune), rebuilt by the worker every minute. Reversible (the down keeps each department's
 * counters in its own commune, as before).
 */
export class InboxCountersPerCommune1763800002510 implements MigrationInterface {
  name = 'InboxCountersPerCommune1763800002510';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`ALTER TABLE inbox_counters DROP CONSTRAINT inbox_counters_pkey`);
    await q.query(`ALTER TABLE inbox_counters ADD PRIMARY KEY (commune_id, department_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`DELETE FROM inbox_counters i USING departments d WHERE d.id = i.department_id AND d.commune_id <> i.commune_id`);
    await q.query(`ALTER TABLE inbox_counters DROP CONSTRAINT inbox_counters_pkey`);
    await q.query(`ALTER TABLE inbox_counters ADD PRIMARY KEY (department_id, status)`);
  }
}
