import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13, replies by post and reply templates per department and category.
 *
 * `ticket_letters`: a reply that leaves by post (request received by letter or at the counter, or a citizen
 * without e-mail), written in the ticket's transaction when the reply is sent — under a circuit, only once
 * validated — and queued in "courrier à envoyer" until an agent marks it sent. The recipient's block is kept
 * as printed (personal data: libs/domain/src/rgpd/personal-data.ts, cleared by the anonymisation); the PDF is
 * made from the row when downloaded, never stored.
 *
 * `mail_reply_templates` gets an optional department and category: the composer proposes the templates that
 * fit the ticket first. A small table: plain ALTERs.
 */
export class LettersAndScopedTemplates1763800001200 implements MigrationInterface {
  name = 'LettersAndScopedTemplates1763800001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ticket_letters (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      event_id bigint,
      recipient_name varchar(300) NOT NULL,
      recipient_address text,
      body text NOT NULL,
      signatory_id uuid REFERENCES agents(id) ON DELETE SET NULL,
      signatory_name varchar(200) NOT NULL,
      signatory_title varchar(300),
      state varchar(16) NOT NULL DEFAULT 'to_send' CHECK (state IN ('to_send', 'sent')),
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      sent_by uuid REFERENCES agents(id) ON DELETE SET NULL,
      CHECK ((state = 'sent') = (sent_at IS NOT NULL)))`);
    await q.query(`CREATE INDEX ticket_letters_queue ON ticket_letters (state, created_at, id)`);
    await q.query(`CREATE INDEX ticket_letters_ticket ON ticket_letters (ticket_id)`);

    await q.query(`ALTER TABLE mail_reply_templates
      ADD COLUMN department_id uuid REFERENCES departments(id) ON DELETE SET NULL,
      ADD COLUMN category_id uuid REFERENCES categories(id) ON DELETE SET NULL`);

    // the app's role (created by AppRole on a new database; on an upgraded one it exists already)
    await q.query(`DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grc_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON ticket_letters TO grc_app;
      END IF;
    END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mail_reply_templates DROP COLUMN IF EXISTS department_id, DROP COLUMN IF EXISTS category_id`);
    await q.query(`DROP TABLE IF EXISTS ticket_letters`);
  }
}
