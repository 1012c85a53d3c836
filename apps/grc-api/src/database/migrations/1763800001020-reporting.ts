import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11, figures, dashboards and open data.
 * - `report_ticket_facts`: the rollup of the figures, one row per request (libs/domain `ticketFacts`:
 *   its dates, durations in business minutes and calendar days, SLA outcomes, reopenings, circuit,
 *   duplicate, area). The worker keeps it from the ticket changes; every figure is an aggregate of it,
 *   never a scan of `tickets`. No personal data: no citizen, no text; `assignee_id` is an agent.
 * - `report_step_facts`: the validation circuits' steps of each request and their durations.
 * - `report_dirty`: rows first — the change listener marks a request here in the change's transaction;
 *   the worker's refresh folds the marked requests and removes the marks (idempotent, resumable).
 * - `open_data_settings` (one row) and `open_data_files`: the public dataset's options and its files,
 *   regenerated daily by the worker and served at stable public URLs.
 */
export class Reporting1763800001020 implements MigrationInterface {
  name = 'Reporting1763800001020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_ticket_facts (
      ticket_id uuid PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
      department_id uuid NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
      category_id uuid NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
      channel varchar(16) NOT NULL,
      priority smallint NOT NULL,
      assignee_id uuid REFERENCES agents(id) ON DELETE SET NULL,
      area varchar(200),
      status varchar(20) NOT NULL,
      received_at timestamptz NOT NULL,
      first_response_at timestamptz,
      resolved_at timestamptz,
      closed_at timestamptz,
      first_response_business_minutes double precision,
      first_response_days double precision,
      resolution_business_minutes double precision,
      resolution_days double precision,
      reopen_count integer NOT NULL DEFAULT 0,
      sla_first_response varchar(8) CHECK (sla_first_response IN ('met', 'missed')),
      sla_first_response_at timestamptz,
      sla_resolution varchar(8) CHECK (sla_resolution IN ('met', 'missed')),
      sla_resolution_at timestamptz,
      breaches integer NOT NULL DEFAULT 0,
      escalations integer NOT NULL DEFAULT 0,
      circuit boolean NOT NULL DEFAULT false,
      duplicate boolean NOT NULL DEFAULT false,
      ticket_version integer NOT NULL,
      refreshed_at timestamptz NOT NULL DEFAULT now())`);
    // the dashboards' ranges: per department (scoped) and town-wide, by each date a figure counts by
    await q.query(`CREATE INDEX report_facts_department_received ON report_ticket_facts (department_id, received_at)`);
    await q.query(
      `CREATE INDEX report_facts_department_resolved ON report_ticket_facts (department_id, resolved_at) WHERE resolved_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX report_facts_department_first_response ON report_ticket_facts (department_id, first_response_at) WHERE first_response_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX report_facts_department_closed ON report_ticket_facts (department_id, closed_at) WHERE closed_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX report_facts_open ON report_ticket_facts (department_id, received_at) WHERE resolved_at IS NULL`);

    await q.query(`CREATE TABLE report_step_facts (
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      department_id uuid NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
      definition_code varchar(64) NOT NULL,
      step varchar(64) NOT NULL,
      entered_at timestamptz NOT NULL,
      left_at timestamptz NOT NULL,
      business_minutes double precision NOT NULL,
      calendar_minutes double precision NOT NULL,
      PRIMARY KEY (ticket_id, seq))`);
    await q.query(`CREATE INDEX report_step_facts_department_left ON report_step_facts (department_id, left_at)`);

    await q.query(`CREATE TABLE report_dirty (
      ticket_id uuid PRIMARY KEY,
      marked_at timestamptz NOT NULL DEFAULT now())`);

    await q.query(`CREATE TABLE open_data_settings (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      csv_separator char(1) NOT NULL DEFAULT ';' CHECK (csv_separator IN (';', ',')),
      threshold integer NOT NULL DEFAULT 5 CHECK (threshold BETWEEN 1 AND 1000),
      months integer NOT NULL DEFAULT 24 CHECK (months BETWEEN 1 AND 120),
      licence_title varchar(200) NOT NULL DEFAULT 'Licence Ouverte / Open Licence version 2.0',
      licence_url varchar(500) NOT NULL DEFAULT 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`INSERT INTO open_data_settings (id) VALUES (1)`);

    await q.query(`CREATE TABLE open_data_files (
      name varchar(100) PRIMARY KEY,
      media_type varchar(100) NOT NULL,
      content bytea NOT NULL,
      sha256 char(64) NOT NULL,
      generated_at timestamptz NOT NULL DEFAULT now())`);

    await q.query(`DO $do$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grc_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON report_ticket_facts, report_step_facts, report_dirty, open_data_settings, open_data_files TO grc_app;
      END IF;
    END $do$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE open_data_files`);
    await q.query(`DROP TABLE open_data_settings`);
    await q.query(`DROP TABLE report_dirty`);
    await q.query(`DROP TABLE report_step_facts`);
    await q.query(`DROP TABLE report_ticket_facts`);
  }
}
