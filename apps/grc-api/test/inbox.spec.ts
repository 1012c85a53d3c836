import { encodeCursor, type Page, type TicketSummary } from '@grc/domain';
import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, DST_HEAD, ids, VOIRIE_AGENT } from './support/demo';
import { eventually } from './support/eventually';

describe('unified inbox: scoping, filters, French full text, keyset pagination', () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
  });
  afterAll(() => ctx.close());

  const list = async (agent: Awaited<ReturnType<TestContext['loginAs']>>, query: Record<string, string>) =>
    (await agent.get('/api/v1/tickets').query(query).expect(200)).body as Page<TicketSummary>;

  it('shows an agent only the tickets of their departments, and answers 404 for the others', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const voirie = await d.department('voirie');
    const page = await list(agent, { view: 'departments', limit: '200' });
    expect(page.items.length).toBeGreaterThan(0);
    expect(new Set(page.items.map((t) => t.department.id))).toEqual(new Set([voirie]));
    const [other] = await ctx.db.query(`SELECT id FROM tickets WHERE department_id <> $1 LIMIT 1`, [voirie]);
    await agent.get(`/api/v1/tickets/${other.id}`).expect(404);
    await agent.get('/api/v1/tickets').query({ view: 'all' }).expect(403);
  });

  it('walks every page with the keyset cursor without gaps or repeats, in every sort', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM tickets`);
    for (const sort of ['created_desc', 'created_asc', 'updated_desc', 'priority_desc', 'due_asc']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<TicketSummary> = await list(admin, { view: 'all', limit: '37', sort, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(n);
      expect(new Set(seen).size).toBe(n);
    }
    await admin.get('/api/v1/tickets').query({ cursor: 'not-a-cursor' }).expect(400);
    // well-formed cursors with values that are not keys: a clear 400, never a 500 (both parts of the due-date order)
    for (const values of [
      ['not-a-date', '2026-01-01T00:00:00Z', '00000000-0000-0000-0000-000000000000'],
      ['infinity', 'not-a-date', '00000000-0000-0000-0000-000000000000'],
      ['infinity', '2026-01-01T00:00:00Z', 'not-a-uuid'],
    ])
      await admin
        .get('/api/v1/tickets')
        .query({ sort: 'due_asc', cursor: encodeCursor(values) })
        .expect(400);
  });

  it('pages a head’s several departments in exactly the order SQL gives, in every sort and view', async () => {
    // a head of several departments: walking every page with the keyset cursor gives each request once, in order
    const head = await ctx.loginAs(DST_HEAD);
    const [{ ids: scope }] = await ctx.db.query(
      `WITH RECURSIVE tree AS (SELECT ad.department_id AS id FROM agent_departments ad JOIN agents a ON a.id = ad.agent_id WHERE a.email = $1
         UNION SELECT d.id FROM departments d JOIN tree t ON d.parent_id = t.id)
       SELECT array_agg(id) AS ids FROM tree`,
      [DST_HEAD],
    );
    expect(scope.length).toBeGreaterThan(1);
    const orders: Record<string, string> = {
      created_desc: 'created_at DESC, id DESC',
      created_asc: 'created_at ASC, id ASC',
      updated_desc: 'updated_at DESC, id DESC',
      priority_desc: 'priority DESC, created_at DESC, id DESC',
      // running deadlines first, then the requests without one (paused, stopped, none), newest first
      due_asc: 'sla_due_at ASC NULLS LAST, created_at DESC, id DESC',
    };
    const cases: Array<{ query: Record<string, string>; where: string }> = [
      { query: { view: 'departments' }, where: '' },
      { query: { view: 'departments', status: 'new,open' }, where: `AND status IN ('new', 'open')` },
      { query: { view: 'unassigned' }, where: 'AND assignee_id IS NULL' },
      // two departments picked in the filter: read one by one too
      {
        query: { view: 'departments', departmentId: `${scope[0]},${scope[1]}` },
        where: `AND department_id IN ('${scope[0]}', '${scope[1]}')`,
      },
    ];
    // the due-date order has both parts: requests with a running deadline (some sharing one: the tie goes to the
    // newest) and requests without one
    await ctx.db.query(
      `UPDATE tickets SET sla_due_at = date_trunc('day', created_at) + interval '5 days'
       WHERE department_id = ANY($1::uuid[]) AND status <> 'closed' AND right(id::text, 1) < '9'`,
      [scope],
    );
    const [{ dated, undated }] = await ctx.db.query(
      `SELECT count(*) FILTER (WHERE sla_due_at IS NOT NULL)::int AS dated, count(*) FILTER (WHERE sla_due_at IS NULL)::int AS undated
       FROM tickets WHERE department_id = ANY($1::uuid[])`,
      [scope],
    );
    expect(dated).toBeGreaterThan(13);
    expect(undated).toBeGreaterThan(13);
    for (const [sort, order] of Object.entries(orders)) {
      for (const { query, where } of cases) {
        const expected = (
          await ctx.db.query(`SELECT id FROM tickets WHERE department_id = ANY($1::uuid[]) ${where} ORDER BY ${order}`, [scope])
        ).map((r: { id: string }) => r.id);
        expect(expected.length).toBeGreaterThan(0);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Page<TicketSummary> = await list(head, { ...query, limit: '13', sort, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((t) => t.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect({ sort, query, seen }).toEqual({ sort, query, seen: expected });
      }
    }
  });

  it('finds "Éclairage" when searching "eclairage", and a ticket by its spoken reference', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const page = await list(admin, { view: 'all', q: 'eclairage', limit: '100' });
    expect(page.items.length).toBeGreaterThan(0);
    const [{ n }] = await ctx.db.query(
      `SELECT count(*)::int AS n FROM tickets WHERE search_vector @@ plainto_tsquery('grc_french', 'éclairage')`,
    );
    expect(page.items.length).toBe(Math.min(n, 100));
    const [one] = await ctx.db.query(`SELECT reference FROM tickets ORDER BY created_at LIMIT 1`);
    const spoken = one.reference.toLowerCase().replace(/-/g, ' ').replace(/ 0+/, ' ');
    const byRef = await list(admin, { view: 'all', q: spoken });
    expect(byRef.items.map((t) => t.reference)).toEqual([one.reference]);
  });

  it('combines filters exactly like SQL would', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const page = await list(admin, { view: 'all', status: 'new,open', channel: 'phone,email', priority: 'high,urgent', limit: '200' });
    const [{ n }] = await ctx.db.query(
      `SELECT count(*)::int AS n FROM tickets WHERE status IN ('new','open') AND channel IN ('phone','email') AND priority >= 2`,
    );
    expect(page.items.length).toBe(n);
    for (const t of page.items) {
      expect(['new', 'open']).toContain(t.status);
      expect(['phone', 'email']).toContain(t.channel);
      expect(['high', 'urgent']).toContain(t.priority);
    }
    const unassigned = await list(admin, { view: 'unassigned', limit: '200' });
    expect(unassigned.items.every((t) => t.assignee === null)).toBe(true);
    const res = await admin.get('/api/v1/tickets').query({ status: 'pending' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('status');
  });

  it('counts open work per view from the read model the worker maintains', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM tickets WHERE status IN ('new','open','waiting_citizen')`);
    await eventually(
      async () => {
        const counters = (await admin.get('/api/v1/tickets/counters').expect(200)).body;
        expect(counters.all).toBe(n);
      },
      { timeout: 10_000, interval: 200 },
    );
  });
  it('pages a full-text search in the order SQL gives, whether its words are common or rare among the latest requests', async () => {
    // 2,500 new requests of voirie, one in two about a "zorglub" (common among the latest: the page's own order
    // finds it), and 20 old ones about a "quetzal" (none among the latest: the matches are read and sorted)
    const voirie = await d.department('voirie');
    await ctx.db.query(
      `INSERT INTO tickets (reference, channel, category_id, department_id, subject, description, priority, status, created_at, updated_at, commune_id)
       SELECT t.reference || '-P' || g, t.channel, t.category_id, t.department_id,
              CASE WHEN g % 2 = 0 THEN 'Zorglub sur le trottoir' ELSE 'Banc cassé' END, 'Signalement.', g % 4, 'new',
              now() + g * interval '1 second', now() + g * interval '1 second', t.commune_id
       FROM (SELECT * FROM tickets WHERE department_id = $1 LIMIT 1) t, generate_series(1, 2500) g
       UNION ALL
       SELECT t.reference || '-Q' || g, t.channel, t.category_id, t.department_id, 'Quetzal aperçu', 'Signalement.', g % 4, 'open',
              timestamptz '2020-01-01' + g * interval '1 hour', timestamptz '2020-01-01' + g * interval '1 hour', t.commune_id
       FROM (SELECT * FROM tickets WHERE department_id = $1 LIMIT 1) t, generate_series(1, 20) g`,
      [voirie],
    );
    const admin = await ctx.loginAs(ADMIN);
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const orders: Record<string, string> = {
      created_desc: 'created_at DESC, id DESC',
      created_asc: 'created_at ASC, id ASC',
      updated_desc: 'updated_at DESC, id DESC',
      priority_desc: 'priority DESC, created_at DESC, id DESC',
    };
    for (const [who, client, view, where] of [
      ['admin', admin, 'all', ''],
      ['voirie agent', agent, 'departments', `AND department_id = '${voirie}'`],
    ] as const)
      for (const q of ['zorglub', 'quetzal'])
        for (const [sort, order] of Object.entries(orders)) {
          const expected = (
            await ctx.db.query(
              `SELECT id FROM tickets WHERE search_vector @@ websearch_to_tsquery('grc_french', $1) ${where} ORDER BY ${order}`,
              [q],
            )
          ).map((r: { id: string }) => r.id);
          expect(expected.length).toBeGreaterThanOrEqual(20);
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const page: Page<TicketSummary> = await list(client, { view, q, limit: '13', sort, ...(cursor ? { cursor } : {}) });
            seen.push(...page.items.map((t) => t.id));
            cursor = page.nextCursor;
          } while (cursor && seen.length < 200);
          // every match in order (the first 200 of the common word)
          const want = expected.slice(0, seen.length >= 200 ? seen.length : expected.length);
          expect({ who, q, sort, seen }).toEqual({ who, q, sort, seen: want });
        }
  });
});
