import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12, places: the town's addresses from the Base Adresse Nationale (BAN), searched as one types and
 * reverse-geocoded in PostgreSQL (no outside geocoder), and the map of open requests.
 * - `address_streets`: one row per street of a commune (key: INSEE code + the street's normalised name), its
 *   searchable text (name + commune, lower case, no accent: grc_unaccent of the initial schema) under a pg_trgm
 *   GIN index, its centre and how many addresses it has. Rebuilt for the communes of each import.
 * - `addresses`: one row per BAN address (key: the BAN id, `cle_interop`), updated in place by each import;
 *   `import_id` tells the rows a new file of the same commune no longer has. KNN (`<->`) on a GiST index of
 *   `point(lon, lat)` answers reverse geocoding (core PostgreSQL, no extension).
 * - `address_imports`: each import's report (the admin screen's "last import").
 * - `tickets_open_position`: open requests with a position, for the map of requests and the nearby list.
 * None of these is personal data: addresses are public (Licence Ouverte), and the tickets' own columns are
 * already in the register.
 */
export class Places1763800001030 implements MigrationInterface {
  name = 'Places1763800001030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE address_streets (
      key varchar(260) PRIMARY KEY,
      name varchar(200) NOT NULL,
      insee varchar(5) NOT NULL,
      postcode varchar(5) NOT NULL,
      commune varchar(200) NOT NULL,
      search text GENERATED ALWAYS AS (btrim(regexp_replace(lower(grc_unaccent(name || ' ' || commune)), '[^a-z0-9]+', ' ', 'g'))) STORED,
      lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
      lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
      addresses integer NOT NULL)`);
    await q.query(`CREATE INDEX address_streets_search ON address_streets USING gin (search gin_trgm_ops)`);
    await q.query(`CREATE INDEX address_streets_insee ON address_streets (insee)`);

    await q.query(`CREATE TABLE addresses (
      id varchar(100) PRIMARY KEY,
      street_key varchar(260) NOT NULL,
      fantoir varchar(20),
      number integer NOT NULL CHECK (number BETWEEN 0 AND 99999),
      rep varchar(20),
      street varchar(200) NOT NULL,
      postcode varchar(5) NOT NULL,
      insee varchar(5) NOT NULL,
      commune varchar(200) NOT NULL,
      lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
      lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
      import_id uuid NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX addresses_street_number ON addresses (street_key, number)`);
    await q.query(`CREATE INDEX addresses_insee_import ON addresses (insee, import_id)`);
    await q.query(`CREATE INDEX addresses_position ON addresses USING gist (point(lon, lat))`);

    await q.query(`CREATE TABLE address_imports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      source varchar(300) NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      report jsonb NOT NULL DEFAULT '{}'::jsonb,
      by_agent uuid)`);
    await q.query(`CREATE INDEX address_imports_started ON address_imports (started_at DESC)`);
    // the open requests' positions: tickets_open_position, built concurrently by the next migration (1763800001035)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS address_imports`);
    await q.query(`DROP TABLE IF EXISTS addresses`);
    await q.query(`DROP TABLE IF EXISTS address_streets`);
  }
}
