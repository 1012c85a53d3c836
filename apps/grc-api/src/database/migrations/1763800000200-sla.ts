import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable timers (generic: SLA escalations, workflow timers), SLA calendars and policies, per-ticket
 * SLA clocks, denormalised SLA columns on tickets for the inbox, and notifications (delivered later
 * by the channels module; the console lists them).
 */
export class Sla1763800000200 implements MigrationInterface {
  name = 'Sla1763800000200';

  async up(q: QueryRunner): Promise<void> {
    // A timer is a row first (the truth); a BullMQ delayed job with jobId = key only mirrors it.
    await q.query(`CREATE TABLE timers (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      key text NOT NULL UNIQUE,
      kind varchar(64) NOT NULL,
      ticket_id uuid REFERENCES tickets(id) ON DELETE CASCADE,
      due_at timestamptz NOT NULL,
      state varchar(10) NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fired', 'cancelled', 'failed')),
      payload jsonb NOT NULL DEFAULT '{}'::jsonb,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      fired_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX timers_state_due ON timers (state, due_at)`);
    await q.query(`CREATE INDEX timers_pending_due ON timers (due_at) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX timers_ticket ON timers (ticket_id, kind) WHERE ticket_id IS NOT NULL`);

    // Calendars: one town default (department_id NULL) and optional per-department overrides.
    await q.query(`CREATE TABLE sla_calendars (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      department_id uuid UNIQUE REFERENCES departments(id) ON DELETE CASCADE,
      name varchar(200) NOT NULL,
      data jsonb NOT NULL,
      version integer NOT NULL DEFAULT 1,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE UNIQUE INDEX sla_calendars_one_default ON sla_calendars ((department_id IS NULL)) WHERE department_id IS NULL`);

    await q.query(`CREATE TABLE sla_policies (
      id varchar(64) PRIMARY KEY CHECK (id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name varchar(200) NOT NULL,
      data jsonb NOT NULL,
      active boolean NOT NULL DEFAULT true,
      version integer NOT NULL DEFAULT 1,
      updated_at timestamptz NOT NULL DEFAULT now())`);

    // One clock per ticket and target: its events (the fold's input), the policy snapshot it runs under,
    // and derived columns. generation counts recomputes and restarts (escalation keys embed it).
    await q.query(`CREATE TABLE ticket_sla (
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      target varchar(80) NOT NULL,
      policy_id varchar(64) NOT NULL,
      policy jsonb NOT NULL,
      generation_base integer NOT NULL DEFAULT 0,
      generation integer NOT NULL DEFAULT 0,
      events jsonb NOT NULL DEFAULT '[]'::jsonb,
      past_history jsonb NOT NULL DEFAULT '[]'::jsonb,
      status varchar(10) NOT NULL CHECK (status IN ('running', 'paused', 'stopped')),
      deadline timestamptz,
      breached boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (ticket_id, target))`);

    await q.query(`ALTER TABLE tickets ADD COLUMN sla_due_at timestamptz, ADD COLUMN sla_breached boolean NOT NULL DEFAULT false`);
    // inbox: "due soonest" per department and overall; breached per department
    await q.query(`CREATE INDEX tickets_department_sla_due ON tickets (department_id, sla_due_at, id) WHERE sla_due_at IS NOT NULL`);
    await q.query(`CREATE INDEX tickets_sla_due ON tickets (sla_due_at, id) WHERE sla_due_at IS NOT NULL`);
    await q.query(`CREATE INDEX tickets_sla_breached ON tickets (department_id, sla_due_at) WHERE sla_breached`);

    await q.query(`CREATE TABLE notifications (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      recipient_agent_id uuid REFERENCES agents(id) ON DELETE CASCADE,
      recipient_role varchar(16),
      recipient_department_id uuid REFERENCES departments(id) ON DELETE CASCADE,
      ticket_id uuid REFERENCES tickets(id) ON DELETE CASCADE,
      kind varchar(64) NOT NULL,
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      CHECK (recipient_agent_id IS NOT NULL OR recipient_department_id IS NOT NULL))`);
    await q.query(
      `CREATE INDEX notifications_agent ON notifications (recipient_agent_id, created_at DESC) WHERE recipient_agent_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX notifications_department ON notifications (recipient_department_id, created_at DESC) WHERE recipient_department_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX notifications_ticket ON notifications (ticket_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
    await q.query(`ALTER TABLE tickets DROP COLUMN sla_due_at, DROP COLUMN sla_breached`);
    await q.query(`DROP TABLE ticket_sla`);
    await q.query(`DROP TABLE sla_policies`);
    await q.query(`DROP TABLE sla_calendars`);
    await q.query(`DROP TABLE timers`);
  }
}
