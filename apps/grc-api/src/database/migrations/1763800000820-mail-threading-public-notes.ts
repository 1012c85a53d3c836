import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 9, items 7–9.
 * - `mail_outbox.sealed_link`: the tracking link of an e-mail, sealed (AES-256-GCM, common/secret-box.ts) until
 *   the e-mail is sent, then wiped; text/html hold a placeholder. Keys rendered in clear by earlier versions
 *   are cut out of the rows already sent here, and of the rows still waiting by the sender once it sent them
 *   (the keys are hashed in ticket_tracking_keys and keep working from the citizen's mailbox).
 * - `open311_requests.description`: what the client sent through Open311, the only description Open311 publishes
 *   (an agent's later edit of the ticket, or a ticket of another channel, is never published).
 */
export class MailThreadingPublicNotes1763800000820 implements MigrationInterface {
  name = 'MailThreadingPublicNotes1763800000820';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mail_outbox ADD COLUMN sealed_link text`);
    await q.query(`UPDATE mail_outbox SET text = regexp_replace(text, '([?&]k=)[A-Za-z0-9_-]{43}', '\\1…', 'g'),
                     html = regexp_replace(html, '([?&](amp;)?k=)[A-Za-z0-9_-]{43}', '\\1…', 'g')
                   WHERE state = 'sent' AND (text ~ '[?&]k=[A-Za-z0-9_-]{43}' OR html ~ 'k=[A-Za-z0-9_-]{43}')`);
    await q.query(`ALTER TABLE open311_requests ADD COLUMN description text`);
    await q.query(`UPDATE open311_requests o SET description = t.description FROM tickets t WHERE t.id = o.ticket_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE open311_requests DROP COLUMN description`);
    await q.query(`ALTER TABLE mail_outbox DROP COLUMN sealed_link`);
  }
}
