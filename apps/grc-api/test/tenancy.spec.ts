import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, dataSourceOptions, tenantDataSource } from '../src/database/data-source';
import { NOT_YET_SCOPED, SHARED_TABLES, TENANT_TABLES, withCommune } from '../src/database/tenancy';
import { preparedQuery } from '../src/common/prepared';

/**
 * Communes as tenants (issue 15): every table of the schema is classified (a table added later that is
 * neither a tenant table nor on an explicit list fails here), and row-level security is proven table by
 * table, as the application's role: without the commune setting a query sees nothing and may write
 * nothing; with it, only that commune's rows.
 */
/** One row for each tenant table the demo pack leaves empty, in the default commune (the column's default). */
const T = `(SELECT id FROM tickets ORDER BY created_at LIMIT 1)`;
const A = `(SELECT id FROM agents ORDER BY email LIMIT 1)`;
const SEED = [
  `INSERT INTO citizen_revisions (citizen_id, action, changes) SELECT id, 'update', '{}' FROM citizens ORDER BY id LIMIT 1`,
  `INSERT INTO open311_api_keys (name, key_hash) VALUES ('rls', repeat('a', 64))`,
  `INSERT INTO open311_requests (ticket_id, token, api_key_id) SELECT ${T}, 'rls-token', id FROM open311_api_keys WHERE name = 'rls'`,
  `INSERT INTO timers (key, kind, due_at) VALUES ('rls', 'rls', now() + interval '1 day')`,
  `INSERT INTO ticket_sla (ticket_id, target, policy_id, policy, status) VALUES (${T}, 'resolution', 'rls', '{}', 'running')`,
  `INSERT INTO notifications (kind, recipient_agent_id) VALUES ('rls', ${A})`,
  `INSERT INTO notification_reads (notification_id, agent_id) SELECT id, recipient_agent_id FROM notifications WHERE kind = 'rls'`,
  `INSERT INTO ticket_workflows (ticket_id, definition_code, version, state, status, step_id, step_kind)
     SELECT ${T}, code, version, '{}', 'active', 'rls', 'task' FROM workflow_definitions ORDER BY code, version LIMIT 1
     ON CONFLICT (ticket_id) DO NOTHING`,
  `INSERT INTO delegations (from_agent_id, to_agent_id, starts_at, ends_at)
     SELECT (SELECT id FROM agents ORDER BY email LIMIT 1), (SELECT id FROM agents ORDER BY email OFFSET 1 LIMIT 1), now(), now() + interval '1 day'`,
  `INSERT INTO mail_outbox (kind, to_address, subject, text, message_id) VALUES ('rls', 'rls@example.org', 'RLS', 'RLS', '<rls@example.org>')`,
  `INSERT INTO mail_templates (event, locale, subject, body) VALUES ('rls', 'fr', 'RLS', 'RLS') ON CONFLICT DO NOTHING`,
  `INSERT INTO mail_reply_templates (name, body) VALUES ('rls', 'RLS')`,
  `INSERT INTO mail_mailboxes (name, host, port, username, category_id) SELECT 'rls', 'localhost', 993, 'rls', id FROM categories WHERE code = 'autre'`,
  `INSERT INTO mail_imported (message_key, outcome) VALUES ('rls', 'ignored')`,
  `INSERT INTO mail_quarantine (reason, size, raw) VALUES ('rls', 0, '')`,
  `INSERT INTO ticket_tracking_keys (ticket_id, key_hash) VALUES (${T}, repeat('b', 64))`,
  `INSERT INTO retention_runs (kind, state) VALUES ('purge', 'done')`,
  `INSERT INTO privacy_settings (id, controller_name, controller_address, purposes, legal_basis, authority_name, authority_address, authority_url)
     VALUES (1, 'RLS', 'RLS', '{rls}', 'public_task', 'CNIL', 'Paris', 'https://www.cnil.fr') ON CONFLICT DO NOTHING`,
  `INSERT INTO open_data_settings (id) VALUES (1) ON CONFLICT DO NOTHING`,
  `INSERT INTO open_data_files (name, media_type, content, sha256) VALUES ('rls.csv', 'text/csv', '', repeat('0', 64))`,
  `INSERT INTO report_dirty (ticket_id) VALUES (${T}) ON CONFLICT DO NOTHING`,
  `INSERT INTO report_ticket_facts (ticket_id, department_id, category_id, channel, priority, status, received_at, ticket_version)
     SELECT id, department_id, category_id, channel, priority, status, created_at, version FROM tickets ORDER BY created_at LIMIT 1 ON CONFLICT DO NOTHING`,
  `INSERT INTO report_step_facts (ticket_id, seq, department_id, definition_code, step, entered_at, left_at, business_minutes, calendar_minutes)
     SELECT id, 1, department_id, 'rls', 'rls', created_at, created_at, 0, 0 FROM tickets ORDER BY created_at LIMIT 1 ON CONFLICT DO NOTHING`,
  `INSERT INTO report_cube (month, department_id, category_id, channel, priority, received)
     SELECT date_trunc('month', created_at)::date, department_id, category_id, channel, priority, 1 FROM tickets ORDER BY created_at LIMIT 1`,
  `INSERT INTO report_cube_durations (month, department_id, dim, value, measure, bucket, n)
     SELECT date_trunc('month', created_at)::date, department_id, 2, channel, 1, 0, 1 FROM tickets ORDER BY created_at LIMIT 1`,
  `INSERT INTO report_cube_state (time_zone) VALUES ('Europe/Paris')`,
  `INSERT INTO saved_views (owner_id, name) VALUES (${A}, 'rls')`,
  `INSERT INTO ticket_letters (ticket_id, recipient_name, body, signatory_name) VALUES (${T}, 'RLS', 'RLS', 'RLS')`,
];

