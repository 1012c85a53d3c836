import { Client } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import type { Page, TicketDetail, TicketSummary } from '@grc/domain';
import { createDataSource, dataSourceOptions, tenantDataSource } from '../src/database/data-source';
import { withCommune } from '../src/database/tenancy';
import { refileMetropoleRows } from '../src/database/migrations/1763800002500-ticket-rows-commune';
import { PoliciesWithoutSubqueries1763800003800 } from '../src/database/migrations/1763800003800-policies-without-subqueries';
import { InboxCountersRepository } from '../src/modules/worker/inbox-counters.repository';
import { ADMIN, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

/**
 * The métropole's shared services (issue 15, migration 1763800002000): a department of the métropole flagged
 * `shared` receives the requests its member communes route to it; an agent of the métropole sees those
 * requests of every commune — and nothing else of the communes —, a commune's agent still sees its
 * commune's requests only, and department scoping still applies. Proven as the application's role
 * (row-level security is the net), then over HTTP.
 */
describe('métropole: shared services', () => {
  let owner: DataSource;
  let ctx: TestContext;
  const id: Record<string, string> = {};
  const tickets: Record<string, string> = {};
  let seq = 0;

  /** a request of `commune` in `department`, with a citizen and a timeline event (as the owner: commune named explicitly) */
  async function request(name: string, commune: string, category: string, department: string): Promise<void> {
    const [c] = await owner.query(
      `INSERT INTO citizens (kind, first_name, last_name, email, commune_id) VALUES ('resident', 'Camille', $1, $2, $3) RETURNING id`,
      [name, `${name}@example.org`, commune],
    );
    const [t] = await owner.query(
      `INSERT INTO tickets (reference, channel, category_id, department_id, citizen_id, subject, description, commune_id)
       VALUES ($1, 'web', $2, $3, $4, $5, 'Métropole', $6) RETURNING id`,
      [`MTP-2026-${String(++seq).padStart(5, '0')}`, category, department, c.id, `Demande ${name}`, commune],
    );
    await owner.query(`INSERT INTO ticket_events (ticket_id, kind, body, commune_id) VALUES ($1, 'created', $2, $3)`, [
      t.id,
      name,
      commune,
    ]);
    tickets[name] = t.id;
  }

  beforeAll(async () => {
    owner = await createDataSource(process.env['DATABASE_URL']!).initialize();
    const one = async (sql: string, params: unknown[]) => (await owner.query(sql, params))[0].id as string;
    id['sa'] = (await owner.query(`SELECT id FROM communes WHERE is_default`))[0].id;
    id['m'] = await one(
      `INSERT INTO communes (code, name, kind) VALUES ('grand-aubin', 'Grand Aubin Métropole', 'metropole') RETURNING id`,
      [],
    );
    id['vf'] = await one(`INSERT INTO communes (code, name, parent_id) VALUES ('val-fleuri', 'Val-Fleuri', $1) RETURNING id`, [id['m']]);
    await owner.query(`UPDATE communes SET parent_id = $1 WHERE id = $2`, [id['m'], id['sa']]);
    const dept = (code: string, commune: string, shared: boolean) =>
      one(`INSERT INTO departments (code, name, kind, shared, commune_id) VALUES ($1, $1, 'service', $2, $3) RETURNING id`, [
        code,
        shared,
        commune,
      ]);
    id['collecte'] = await dept('collecte', id['m'], true);
    id['eau'] = await dept('eau', id['m'], true);
    id['cabinet'] = await dept('cabinet', id['m'], false);
    id['vf-mairie'] = await dept('vf-mairie', id['vf'], false);
    // flagged shared in a commune (not a métropole): shares nothing
    id['sa-shared'] = await dept('sa-faux-partage', id['sa'], true);
    const cat = (code: string, department: string, commune: string) =>
      one(`INSERT INTO categories (code, name_fr, name_en, default_department_id, commune_id) VALUES ($1, $1, $1, $2, $3) RETURNING id`, [
        code,
        department,
        commune,
      ]);
    const saEncombrants = await cat('collecte-metropole', id['collecte'], id['sa']);
    const saFuite = await cat('fuite', id['eau'], id['sa']);
    const vfEncombrants = await cat('encombrants', id['collecte'], id['vf']);
    const vfVoirie = await cat('vf-voirie', id['vf-mairie'], id['vf']);
    const [{ id: saVoirie }] = await owner.query(`SELECT id FROM categories WHERE code = 'nid-de-poule' AND commune_id = $1`, [id['sa']]);
    const [{ id: saVoirieDept }] = await owner.query(`SELECT id FROM departments WHERE code = 'voirie' AND commune_id = $1`, [id['sa']]);
    await request('sa-collecte', id['sa'], saEncombrants, id['collecte']);
    await request('sa-eau', id['sa'], saFuite, id['eau']);
    await request('sa-voirie', id['sa'], saVoirie, saVoirieDept);
    await request('sa-faux', id['sa'], saVoirie, id['sa-shared']);
    await request('vf-collecte', id['vf'], vfEncombrants, id['collecte']);
    await request('vf-voirie', id['vf'], vfVoirie, id['vf-mairie']);
    // agents of the métropole: one of the collecte only, a head of both shared services; a member of Val-Fleuri
    const agent = async (email: string, role: string, commune: string, departments: string[]) => {
      const a = await one(
        `INSERT INTO agents (email, display_name, password_hash, role) SELECT $1, $1, password_hash, $2 FROM agents WHERE email = $3 RETURNING id`,
        [email, role, ADMIN],
      );
      await owner.query(`INSERT INTO agent_communes (agent_id, commune_id) VALUES ($1, $2)`, [a, commune]);
      for (const d of departments)
        await owner.query(`INSERT INTO agent_departments (agent_id, department_id, commune_id) VALUES ($1, $2, $3)`, [a, d, commune]);
    };
    await agent('collecte@grand-aubin.fr', 'agent', id['m'], [id['collecte']]);
    await agent('services@grand-aubin.fr', 'head', id['m'], [id['collecte'], id['eau']]);
    await agent('agent@val-fleuri.fr', 'agent', id['vf'], [id['vf-mairie']]);
    await agent('admin@val-fleuri.fr', 'admin', id['vf'], [id['vf-mairie']]);
    ctx = await startTestApp();
  });
  afterAll(async () => {
    await ctx?.close();
    await owner?.destroy();
  });

  /** as the application's role, the connection set to `commune`: the named requests it sees */
  async function seenBy(commune: string, sql = `SELECT id FROM tickets`): Promise<string[]> {
    const c = new Client({ connectionString: process.env['DATABASE_URL'], options: '-c role=grc_app' });
    await c.connect();
    try {
      await c.query(`SELECT set_config('grc.commune', $1, false)`, [commune]);
      const seen = new Set((await c.query(sql)).rows.map((r: { id: string }) => r.id));
      return Object.keys(tickets)
        .filter((k) => seen.has(tickets[k]!))
        .sort();
    } finally {
      await c.end();
    }
  }

  it('shows the métropole the shared services’ requests of both communes, and none of their other requests', async () => {
    expect(await seenBy(id['m']!)).toEqual(['sa-collecte', 'sa-eau', 'vf-collecte']);
    // and what those requests show: their timeline and their citizen, not the others'
    expect(await seenBy(id['m']!, `SELECT ticket_id AS id FROM ticket_events`)).toEqual(['sa-collecte', 'sa-eau', 'vf-collecte']);
    expect(
      await seenBy(id['m']!, `SELECT t.id FROM tickets t JOIN citizens c ON c.id = t.citizen_id JOIN categories k ON k.id = t.category_id`),
    ).toEqual(['sa-collecte', 'sa-eau', 'vf-collecte']);
    const c = new Client({ connectionString: process.env['DATABASE_URL'], options: '-c role=grc_app' });
    await c.connect();
    try {
      await c.query(`SELECT set_config('grc.commune', $1, false)`, [id['m']]);
      // not the communes' other citizens, categories or departments
      expect((await c.query(`SELECT last_name FROM citizens ORDER BY last_name`)).rows.map((r) => r.last_name)).toEqual([
        'sa-collecte',
        'sa-eau',
        'vf-collecte',
      ]);
      expect((await c.query(`SELECT DISTINCT code FROM categories ORDER BY code`)).rows.map((r) => r.code)).toEqual([
        'collecte-metropole',
        'encombrants',
        'fuite',
      ]);
      expect((await c.query(`SELECT code FROM departments ORDER BY code`)).rows.map((r) => r.code)).toEqual(['cabinet', 'collecte', 'eau']);
      // nor may it change them
      expect((await c.query(`UPDATE tickets SET subject = 'x' WHERE id = $1`, [tickets['sa-voirie']])).rowCount).toBe(0);
      expect((await c.query(`UPDATE tickets SET priority = 2 WHERE id = $1`, [tickets['vf-collecte']])).rowCount).toBe(1);
      // a shared request moved out of the shared services leaves the métropole: refused (by the move's trigger,
      // migration 1763800003700, before the policy's WITH CHECK would)
      await expect(c.query(`UPDATE tickets SET department_id = $1 WHERE id = $2`, [id['cabinet'], tickets['vf-collecte']])).rejects.toThrow(
        /not within the reach/,
      );
    } finally {
      await c.end();
    }
  });

  it('keeps a commune to its own requests, even in the shared department', async () => {
    expect(await seenBy(id['vf']!)).toEqual(['vf-collecte', 'vf-voirie']);
    expect(await seenBy(id['sa']!)).toEqual(['sa-collecte', 'sa-eau', 'sa-faux', 'sa-voirie']);
    expect(await seenBy(id['vf']!, `SELECT ticket_id AS id FROM ticket_events`)).toEqual(['vf-collecte', 'vf-voirie']);
    // a commune reads its métropole's shared departments (where its requests go), not the métropole's others
    const c = new Client({ connectionString: process.env['DATABASE_URL'], options: '-c role=grc_app' });
    await c.connect();
    try {
      await c.query(`SELECT set_config('grc.commune', $1, false)`, [id['vf']]);
      expect((await c.query(`SELECT code FROM departments ORDER BY code`)).rows.map((r) => r.code)).toEqual([
        'collecte',
        'eau',
        'vf-mairie',
      ]);
      expect((await c.query(`UPDATE departments SET name = 'x' WHERE id = $1`, [id['collecte']])).rowCount).toBe(0);
    } finally {
      await c.end();
    }
    // no commune setting at all: nothing, shared or not
    expect(await seenBy('')).toEqual([]);
  });

  it('serves the métropole’s agents their shared departments’ requests over HTTP, department scoping applying', async () => {
    const names = (page: Page<TicketSummary>) =>
      page.items
        .map((t) => Object.keys(tickets).find((k) => tickets[k] === t.id))
        .filter(Boolean)
        .sort();
    const collecte = await ctx.loginAs('collecte@grand-aubin.fr');
    const mine: Page<TicketSummary> = (await collecte.get('/api/v1/tickets').query({ view: 'departments' }).expect(200)).body;
    expect(names(mine)).toEqual(['sa-collecte', 'vf-collecte']);
    const detail: TicketDetail = (await collecte.get(`/api/v1/tickets/${tickets['vf-collecte']}`).expect(200)).body;
    expect(detail.id).toBe(tickets['vf-collecte']);
    // eau is not its department; the communes' other requests do not exist for it
    for (const other of ['sa-eau', 'sa-voirie', 'vf-voirie']) {
      const res = await collecte.get(`/api/v1/tickets/${tickets[other]}`);
      expect([403, 404]).toContain(res.status);
    }
    const head = await ctx.loginAs('services@grand-aubin.fr');
    const both: Page<TicketSummary> = (await head.get('/api/v1/tickets').query({ view: 'departments' }).expect(200)).body;
    expect(names(both)).toEqual(['sa-collecte', 'sa-eau', 'vf-collecte']);
  });

  it('keeps the communes’ agents to their commune', async () => {
    const vf = await ctx.loginAs('agent@val-fleuri.fr');
    const page: Page<TicketSummary> = (await vf.get('/api/v1/tickets').query({ view: 'departments' }).expect(200)).body;
    expect(page.items.map((t) => t.id)).toEqual([tickets['vf-voirie']]);
    expect((await vf.get(`/api/v1/tickets/${tickets['sa-collecte']}`)).status).toBe(404);
    const sa = await ctx.loginAs(VOIRIE_AGENT);
    expect((await sa.get(`/api/v1/tickets/${tickets['vf-collecte']}`)).status).toBe(404);
    const admin = await ctx.loginAs(ADMIN);
    const all: Page<TicketSummary> = (await admin.get('/api/v1/tickets').query({ view: 'all' }).expect(200)).body;
    expect(all.items.map((t) => t.id)).not.toContain(tickets['vf-collecte']);
  });
  it('lets the shared service’s agent change a commune’s request’s status, the request still the commune’s', async () => {
    const collecte = await ctx.loginAs('collecte@grand-aubin.fr');
    let t: TicketDetail = (await collecte.get(`/api/v1/tickets/${tickets['vf-collecte']}`).expect(200)).body;
    t = (await collecte.post(`/api/v1/tickets/${t.id}/status`).send({ status: 'open', version: t.version }).expect(201)).body;
    expect(t.status).toBe('open');
    const [row] = await owner.query(`SELECT c.code FROM tickets t JOIN communes c ON c.id = t.commune_id WHERE t.id = $1`, [t.id]);
    expect(row.code).toBe('val-fleuri');
    // Val-Fleuri's administrator sees the new status of the commune's request, and the event in its timeline
    const vfAdmin = await ctx.loginAs('admin@val-fleuri.fr');
    expect(((await vfAdmin.get(`/api/v1/tickets/${t.id}`).expect(200)).body as TicketDetail).status).toBe('open');
    const events = await owner.query(
      `SELECT c.code FROM ticket_events e JOIN communes c ON c.id = e.commune_id WHERE e.ticket_id = $1 AND e.kind = 'status_changed'`,
      [t.id],
    );
    expect(events).toEqual([{ code: 'val-fleuri' }]);
    const raw = new Client({ connectionString: process.env['DATABASE_URL'], options: '-c role=grc_app' });
    await raw.connect();
    try {
      await raw.query(`SELECT set_config('grc.commune', $1, false)`, [id['vf']]);
      expect((await raw.query(`SELECT kind FROM ticket_events WHERE ticket_id = $1 AND kind = 'status_changed'`, [t.id])).rowCount).toBe(1);
      // the métropole files events for a shared request only
      await raw.query(`SELECT set_config('grc.commune', $1, false)`, [id['m']]);
      await expect(
        raw.query(`INSERT INTO ticket_events (ticket_id, kind, commune_id) VALUES ($1, 'note', $2)`, [tickets['vf-voirie'], id['vf']]),
      ).rejects.toThrow(/row-level security/);
      // and under the request's commune, whatever the statement names (migration 1763800002500's trigger)
      const [filed] = (
        await raw.query(`INSERT INTO ticket_events (ticket_id, kind, commune_id) VALUES ($1, 'note', $2) RETURNING commune_id`, [
          tickets['vf-collecte'],
          id['sa'],
        ])
      ).rows;
      expect(filed.commune_id).toBe(id['vf']);
    } finally {
      await raw.end();
    }
  });

  it('tells a commune’s connection from a métropole’s once per checkout, and still files rows right when the commune changed under it', async () => {
    // the connection layer: `grc.plain_commune` is the commune when it is not a métropole, '' for the métropole
    const app = await tenantDataSource(dataSourceOptions(process.env['DATABASE_URL']!, 1, 'grc_app')).initialize();
    try {
      const settings = `SELECT current_setting('grc.commune') AS commune, current_setting('grc.plain_commune') AS plain`;
      expect((await withCommune(id['vf']!, () => app.query(settings)))[0]).toEqual({ commune: id['vf'], plain: id['vf'] });
      expect((await withCommune(id['m']!, () => app.query(settings)))[0]).toEqual({ commune: id['m'], plain: '' });
      // as Val-Fleuri, the row trigger is skipped (WHEN) and the row stays the connection's commune's
      const [own] = await withCommune(id['vf']!, () =>
        app.query(`INSERT INTO ticket_events (ticket_id, kind) VALUES ($1, 'note') RETURNING commune_id`, [tickets['vf-voirie']]),
      );
      expect(own.commune_id).toBe(id['vf']);
    } finally {
      await app.destroy();
    }
    // a commune set without the layer (transaction-local, over a connection the layer left as Val-Fleuri's): the
    // settings differ, the trigger runs its full check and files the métropole's row under the request's commune
    const raw = new Client({ connectionString: process.env['DATABASE_URL'], options: '-c role=grc_app' });
    await raw.connect();
    try {
      await raw.query(`SELECT set_config('grc.commune', $1, false), set_config('grc.plain_commune', $1, false)`, [id['vf']]);
      await raw.query('BEGIN');
      await raw.query(`SELECT set_config('grc.commune', $1, true)`, [id['m']]);
      const [filed] = (
        await raw.query(`INSERT INTO ticket_events (ticket_id, kind, commune_id) VALUES ($1, 'note', $2) RETURNING commune_id`, [
          tickets['sa-collecte'],
          id['m'],
        ])
      ).rows;
      expect(filed.commune_id).toBe(id['sa']);
      // and its policies see the shared service's requests of both communes (no stale "plain commune" answer)
      const { rows } = await raw.query(`SELECT count(*)::int AS n FROM tickets WHERE id = ANY($1::uuid[])`, [
        [tickets['sa-collecte'], tickets['vf-collecte']],
      ]);
      expect(rows[0].n).toBe(2);
      await raw.query('ROLLBACK');
    } finally {
      await raw.end();
    }
  });

  it('shows a commune’s administrator the métropole’s shared service, which they cannot change', async () => {
    const admin = await ctx.loginAs('admin@val-fleuri.fr');
    const departments: Array<{ id: string; code: string }> = (await admin.get('/api/v1/departments').expect(200)).body;
    expect(departments.map((d) => d.code).sort()).toEqual(['collecte', 'eau', 'vf-mairie']);
    const res = await admin
      .put(`/api/v1/departments/${id['collecte']}`)
      .send({ code: 'collecte', name: 'Repris', kind: 'service', version: 1 });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const [row] = await owner.query(`SELECT name FROM departments WHERE id = $1`, [id['collecte']]);
    expect(row.name).toBe('collecte');
  });

  it('keeps the inbox on its department index, and counts each commune’s requests in the shared department under the commune and the métropole', async () => {
    const c = new Client({ connectionString: process.env['DATABASE_URL'], options: '-c role=grc_app' });
    await c.connect();
    try {
      await c.query(`SET enable_seqscan = off`);
      for (const commune of [id['m'], id['vf']]) {
        await c.query(`SELECT set_config('grc.commune', $1, false)`, [commune]);
        const sql = `EXPLAIN SELECT id FROM tickets WHERE department_id = ANY($1::uuid[]) ORDER BY department_id, created_at DESC LIMIT 50`;
        const plan = (await c.query(sql, [[id['collecte']]])).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
        expect(plan).toMatch(/Index (Only )?Scan using tickets_department/);
      }
    } finally {
      await c.end();
    }
    const app = await tenantDataSource(dataSourceOptions(process.env['DATABASE_URL']!, 2, 'grc_app')).initialize();
    try {
      // every commune's recompute, in turn: no commune writes over another's counter of the shared department
      for (const commune of [id['sa']!, id['m']!, id['vf']!])
        await withCommune(commune, () => app.transaction((m) => new InboxCountersRepository().recompute(m)));
    } finally {
      await app.destroy();
    }
    const counted = await owner.query(
      `SELECT c.code, sum(total)::int AS n FROM inbox_counters i JOIN communes c ON c.id = i.commune_id WHERE i.department_id = $1 GROUP BY c.code`,
      [id['collecte']],
    );
    // each commune counts its requests wherever they are handled, the métropole its shared service's of every commune
    expect(counted.sort((a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code))).toEqual([
      { code: 'grand-aubin', n: 2 },
      { code: 'saint-aubin', n: 1 },
      { code: 'val-fleuri', n: 1 },
    ]);
    // and Val-Fleuri's administrator's counters agree with the list of all its requests (the shared service's too)
    const vfAdmin = await ctx.loginAs('admin@val-fleuri.fr');
    const counters = (await vfAdmin.get('/api/v1/tickets/counters').expect(200)).body as { all: number };
    const open = (await vfAdmin.get('/api/v1/tickets').query({ view: 'all', status: 'new,open,waiting_citizen' }).expect(200))
      .body as Page<TicketSummary>;
    const [{ n: vfOpen }] = await owner.query(
      `SELECT count(*)::int AS n FROM tickets WHERE commune_id = $1 AND status IN ('new', 'open', 'waiting_citizen')`,
      [id['vf']],
    );
    expect(counters.all).toBe(vfOpen);
    expect(open.items.map((t) => t.id)).toContain(tickets['vf-collecte']);
  });

  it('files every row of a métropole agent’s work on a commune’s request under the request’s commune', async () => {
    // the métropole has an SLA policy of its own (the shared service's commitment), so a transfer starts clocks
    await owner.query(
      `INSERT INTO sla_calendars (department_id, name, data, commune_id) SELECT NULL, name, data, $1 FROM sla_calendars
       WHERE commune_id = $2 AND department_id IS NULL`,
      [id['m'], id['sa']],
    );
    await owner.query(
      `INSERT INTO sla_policies (id, name, data, active, commune_id) SELECT id, name, data, active, $1 FROM sla_policies
       WHERE commune_id = $2 AND id = 'standard'`,
      [id['m'], id['sa']],
    );
    const [{ id: encombrants }] = await owner.query(`SELECT id FROM categories WHERE code = 'encombrants' AND commune_id = $1`, [id['vf']]);
    await request('vf-trail', id['vf'], encombrants, id['collecte']);
    const ticket = tickets['vf-trail']!;
    const head = await ctx.loginAs('services@grand-aubin.fr');
    let t: TicketDetail = (await head.get(`/api/v1/tickets/${ticket}`).expect(200)).body;
    t = (
      await head
        .post(`/api/v1/tickets/${ticket}/transfer`)
        .send({ departmentId: id['eau'], reason: 'Fuite, pas des encombrants', version: t.version })
        .expect(201)
    ).body;
    t = (
      await head
        .post(`/api/v1/tickets/${ticket}/messages`)
        .send({ kind: 'reply', body: 'Le service de l’eau passe demain.', version: t.version })
        .expect(201)
    ).body;
    // a person's priority change starts the clocks of the policy (the request had none)
    t = (await head.patch(`/api/v1/tickets/${ticket}`).send({ priority: 'high', version: t.version }).expect(200)).body;
    await head.post(`/api/v1/tickets/${ticket}/messages`).send({ kind: 'note', body: 'Vu.', version: t.version }).expect(201);

    // every row about the request, whatever table, is Val-Fleuri's
    const tables: Array<{ table_name: string }> = await owner.query(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'ticket_id'
         AND table_name IN (SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'commune_id')
       ORDER BY table_name`,
    );
    const filed: Record<string, string[]> = {};
    for (const { table_name } of tables) {
      const rows: Array<{ code: string }> = await owner.query(
        `SELECT c.code FROM ${table_name} x JOIN communes c ON c.id = x.commune_id WHERE x.ticket_id = $1`,
        [ticket],
      );
      if (rows.length) filed[table_name] = [...new Set(rows.map((r) => r.code))];
    }
    const audit: Array<{ code: string; action: string }> = await owner.query(
      `SELECT c.code, a.action FROM audit_events a JOIN communes c ON c.id = a.commune_id WHERE a.entity_type = 'ticket' AND a.entity_id = $1`,
      [ticket],
    );
    filed['audit_events'] = [...new Set(audit.map((r) => r.code))];
    // the work did write rows of each kind (else this test could not fail)
    expect(Object.keys(filed)).toEqual(expect.arrayContaining(['audit_events', 'mail_outbox', 'ticket_events', 'ticket_sla', 'timers']));
    expect(filed).toEqual(Object.fromEntries(Object.keys(filed).map((k) => [k, ['val-fleuri']])));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['ticket.transfer', 'ticket.reply', 'ticket.note']));

    // Val-Fleuri's administrator reads that trail; the métropole's head still reads its own work on it
    const vfAdmin = await ctx.loginAs('admin@val-fleuri.fr');
    const seen = async (agent: typeof head) =>
      (
        (await agent.get('/api/v1/audit').query({ entityType: 'ticket', entityId: ticket }).expect(200)).body as {
          items: Array<{ action: string }>;
        }
      ).items.map((a) => a.action);
    expect(await seen(vfAdmin)).toEqual(expect.arrayContaining(['ticket.transfer', 'ticket.reply', 'ticket.note']));
    expect(await seen(head)).toEqual(expect.arrayContaining(['ticket.transfer', 'ticket.reply', 'ticket.note']));
    const detail: TicketDetail = (await head.get(`/api/v1/tickets/${ticket}`).expect(200)).body;
    expect(detail.department.code).toBe('eau');
    // nothing of it is filed elsewhere
    const [{ n: others }] = await owner.query(`SELECT count(*)::int AS n FROM audit_events WHERE entity_id = $1 AND commune_id <> $2`, [
      ticket,
      id['vf'],
    ]);
    expect(others).toBe(0);
  });

  it('moves the rows a métropole filed under itself before (migration 1763800002500) to their request’s commune', async () => {
    const ticket = tickets['vf-collecte']!;
    await owner.query(
      `INSERT INTO notifications (recipient_department_id, ticket_id, kind, commune_id) VALUES ($1, $2, 'sla.warning', $3)`,
      [id['collecte'], ticket, id['m']],
    );
    await owner.query(
      `INSERT INTO report_ticket_facts (ticket_id, department_id, category_id, channel, priority, status, received_at, ticket_version, commune_id)
       SELECT id, department_id, category_id, channel, priority, status, created_at, version, $2 FROM tickets WHERE id = $1
       ON CONFLICT (ticket_id) DO UPDATE SET commune_id = EXCLUDED.commune_id`,
      [ticket, id['m']],
    );
    await owner.transaction((m) => refileMetropoleRows(m));
    const [n] = await owner.query(`SELECT c.code FROM notifications n JOIN communes c ON c.id = n.commune_id WHERE n.ticket_id = $1`, [
      ticket,
    ]);
    expect(n).toEqual({ code: 'val-fleuri' });
    // the figures' row is dropped and the request marked for Val-Fleuri's next pass
    expect(await owner.query(`SELECT 1 FROM report_ticket_facts WHERE ticket_id = $1 AND commune_id = $2`, [ticket, id['m']])).toEqual([]);
    const [mark] = await owner.query(`SELECT c.code FROM report_dirty d JOIN communes c ON c.id = d.commune_id WHERE d.ticket_id = $1`, [
      ticket,
    ]);
    expect(mark).toEqual({ code: 'val-fleuri' });
  });

  it('keeps a commune’s request within its commune when the métropole recategorises or transfers it', async () => {
    const head = await ctx.loginAs('services@grand-aubin.fr');
    const vfAdmin = await ctx.loginAs('admin@val-fleuri.fr');
    const ticket = tickets['vf-collecte']!;
    const [{ id: saEncombrants }] = await owner.query(`SELECT id FROM categories WHERE code = 'collecte-metropole'`);
    const [{ id: bacAbime }] = await owner.query(
      `INSERT INTO categories (code, name_fr, name_en, default_department_id, commune_id) VALUES ('bac-abime', 'Bac abîmé', 'Damaged bin', $1, $2) RETURNING id`,
      [id['collecte'], id['m']],
    );
    const current = async () => (await head.get(`/api/v1/tickets/${ticket}`).expect(200)).body as TicketDetail;
    // Saint-Aubin's category, which the métropole's session reads (it leads to the collecte): refused, field named
    let res = await head.patch(`/api/v1/tickets/${ticket}`).send({ categoryId: saEncombrants, version: (await current()).version });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'categoryId', code: 'ticket.category_not_filable' })]);
    // the métropole's own unshared service: refused with the field named, not a 500 from row-level security
    res = await head
      .post(`/api/v1/tickets/${ticket}/transfer`)
      .send({ departmentId: id['cabinet'], reason: 'Pour le cabinet', version: (await current()).version });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'departmentId', code: 'ticket.department_not_reachable' })]);
    // Val-Fleuri's own service, which the métropole's session cannot see: refused the same way
    res = await head
      .post(`/api/v1/tickets/${ticket}/transfer`)
      .send({ departmentId: id['vf-mairie'], reason: 'Retour à la commune', version: (await current()).version });
    expect(res.status).toBe(400);
    const [unchanged] = await owner.query(`SELECT category_id, department_id, version FROM tickets WHERE id = $1`, [ticket]);
    expect(unchanged).toMatchObject({ department_id: id['collecte'] });
    expect(unchanged.category_id).not.toBe(saEncombrants);
    // what stays within reach is allowed: the métropole's shared category, another shared service
    await head
      .patch(`/api/v1/tickets/${ticket}`)
      .send({ categoryId: bacAbime, version: (await current()).version })
      .expect(200);
    await head
      .post(`/api/v1/tickets/${ticket}/transfer`)
      .send({ departmentId: id['eau'], reason: 'Fuite du bac', version: (await current()).version })
      .expect(201);
    const seen: TicketDetail = (await vfAdmin.get(`/api/v1/tickets/${ticket}`).expect(200)).body;
    expect([seen.category.code, seen.department.code]).toEqual(['bac-abime', 'eau']);
    // the net under every path (migration 1763800003700): the application's role, the métropole's connection
    const raw = new Client({ connectionString: process.env['DATABASE_URL'], options: '-c role=grc_app' });
    await raw.connect();
    try {
      await raw.query(`SELECT set_config('grc.commune', $1, false)`, [id['m']]);
      await expect(raw.query(`UPDATE tickets SET category_id = $2 WHERE id = $1`, [ticket, saEncombrants])).rejects.toThrow(
        /not one of the commune/,
      );
      await expect(raw.query(`UPDATE tickets SET department_id = $2 WHERE id = $1`, [ticket, id['cabinet']])).rejects.toThrow(
        /not within the reach/,
      );
      // Val-Fleuri's connection cannot take Saint-Aubin's category either
      await raw.query(`SELECT set_config('grc.commune', $1, false)`, [id['vf']]);
      await expect(raw.query(`UPDATE tickets SET category_id = $2 WHERE id = $1`, [ticket, saEncombrants])).rejects.toThrow(
        /not one of the commune/,
      );
    } finally {
      await raw.end();
    }
  });

  it('shows each commune the same categories and citizens through the policies without sub-selects (1763800003800) as before', async () => {
    const raw = new Client({ connectionString: process.env['DATABASE_URL'] });
    await raw.connect();
    const runner = { query: (sql: string) => raw.query(sql) } as unknown as QueryRunner;
    const migration = new PoliciesWithoutSubqueries1763800003800();
    /** per connection (commune, with or without the layer's plain-commune setting): the categories and citizens it reads */
    const visible = async () => {
      const seen: Record<string, { categories: string[]; citizens: string[] }> = {};
      for (const [name, commune] of Object.entries({ m: id['m']!, vf: id['vf']!, sa: id['sa']!, none: '' }))
        for (const layer of [true, false]) {
          await raw.query(`SET LOCAL ROLE grc_app`);
          await raw.query(`SELECT set_config('grc.commune', $1, true), set_config('grc.plain_commune', $2, true)`, [
            commune,
            layer && name !== 'm' ? commune : '',
          ]);
          const list = async (sql: string) => (await raw.query(sql)).rows.map((r: { k: string }) => r.k);
          seen[`${name}${layer ? '' : ' (no layer)'}`] = {
            categories: await list(`SELECT code || '@' || commune_id AS k FROM categories ORDER BY 1`),
            citizens: await list(`SELECT last_name AS k FROM citizens ORDER BY 1`),
          };
          await raw.query(`RESET ROLE`);
        }
      return seen;
    };
    try {
      await raw.query('BEGIN');
      // the métropole's own categories, one for a shared service and one for its unshared one, and a citizen of its own
      for (const [code, department] of [
        ['mtp-partagee', id['collecte']],
        ['mtp-cabinet', id['cabinet']],
      ])
        await raw.query(`INSERT INTO categories (code, name_fr, name_en, default_department_id, commune_id) VALUES ($1, $1, $1, $2, $3)`, [
          code,
          department,
          id['m'],
        ]);
      await raw.query(`INSERT INTO citizens (kind, last_name, commune_id) VALUES ('resident', 'mtp-habitant', $1)`, [id['m']]);
      const after = await visible();
      await migration.down(runner);
      const before = await visible();
      await migration.up(runner);
      expect(after).toEqual(before);
      expect(await visible()).toEqual(after);
      // and what that is: a member commune reads the métropole's category of a shared service, not its others
      const codes = (k: string) => after[k]!.categories.map((c) => c.split('@')[0]);
      expect(codes('vf')).toEqual(expect.arrayContaining(['mtp-partagee', 'encombrants', 'vf-voirie']));
      expect(codes('vf')).not.toContain('mtp-cabinet');
      expect(codes('vf')).not.toContain('fuite');
      expect(codes('m')).toEqual(expect.arrayContaining(['mtp-partagee', 'mtp-cabinet', 'collecte-metropole', 'encombrants', 'fuite']));
      expect(codes('m')).not.toContain('vf-voirie');
      // the métropole reads its own citizen and those of the shared services' requests, no other commune's
      expect(after['m']!.citizens).toEqual(expect.arrayContaining(['mtp-habitant', 'sa-collecte', 'sa-eau', 'vf-collecte']));
      expect(after['m']!.citizens).not.toContain('sa-voirie');
      expect(after['m']!.citizens).not.toContain('vf-voirie');
      expect(after['vf']!.citizens).not.toContain('mtp-habitant');
      expect(after['none']).toEqual({ categories: [], citizens: [] });
    } finally {
      await raw.query('ROLLBACK');
      await raw.end();
    }
  });
});
