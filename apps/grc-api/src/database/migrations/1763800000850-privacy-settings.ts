import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10, the rights of the citizen: the town's privacy settings (one row), from which the information
 * notice (art. 13) of the public pages and the access letter (art. 15) are written: the controller, its
 * DPO, the purposes and legal basis (codes of libs/domain/src/rgpd/privacy-notice.ts), the authority where
 * to complain. No row: the defaults of `defaultPrivacySettings` (the town as controller, the CNIL).
 */
export class PrivacySettings1763800000850 implements MigrationInterface {
  name = 'PrivacySettings1763800000850';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE privacy_settings (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      controller_name varchar(200) NOT NULL,
      controller_address varchar(500) NOT NULL,
      controller_email varchar(254),
      dpo_name varchar(200),
      dpo_email varchar(254),
      dpo_address varchar(500),
      purposes text[] NOT NULL CHECK (cardinality(purposes) > 0),
      legal_basis varchar(32) NOT NULL CHECK (legal_basis IN ('public_task', 'legal_obligation', 'consent')),
      authority_name varchar(200) NOT NULL,
      authority_address varchar(500) NOT NULL,
      authority_url varchar(300) NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid,
      version integer NOT NULL DEFAULT 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS privacy_settings`);
  }
}
