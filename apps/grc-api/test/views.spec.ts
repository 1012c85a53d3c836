import { ADMIN, EV_AGENT, ids, VOIRIE_AGENT, VOIRIE_ECLAIRAGE_AGENT, VOIRIE_HEAD } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

/** Saved views of the inbox (docs/live.md) and the counts of their tabs. */
describe('saved views', () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
  });
  afterAll(() => ctx?.close());

  const body = (over: Record<string, unknown> = {}) => ({
    name: 'Urgences voirie',
    query: { status: ['new', 'open'], priority: ['urgent', 'high'], sort: 'due_asc' },
    columns: ['subject', 'reference', 'status'],
    sharedDepartmentIds: [],
    ...over,
  });

  it('keeps a personal view for its owner only, audited, with its columns in the inbox order', async () => {
    const julie = await ctx.as(VOIRIE_AGENT);
    const v = (
      await julie
        .post('/api/v1/views')
        .send(body({ name: '  Mes urgences ' }))
        .expect(201)
    ).body;
    expect(v).toMatchObject({
      name: 'Mes urgences',
      mine: true,
      columns: ['reference', 'subject', 'status'],
      sharedDepartmentIds: [],
      version: 1,
    });
    expect(v.query).toEqual({ status: ['new', 'open'], priority: ['urgent', 'high'], sort: 'due_asc' });
    const [audit] = await ctx.db.query(`SELECT action, changes FROM audit_events WHERE entity_type = 'saved_view' AND entity_id = $1`, [
      v.id,
    ]);
    expect(audit.action).toBe('view.create');

    // a colleague of the same department neither sees nor changes it (404, as for a view that does not exist)
    const karim = await ctx.as(VOIRIE_ECLAIRAGE_AGENT);
    expect((await karim.get('/api/v1/views').expect(200)).body.map((x: { id: string }) => x.id)).not.toContain(v.id);
    await karim
      .put(`/api/v1/views/${v.id}`)
      .send({ ...body(), version: 1 })
      .expect(404);
    await karim.delete(`/api/v1/views/${v.id}`).expect(404);

    const renamed = (
      await julie
        .put(`/api/v1/views/${v.id}`)
        .send({ ...body({ name: 'Renommée' }), version: 1 })
        .expect(200)
    ).body;
    expect(renamed.version).toBe(2);
    const stale = await julie
      .put(`/api/v1/views/${v.id}`)
      .send({ ...body(), version: 1 })
      .expect(409);
    expect(stale.body.errors[0]).toMatchObject({ field: 'version', code: 'stale_version' });
    await julie.delete(`/api/v1/views/${v.id}`).expect(204);
    expect((await julie.get('/api/v1/views').expect(200)).body.map((x: { id: string }) => x.id)).not.toContain(v.id);
    const actions = await ctx.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY at, id`, [v.id]);
    expect(actions.map((a: { action: string }) => a.action)).toEqual(['view.create', 'view.update', 'view.delete']);
  });

  it('a head shares a view with their departments: their agents see it, others do not; an agent cannot share', async () => {
    const voirie = await d.department('voirie');
    const head = await ctx.as(VOIRIE_HEAD);
    const shared = (
      await head
        .post('/api/v1/views')
        .send(body({ name: 'Nids-de-poule du jour', sharedDepartmentIds: [voirie] }))
        .expect(201)
    ).body;
    const seen = (await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/views').expect(200)).body.find((x: { id: string }) => x.id === shared.id);
    expect(seen).toMatchObject({ mine: false, owner: { displayName: 'Thierry Moreau' }, sharedDepartmentIds: [voirie] });
    expect((await (await ctx.as(EV_AGENT)).get('/api/v1/views').expect(200)).body.map((x: { id: string }) => x.id)).not.toContain(
      shared.id,
    );

    const refused = await (
      await ctx.as(VOIRIE_AGENT)
    )
      .post('/api/v1/views')
      .send(body({ sharedDepartmentIds: [voirie] }))
      .expect(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'sharedDepartmentIds', code: 'views.share_heads_only' });
    const elsewhere = await head
      .post('/api/v1/views')
      .send(body({ sharedDepartmentIds: [await d.department('espaces-verts')] }))
      .expect(400);
    expect(elsewhere.body.errors[0].code).toBe('views.share_own_departments');
    const bad = await head
      .post('/api/v1/views')
      .send(body({ columns: ['reference', 'password'] }))
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('columns');
  });

  it("counts what a view lists, open ones and all, within the agent's departments", async () => {
    const julie = await ctx.as(VOIRIE_AGENT);
    const admin = await ctx.as(ADMIN);
    const [expected] = await ctx.db.query(
      `SELECT count(*) FILTER (WHERE status IN ('new', 'open', 'waiting_citizen'))::int AS open, count(*)::int AS "all"
       FROM tickets t JOIN departments dd ON dd.id = t.department_id WHERE dd.code = 'voirie'`,
    );
    expect((await julie.get('/api/v1/tickets/count').expect(200)).body).toEqual(expected);
    const list = (await julie.get('/api/v1/tickets').query({ status: 'resolved,closed', limit: 200 }).expect(200)).body;
    const closed = (await julie.get('/api/v1/tickets/count').query({ status: 'resolved,closed' }).expect(200)).body;
    expect(closed.open).toBe(0);
    if (!list.nextCursor) expect(closed.all).toBe(list.items.length);
    // the admin's "all" counts every department
    const [all] = await ctx.db.query(`SELECT count(*)::int AS n FROM tickets`);
    expect((await admin.get('/api/v1/tickets/count').query({ view: 'all' }).expect(200)).body.all).toBe(all.n);
    await julie.get('/api/v1/tickets/count').query({ view: 'all' }).expect(403);
  });
});