describe('communes as tenants: row-level security', () => {
  let owner: DataSource;
  let app: DataSource;
  let other: string;
  let demo: string;

  beforeAll(async () => {
    owner = await createDataSource(process.env['DATABASE_URL']!).initialize();
    app = await tenantDataSource(dataSourceOptions(process.env['DATABASE_URL']!, 2, 'grc_app')).initialize();
    demo = (await owner.query(`SELECT id FROM communes WHERE is_default`))[0].id;
    // the demo pack has neither fields nor files: one of each, so that every tenant table has rows to hide
    await owner.query(
      `INSERT INTO category_attributes (category_id, code, datatype, description) SELECT id, 'rls', 'string', 'RLS' FROM categories WHERE code = 'autre'`,
    );
    await owner.query(
      `INSERT INTO attachments (ticket_id, filename, mime_type, size, sha256, storage_key)
       SELECT id, 'rls.txt', 'text/plain', 0, repeat('0', 64), 'rls' FROM tickets ORDER BY created_at LIMIT 1`,
    );
    // and one row in every other tenant table the demo leaves empty (as the owner: no policy applies to a superuser)
    for (const sql of SEED) await owner.query(sql);
    other = (await owner.query(`INSERT INTO communes (code, name, parent_id) VALUES ('val-fleuri', 'Val-Fleuri', NULL) RETURNING id`))[0]
      .id;
  });
  afterAll(async () => {
    await app.destroy();
    await owner.destroy();
  });

  it('classifies every table of the schema: tenant, shared on purpose, or listed as not yet scoped', async () => {
    const tables: string[] = (await owner.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).map(
      (r: { tablename: string }) => r.tablename,
    );
    const known = new Set<string>([...TENANT_TABLES, ...Object.keys(SHARED_TABLES), ...NOT_YET_SCOPED]);
    expect(tables.filter((t) => !known.has(t))).toEqual([]);
    // and no list names a table that is gone, or a table twice
    expect([...known].filter((t) => !tables.includes(t))).toEqual([]);
    expect(TENANT_TABLES.length + Object.keys(SHARED_TABLES).length + NOT_YET_SCOPED.length).toBe(known.size);
  });

  it('puts each tenant table under a forced policy on a NOT NULL commune_id', async () => {
    const rows: Array<{ relname: string; rls: boolean; forced: boolean; policies: number; notnull: boolean }> = await owner.query(
      `SELECT c.relname, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
         (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
         (SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'commune_id') AS notnull
       FROM pg_class c WHERE c.relname = ANY($1::text[]) AND c.relnamespace = 'public'::regnamespace ORDER BY c.relname`,
      [[...TENANT_TABLES]],
    );
    // the métropole's shared services add permissive policies (test/metropole.spec.ts proves them): reading a shared
    // request's rows (1763800002000), filing its events (1763800002020), its other rows — read, changed and filed
    // under the request's commune (1763800002500) —, a commune reading its métropole's shared categories (1763800002520),
    // and the métropole reading its shared services' cells of the figures' cube (1763800004020)
    const extra: Record<string, number> = {
      attachments: 2,
      audit_events: 2,
      categories: 2,
      category_attributes: 1,
      citizen_revisions: 1,
      citizens: 1,
      departments: 1,
      mail_outbox: 1,
      notifications: 1,
      report_cube: 1,
      report_cube_durations: 1,
      report_dirty: 1,
      report_step_facts: 1,
      report_ticket_facts: 1,
      ticket_events: 2,
      ticket_letters: 1,
      ticket_sla: 1,
      ticket_tracking_keys: 1,
      ticket_workflows: 1,
      tickets: 1,
      timers: 1,
    };
    expect(rows).toEqual(
      [...TENANT_TABLES].sort().map((relname) => ({
        relname,
        rls: true,
        forced: true,
        policies: 1 + (extra[relname] ?? 0),
        notnull: true,
      })),
    );
  });

  it('gives the application role no way around it: not superuser, no BYPASSRLS, owner of nothing', async () => {
    const [role] = await owner.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'grc_app'`);
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await owner.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'grc_app'`);
    expect(owned).toEqual([]);
  });

  describe.each([...TENANT_TABLES])('%s', (table) => {
    it('shows nothing without the commune setting, only its commune’s rows with it', async () => {
      const [{ n: total }] = await owner.query(`SELECT count(*)::int n FROM ${table}`);
      expect(total).toBeGreaterThan(0);
      // a raw connection as the application's role, without the connection layer: no setting at all
      const raw = new Client({ connectionString: process.env['DATABASE_URL'], options: '-c role=grc_app' });
      await raw.connect();
      try {
        expect((await raw.query(`SELECT count(*)::int n FROM ${table}`)).rows[0].n).toBe(0);
        await raw.query(`SELECT set_config('grc.commune', $1, false)`, [other]);
        expect((await raw.query(`SELECT count(*)::int n FROM ${table}`)).rows[0].n).toBe(0);
        // another commune's rows cannot be changed either (where the role may update at all: not the audit trail)
        const [{ may }] = (await raw.query(`SELECT has_table_privilege(current_user, $1, 'UPDATE') AS may`, [table])).rows;
        if (may) expect((await raw.query(`UPDATE ${table} SET commune_id = commune_id`)).rowCount).toBe(0);
        else await expect(raw.query(`UPDATE ${table} SET commune_id = commune_id`)).rejects.toThrow(/permission denied/);
        await raw.query(`SELECT set_config('grc.commune', $1, false)`, [demo]);
        expect((await raw.query(`SELECT count(*)::int n FROM ${table}`)).rows[0].n).toBe(total);
      } finally {
        await raw.end();
      }
      // the connection layer: the default commune, or the context's
      expect((await app.query(`SELECT count(*)::int n FROM ${table}`))[0].n).toBe(total);
      expect((await withCommune(other, () => app.query(`SELECT count(*)::int n FROM ${table}`)))[0].n).toBe(0);
      expect((await app.query(`SELECT count(*)::int n FROM ${table}`))[0].n).toBe(total);
    });
  });

  it('refuses a row for another commune, and files a new row under the current one', async () => {
    const dept = (await owner.query(`SELECT id FROM departments WHERE code = 'voirie'`))[0].id;
    await expect(
      app.query(`INSERT INTO categories (code, name_fr, name_en, default_department_id, commune_id) VALUES ('rls-x', 'X', 'X', $1, $2)`, [
        dept,
        other,
      ]),
    ).rejects.toThrow(/row-level security/);
    await expect(app.query(`UPDATE categories SET commune_id = $1 WHERE code = 'autre'`, [other])).rejects.toThrow(/row-level security/);
    const [made] = await app.query(
      `INSERT INTO categories (code, name_fr, name_en, default_department_id) VALUES ('rls-y', 'Y', 'Y', $1) RETURNING commune_id`,
      [dept],
    );
    expect(made.commune_id).toBe(demo);
    // under the other commune, a new department is the other commune's, and the demo does not see it
    const [d2] = await withCommune(other, () =>
      app.query(
        `INSERT INTO departments (code, name, kind) VALUES ('vf-mairie', 'Mairie de Val-Fleuri', 'direction') RETURNING commune_id`,
      ),
    );
    expect(d2.commune_id).toBe(other);
    expect(await app.query(`SELECT 1 FROM departments WHERE code = 'vf-mairie'`)).toEqual([]);
    expect(await withCommune(other, () => app.query(`SELECT code FROM departments`))).toEqual([{ code: 'vf-mairie' }]);
  });

  it('keeps the commune of a context across awaits and concurrent work on a small pool', async () => {
    const count = (c: string | null) =>
      (c
        ? withCommune(c, () => app.query(`SELECT count(*)::int n FROM departments`))
        : app.query(`SELECT count(*)::int n FROM departments`)
      ).then((r: Array<{ n: number }>) => r[0]!.n);
    const [{ n: demoDepts }] = await owner.query(`SELECT count(*)::int n FROM departments WHERE commune_id = $1`, [demo]);
    // 30 queries over 2 connections, interleaved: each answers for its own commune
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => count(i % 3 === 0 ? other : null)));
    expect(results).toEqual(Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 1 : demoDepts)));
    // a transaction too
    const inTx = await withCommune(other, () => app.transaction((m) => m.query(`SELECT count(*)::int n FROM departments`)));
    expect(inTx[0].n).toBe(1);
  });

  it('makes codes and names unique per commune, not per install', async () => {
    // the demo's codes, names and singletons, taken again by the other commune: no conflict with the demo's rows
    await withCommune(other, () =>
      app.transaction(async (m) => {
        await m.query(`INSERT INTO departments (code, name, kind) VALUES ('voirie', 'Voirie de Val-Fleuri', 'service')`);
        await m.query(
          `INSERT INTO categories (code, name_fr, name_en, default_department_id) SELECT 'autre', 'Autre', 'Other', id FROM departments WHERE code = 'voirie'`,
        );
        await m.query(`INSERT INTO mail_templates (event, locale, subject, body) VALUES ('rls', 'fr', 'VF', 'VF')`);
        await m.query(`INSERT INTO mail_reply_templates (name, body) VALUES ('rls', 'VF')`);
        await m.query(
          `INSERT INTO town_settings (id, code, name, timezone, locale, reference_prefix) VALUES (1, 'val-fleuri', 'Val-Fleuri', 'Europe/Paris', 'fr', 'VF')`,
        );
        await m.query(`INSERT INTO open_data_settings (id) VALUES (1)`);
      }),
    );
    const per = await owner.query(
      `SELECT commune_id, count(*)::int n FROM departments WHERE code = 'voirie' GROUP BY commune_id ORDER BY commune_id`,
    );
    expect(per.map((r: { n: number }) => r.n)).toEqual([1, 1]);
    // each commune reads its own singleton row
    expect((await app.query(`SELECT code FROM town_settings WHERE id = 1`))[0].code).not.toBe('val-fleuri');
    expect(await withCommune(other, () => app.query(`SELECT code FROM town_settings WHERE id = 1`))).toEqual([{ code: 'val-fleuri' }]);
    // and within one commune the code stays unique
    await expect(
      withCommune(other, () => app.query(`INSERT INTO departments (code, name, kind) VALUES ('voirie', 'Doublon', 'service')`)),
    ).rejects.toThrow(/departments_code_key/);
  });

  it('never lets a prepared statement’s cached plan answer for another commune: the policies’ commune is read when it runs', async () => {
    // one connection, so that every run below reuses the statement prepared on it (common/prepared.ts)
    const one = await tenantDataSource(dataSourceOptions(process.env['DATABASE_URL']!, 1, 'grc_app')).initialize();
    try {
      await owner.query(`INSERT INTO departments (code, name, kind, commune_id) VALUES ('plan-cache', 'Plan', 'service', $1)`, [other]);
      // the tables of the inbox's page, each under its policies (the métropole's among them)
      const SQL = `SELECT d.code, count(t.id)::int AS n, count(DISTINCT c.id)::int AS categories, count(z.id)::int AS citizens
        FROM departments d LEFT JOIN tickets t ON t.department_id = d.id LEFT JOIN categories c ON c.id = t.category_id
        LEFT JOIN citizens z ON z.id = t.citizen_id WHERE d.kind = ANY ($1::text[]) GROUP BY d.code ORDER BY d.code`;
      const run = (commune: string | null) => {
        const q = () => preparedQuery<{ code: string; n: number }>(one.manager, SQL, [['service', 'direction']]);
        return commune ? withCommune(commune, q) : q();
      };
      // what each commune's rows give, as the owner (no policy), filtered by commune by hand
      const expected = (commune: string) =>
        owner.query(
          `SELECT d.code, count(t.id)::int AS n, count(DISTINCT c.id)::int AS categories, count(z.id)::int AS citizens
           FROM departments d LEFT JOIN tickets t ON t.department_id = d.id LEFT JOIN categories c ON c.id = t.category_id
           LEFT JOIN citizens z ON z.id = t.citizen_id WHERE d.kind = ANY ($1::text[]) AND d.commune_id = $2 GROUP BY d.code ORDER BY d.code`,
          [['service', 'direction'], commune],
        );
      const demoRows = await expected(demo);
      const otherRows = await expected(other);
      expect(otherRows).toContainEqual({ code: 'plan-cache', n: 0, categories: 0, citizens: 0 });
      expect(demoRows.some((r: { n: number }) => r.n > 0)).toBe(true);
      // more runs than PostgreSQL's five custom plans: it then keeps one generic plan for the connection
      for (let i = 0; i < 8; i++) expect(await run(null)).toEqual(demoRows);
      const [stats] = await one.query(`SELECT generic_plans::int AS generic FROM pg_prepared_statements WHERE statement = $1`, [SQL]);
      expect(stats.generic).toBeGreaterThan(0);
      // the same plan, the other commune: its rows only, then the demo's again
      expect(await run(other)).toEqual(otherRows);
      expect(await run(null)).toEqual(demoRows);
      const [after] = await one.query(`SELECT generic_plans::int AS generic FROM pg_prepared_statements WHERE statement = $1`, [SQL]);
      expect(after.generic).toBeGreaterThan(stats.generic);
    } finally {
      await owner.query(`DELETE FROM departments WHERE code = 'plan-cache'`);
      await one.destroy();
    }
  });
});
