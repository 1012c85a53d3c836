import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Open311 GeoReport v2 channel: category-specific attributes (a service's definition), the API keys
 * of client applications (only their SHA-256 is stored), the tokens and Open311-only fields of the
 * requests received (media_url, address_id, device_id, account_id), and the attribute values on tickets.
 */
export class Open3111763800000100 implements MigrationInterface {
  name = 'Open3111763800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}'::jsonb`);

    await q.query(`CREATE TABLE category_attributes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      category_id uuid NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
      code varchar(64) NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]+$'),
      datatype varchar(16) NOT NULL CHECK (datatype IN ('string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist')),
      variable boolean NOT NULL DEFAULT true,
      required boolean NOT NULL DEFAULT false,
      datatype_description varchar(500),
      description varchar(1000) NOT NULL,
      "order" integer NOT NULL DEFAULT 1,
      "values" jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof("values") = 'array'),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (category_id, code))`);

    await q.query(`CREATE TABLE open311_api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar(100) NOT NULL,
      key_hash char(64) NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      last_used_at timestamptz)`);

    await q.query(`CREATE TABLE open311_requests (
      ticket_id uuid PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
      token varchar(64) NOT NULL UNIQUE,
      api_key_id uuid NOT NULL REFERENCES open311_api_keys(id),
      address_id varchar(200),
      media_url varchar(2000),
      device_id varchar(200),
      account_id varchar(200),
      created_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS open311_requests`);
    await q.query(`DROP TABLE IF EXISTS open311_api_keys`);
    await q.query(`DROP TABLE IF EXISTS category_attributes`);
    await q.query(`ALTER TABLE tickets DROP COLUMN IF EXISTS attributes`);
  }
}
