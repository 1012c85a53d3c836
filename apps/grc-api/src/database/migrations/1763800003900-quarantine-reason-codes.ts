import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The quarantine's reasons as codes (issue 13: the console words them, the API sends no sentence):
 * `mail_quarantine.reason_code` + `reason_params` (libs/domain QUARANTINE_REASON_CODES). The French `reason`
 * stays, for the logs and the audit trail of a deletion. Existing rows get their code from their text (every
 * reason was written by the five sentences of the e-mail intake, matched here); a text none matches becomes
 * `mail.import_failed` with the text as its detail. The table is small (messages kept aside, purged after their
 * retention); the update runs as the owner with the policy not forced for the statement (the owner is subject
 * to a forced policy, and a migration sets no commune), then forced again. Reversible.
 */
export class QuarantineReasonCodes1763800003900 implements MigrationInterface {
  name = 'QuarantineReasonCodes1763800003900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`ALTER TABLE mail_quarantine ADD COLUMN reason_code text NOT NULL DEFAULT 'mail.import_failed'`);
    await q.query(`ALTER TABLE mail_quarantine ADD COLUMN reason_params jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`ALTER TABLE mail_quarantine NO FORCE ROW LEVEL SECURITY`);
    await q.query(`UPDATE mail_quarantine SET (reason_code, reason_params) = (
      SELECT c.code, c.params FROM (VALUES
        (1, 'mail.too_large', CASE WHEN reason ~ '^Message trop volumineux \\(\\d+ Mo\\)\\.$'
           THEN jsonb_build_object('mb', (regexp_match(reason, '\\((\\d+) Mo\\)'))[1]::int) END),
        (2, 'mail.unreadable', CASE WHEN reason ~ '^Message illisible( : |\\.$)'
           THEN jsonb_build_object('error', coalesce((regexp_match(reason, '^Message illisible : (.*)$'))[1], '')) END),
        (3, 'mail.no_sender', CASE WHEN reason = 'Expéditeur absent ou illisible (From).' THEN '{}'::jsonb END),
        (4, 'mail.bad_sender', CASE WHEN reason ~ '^Adresse d’expéditeur invalide : .*\\.$'
           THEN jsonb_build_object('address', (regexp_match(reason, '^Adresse d’expéditeur invalide : (.*)\\.$'))[1]) END),
        (5, 'mail.import_failed', CASE WHEN reason ~ '^Import impossible : '
           THEN jsonb_build_object('error', (regexp_match(reason, '^Import impossible : (.*)$'))[1]) END),
        (6, 'mail.import_failed', jsonb_build_object('error', reason))
      ) AS c(rank, code, params)
      WHERE c.params IS NOT NULL ORDER BY c.rank LIMIT 1)`);
    await q.query(`ALTER TABLE mail_quarantine FORCE ROW LEVEL SECURITY`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mail_quarantine DROP COLUMN IF EXISTS reason_params`);
    await q.query(`ALTER TABLE mail_quarantine DROP COLUMN IF EXISTS reason_code`);
  }
}
