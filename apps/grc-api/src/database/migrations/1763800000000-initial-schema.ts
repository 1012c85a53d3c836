import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema: reference data, agents and sessions, citizens, tickets with their timeline,
 * attachments, audit trail and inbox counters. Plain SQL so that indexes and the French
 * full-text configuration are explicit.
 */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    // French stemming that ignores accents: "eclairage" finds "Éclairage".
    await q.query(`CREATE TEXT SEARCH CONFIGURATION grc_french (COPY = french)`);
    await q.query(`ALTER TEXT SEARCH CONFIGURATION grc_french
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem`);
    // unaccent() is only STABLE; this wrapper pins the dictionary so it can back an index.
    await q.query(`CREATE FUNCTION grc_unaccent(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$`);

    await q.query(`CREATE TABLE departments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code varchar(64) NOT NULL UNIQUE,
      name varchar(200) NOT NULL,
      kind varchar(16) NOT NULL CHECK (kind IN ('direction', 'service')),
      parent_id uuid REFERENCES departments(id),
      email varchar(254),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1)`);

    await q.query(`CREATE TABLE agents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email varchar(254) NOT NULL UNIQUE CHECK (email = lower(email)),
      display_name varchar(200) NOT NULL,
      password_hash text NOT NULL,
      role varchar(16) NOT NULL CHECK (role IN ('agent', 'head', 'admin')),
      locale varchar(2) NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1)`);
    await q.query(`CREATE TABLE agent_departments (
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      department_id uuid NOT NULL REFERENCES departments(id),
      PRIMARY KEY (agent_id, department_id))`);
    await q.query(`CREATE INDEX agent_departments_department ON agent_departments (department_id)`);

    await q.query(`CREATE TABLE sessions (
      token_hash char(64) PRIMARY KEY,
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      ip varchar(64),
      user_agent varchar(300))`);
    await q.query(`CREATE INDEX sessions_agent ON sessions (agent_id)`);

    await q.query(`CREATE TABLE categories (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code varchar(64) NOT NULL UNIQUE,
      name_fr varchar(200) NOT NULL,
      name_en varchar(200) NOT NULL,
      default_department_id uuid NOT NULL REFERENCES departments(id),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1)`);

    await q.query(`CREATE TABLE routing_rules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      category_id uuid NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
      department_id uuid NOT NULL REFERENCES departments(id),
      area_name varchar(200),
      area jsonb,
      position integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1)`);
    await q.query(`CREATE INDEX routing_rules_category ON routing_rules (category_id, position)`);

    await q.query(`CREATE TABLE citizens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind varchar(16) NOT NULL CHECK (kind IN ('resident', 'organisation')),
      first_name varchar(100),
      last_name varchar(100),
      organisation_name varchar(200),
      contact_person varchar(200),
      email varchar(254),
      phone varchar(32),
      address varchar(500),
      postcode varchar(10),
      city varchar(100),
      preferred_channel varchar(16),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1,
      search_text text GENERATED ALWAYS AS (lower(grc_unaccent(
        coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(organisation_name, '') || ' ' ||
        coalesce(contact_person, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')))) STORED)`);
    await q.query(`CREATE INDEX citizens_search ON citizens USING gin (search_text gin_trgm_ops)`);
    await q.query(`CREATE INDEX citizens_email ON citizens (lower(email))`);
    await q.query(`CREATE INDEX citizens_phone ON citizens (phone)`);

    // Per-year reference counters: sequences never block concurrent creations (a gap is harmless).
    await q.query(`CREATE FUNCTION grc_next_ticket_number(y integer) RETURNS bigint LANGUAGE plpgsql AS $$
      BEGIN
        RETURN nextval(format('ticket_number_%s', y));
      EXCEPTION WHEN undefined_table THEN
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS ticket_number_%s', y);
        RETURN nextval(format('ticket_number_%s', y));
      END $$`);

    await q.query(`CREATE TABLE tickets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reference varchar(32) NOT NULL UNIQUE,
      channel varchar(16) NOT NULL CHECK (channel IN ('web', 'email', 'phone', 'counter', 'mail', 'open311')),
      category_id uuid NOT NULL REFERENCES categories(id),
      department_id uuid NOT NULL REFERENCES departments(id),
      assignee_id uuid REFERENCES agents(id),
      citizen_id uuid REFERENCES citizens(id),
      subject varchar(300) NOT NULL,
      description text NOT NULL,
      address varchar(500),
      latitude double precision CHECK (latitude BETWEEN -90 AND 90),
      longitude double precision CHECK (longitude BETWEEN -180 AND 180),
      priority smallint NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),
      status varchar(20) NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'waiting_citizen', 'resolved', 'closed')),
      created_by uuid REFERENCES agents(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      closed_at timestamptz,
      version integer NOT NULL DEFAULT 1,
      search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('grc_french', reference || ' ' || subject), 'A') ||
        setweight(to_tsvector('grc_french', description), 'B')) STORED)`);
    // The inbox's queries: newest first overall (scoped by department), per department, per assignee,
    // unassigned, by priority and by last update; full text; a citizen's history.
    await q.query(`CREATE INDEX tickets_created ON tickets (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX tickets_department_created ON tickets (department_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX tickets_assignee_created ON tickets (assignee_id, created_at DESC, id DESC) WHERE assignee_id IS NOT NULL`);
    await q.query(`CREATE INDEX tickets_unassigned_created ON tickets (department_id, created_at DESC, id DESC) WHERE assignee_id IS NULL`);
    await q.query(`CREATE INDEX tickets_department_priority ON tickets (department_id, priority DESC, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX tickets_department_updated ON tickets (department_id, updated_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX tickets_open_department ON tickets (department_id, status) WHERE status IN ('new', 'open', 'waiting_citizen')`,
    );
    await q.query(`CREATE INDEX tickets_search ON tickets USING gin (search_vector)`);
    await q.query(`CREATE INDEX tickets_citizen ON tickets (citizen_id, created_at DESC) WHERE citizen_id IS NOT NULL`);

    await q.query(`CREATE TABLE ticket_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      kind varchar(32) NOT NULL,
      actor_id uuid REFERENCES agents(id),
      at timestamptz NOT NULL DEFAULT now(),
      body text,
      data jsonb NOT NULL DEFAULT '{}'::jsonb)`);
    await q.query(`CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at, id)`);

    await q.query(`CREATE TABLE attachments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      filename varchar(255) NOT NULL,
      mime_type varchar(100) NOT NULL,
      size integer NOT NULL CHECK (size >= 0),
      sha256 char(64) NOT NULL,
      storage_key varchar(200) NOT NULL,
      uploaded_by uuid REFERENCES agents(id),
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX attachments_ticket ON attachments (ticket_id, created_at)`);

    await q.query(`CREATE TABLE audit_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_id uuid,
      actor_label varchar(254) NOT NULL,
      action varchar(64) NOT NULL,
      entity_type varchar(32) NOT NULL,
      entity_id varchar(64) NOT NULL,
      changes jsonb NOT NULL DEFAULT '{}'::jsonb,
      ip varchar(64))`);
    await q.query(`CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, at)`);
    await q.query(`CREATE INDEX audit_events_actor ON audit_events (actor_id, at)`);

    // Read model refreshed by the worker: open tickets per department and status.
    await q.query(`CREATE TABLE inbox_counters (
      department_id uuid NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
      status varchar(20) NOT NULL,
      total integer NOT NULL,
      unassigned integer NOT NULL,
      computed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (department_id, status))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'inbox_counters',
      'audit_events',
      'attachments',
      'ticket_events',
      'tickets',
      'citizens',
      'routing_rules',
      'categories',
      'sessions',
      'agent_departments',
      'agents',
      'departments',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS grc_next_ticket_number(integer)`);
    await q.query(`DROP FUNCTION IF EXISTS grc_unaccent(text)`);
    await q.query(`DROP TEXT SEARCH CONFIGURATION IF EXISTS grc_french`);
  }
}
