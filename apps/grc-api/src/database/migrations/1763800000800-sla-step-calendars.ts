import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A circuit step's clock counts on the business calendar of the step's department (the circuit
 * records it on each step: its writers', its first approver's, else the ticket's), which may not be
 * the ticket's. `calendar_department_id` keeps it with the clock so that every later move, the
 * escalation points and the ticket's SLA view use the same calendar; null: the ticket's department's.
 */
export class SlaStepCalendars1763800000800 implements MigrationInterface {
  name = 'SlaStepCalendars1763800000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_sla ADD COLUMN calendar_department_id uuid REFERENCES departments(id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_sla DROP COLUMN calendar_department_id`);
  }
}
