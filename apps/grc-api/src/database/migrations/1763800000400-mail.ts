import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * E-mail channel: the outbox (rows written in the ticket's transaction, sent by the worker), e-mail
 * templates per event and language, agents' reply templates, the IMAP mailboxes read by the intake,
 * every message seen by the intake (unique key: never imported twice) and the quarantine of malformed ones.
 */
export class Mail1763800000400 implements MigrationInterface {
  name = 'Mail1763800000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE mail_outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ticket_id uuid REFERENCES tickets(id) ON DELETE CASCADE,
      event_id bigint,
      kind varchar(32) NOT NULL,
      to_address varchar(254) NOT NULL CHECK (to_address !~ '[\\r\\n]'),
      subject varchar(300) NOT NULL CHECK (subject !~ '[\\r\\n]'),
      text text NOT NULL,
      html text,
      message_id varchar(300) NOT NULL UNIQUE,
      in_reply_to varchar(300),
      "references" text,
      reply_to varchar(254),
      state varchar(16) NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz DEFAULT now(),
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz)`);
    await q.query(`CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state IN ('queued', 'failed', 'sending')`);
    await q.query(`CREATE INDEX mail_outbox_ticket ON mail_outbox (ticket_id, created_at)`);

    await q.query(`CREATE TABLE mail_templates (
      event varchar(32) NOT NULL,
      locale varchar(2) NOT NULL,
      subject varchar(300) NOT NULL CHECK (subject !~ '[\\r\\n]'),
      body text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid,
      PRIMARY KEY (event, locale))`);

    await q.query(`CREATE TABLE mail_reply_templates (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar(100) NOT NULL UNIQUE,
      body text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);

    await q.query(`CREATE TABLE mail_mailboxes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar(100) NOT NULL UNIQUE,
      host varchar(253) NOT NULL,
      port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
      secure boolean NOT NULL DEFAULT true,
      username varchar(254) NOT NULL,
      password text,
      folder varchar(200) NOT NULL DEFAULT 'INBOX',
      processed_folder varchar(200),
      category_id uuid NOT NULL REFERENCES categories(id),
      department_id uuid REFERENCES departments(id),
      poll_interval_seconds integer NOT NULL DEFAULT 60 CHECK (poll_interval_seconds BETWEEN 1 AND 86400),
      active boolean NOT NULL DEFAULT true,
      uid_validity bigint,
      last_uid bigint NOT NULL DEFAULT 0,
      lease_until timestamptz,
      last_poll_at timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);

    // One row per message the intake has decided about. The key is the Message-ID (or a hash of the
    // raw message when it has none): inserted in the transaction that creates the ticket or the reply,
    // so a crash before the IMAP flag is set can never import it twice.
    await q.query(`CREATE TABLE mail_imported (
      message_key varchar(300) PRIMARY KEY,
      mailbox_id uuid REFERENCES mail_mailboxes(id) ON DELETE SET NULL,
      uid bigint,
      outcome varchar(16) NOT NULL CHECK (outcome IN ('ticket', 'reply', 'ignored', 'quarantined')),
      ticket_id uuid REFERENCES tickets(id) ON DELETE SET NULL,
      reason text,
      imported_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX mail_imported_ticket ON mail_imported (ticket_id) WHERE ticket_id IS NOT NULL`);

    await q.query(`CREATE TABLE mail_quarantine (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      mailbox_id uuid REFERENCES mail_mailboxes(id) ON DELETE SET NULL,
      uid bigint,
      message_key varchar(300),
      from_address varchar(500),
      subject varchar(500),
      reason text NOT NULL,
      size integer NOT NULL,
      truncated boolean NOT NULL DEFAULT false,
      raw bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['mail_quarantine', 'mail_imported', 'mail_mailboxes', 'mail_reply_templates', 'mail_templates', 'mail_outbox']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
