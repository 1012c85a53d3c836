import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, ids, VOIRIE_AGENT } from './support/demo';

/**
 * One problem, many reporters, end to end: candidates offered for a new request, linking, the master's
 * resolution and reopening reaching every follower (timeline, tracking page, Open311), unlinking.
 */
describe('duplicates: candidates, link, propagation, unlink', () => {
  let ctx: TestContext;
  let pothole: string;
  let town: string;
  const stamp = Date.now().toString(36);

  beforeAll(async () => {
    ctx = await startTestApp({ GRC_QUEUE_PREFIX: `grc-dup-${stamp}`, GRC_PUBLIC_RATE_LIMIT: '1000' });
    pothole = await (await ids(ctx.db)).category('nid-de-poule');
    town = (await ctx.db.query(`SELECT code FROM town_settings`))[0].code;
    await ctx.db.query(`DELETE FROM category_attributes WHERE category_id = $1 AND required`, [pothole]);
  });
  afterAll(() => ctx.close());

  const report = async (description: string, lat: string, lng: string, email: string) => {
    let req = ctx.http.post('/api/v1/public/requests').set('X-Requested-With', 'grc');
    const fields = { categoryId: pothole, description, latitude: lat, longitude: lng, lastName: 'Durand', email };
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    const res = await req;
    expect(res.status).toBe(201);
    const [t] = await ctx.db.query(`SELECT id FROM tickets WHERE reference = $1`, [res.body.reference]);
    return { id: t.id as string, reference: res.body.reference as string, key: res.body.key as string };
  };
  const version = async (id: string) => (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [id]))[0].version as number;
  const status = async (id: string) => (await ctx.db.query(`SELECT status FROM tickets WHERE id = $1`, [id]))[0].status as string;

  it('offers close, similar, open requests of the same category, best first; links and propagates; unlinks', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const master = await report(`Énorme nid-de-poule rue Nationale ${stamp}\nprès de la boulangerie`, '47.39410', '0.68480', `a-${stamp}@example.org`);
    const far = await report(`Nid-de-poule rue Nationale ${stamp} (autre quartier)`, '47.41000', '0.70000', `b-${stamp}@example.org`);
    const follower = await report(`Nid de poule énorme rue nationale ${stamp} devant la boulangerie`, '47.39420', '0.68490', `c-${stamp}@example.org`);

    const view = (await agent.get(`/api/v1/tickets/${follower.id}/duplicates`).expect(200)).body;
    expect(view.master).toBeNull();
    expect(view.followers).toEqual([]);
    const refs = view.candidates.map((c: { reference: string }) => c.reference);
    expect(refs[0]).toBe(master.reference);
    const best = view.candidates[0];
    expect(best.distanceMetres).toBeLessThan(20);
    expect(best.textSimilarity).toBeGreaterThan(0.3);
    expect(best.score).toBeGreaterThan(0.5);
    if (refs.includes(far.reference)) {
      expect(view.candidates.find((c: { reference: string }) => c.reference === far.reference).score).toBeLessThan(best.score);
    }

    // refusals: itself, a stale version
    await agent.post(`/api/v1/tickets/${follower.id}/link`).send({ masterId: follower.id, version: await version(follower.id) }).expect(400);
    await agent.post(`/api/v1/tickets/${follower.id}/link`).send({ masterId: master.id, version: 999 }).expect(409);

    const linked = await agent.post(`/api/v1/tickets/${follower.id}/link`).send({ masterId: master.id, version: await version(follower.id) }).expect(201);
    expect(linked.body.timeline.at(-1)).toMatchObject({ kind: 'linked', data: { masterId: master.id, masterReference: master.reference } });
    const masterView = (await agent.get(`/api/v1/tickets/${master.id}/duplicates`).expect(200)).body;
    expect(masterView.followers.map((f: { id: string }) => f.id)).toEqual([follower.id]);
    expect(masterView.candidates).toEqual([]);
    const followerView = (await agent.get(`/api/v1/tickets/${follower.id}/duplicates`).expect(200)).body;
    expect(followerView.master).toMatchObject({ id: master.id, reference: master.reference });
    expect(followerView.candidates).toEqual([]);
    // a master cannot follow, a follower cannot lead
    await agent.post(`/api/v1/tickets/${master.id}/link`).send({ masterId: far.id, version: await version(master.id) }).expect(409);
    await agent.post(`/api/v1/tickets/${far.id}/link`).send({ masterId: follower.id, version: await version(far.id) }).expect(409);

    // tracking page of the follower: grouped
    const tracked = (await ctx.http.get(`/api/v1/public/requests/${follower.reference}`).query({ k: follower.key }).expect(200)).body;
    expect(tracked).toMatchObject({ status: 'new', grouped: true });

    // the master is resolved: the follower follows, in the same transaction, with its own timeline event
    await agent.post(`/api/v1/tickets/${master.id}/status`).send({ status: 'resolved', comment: 'Rebouché', version: await version(master.id) }).expect(201);
    expect(await status(follower.id)).toBe('resolved');
    const [ev] = await ctx.db.query(`SELECT kind, body, data FROM ticket_events WHERE ticket_id = $1 AND kind = 'status_changed' ORDER BY id DESC LIMIT 1`, [follower.id]);
    expect(ev).toMatchObject({ body: 'Rebouché', data: { from: 'new', to: 'resolved', masterId: master.id, masterReference: master.reference } });
    expect((await ctx.http.get(`/api/v1/public/requests/${follower.reference}`).query({ k: follower.key })).body.status).toBe('resolved');
    expect(await status(far.id)).toBe('new');

    // reopened: the follower reopens too
    await agent.post(`/api/v1/tickets/${master.id}/status`).send({ status: 'open', version: await version(master.id) }).expect(201);
    expect(await status(follower.id)).toBe('open');

    // unlink: the follower stands alone with the status it had when linked
    const unlinked = await agent.post(`/api/v1/tickets/${follower.id}/unlink`).send({ version: await version(follower.id) }).expect(201);
    expect(unlinked.body.status).toBe('new');
    expect(unlinked.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['linked', 'unlinked']));
    const masterEvents = (await ctx.db.query(`SELECT kind FROM ticket_events WHERE ticket_id = $1 AND kind IN ('linked', 'unlinked') ORDER BY id`, [master.id])).map((e: { kind: string }) => e.kind);
    expect(masterEvents).toEqual(['linked', 'unlinked']);
    expect((await agent.get(`/api/v1/tickets/${master.id}/duplicates`)).body.followers).toEqual([]);
    await agent.post(`/api/v1/tickets/${follower.id}/unlink`).send({ version: await version(follower.id) }).expect(409);
    expect((await ctx.http.get(`/api/v1/public/requests/${follower.reference}`).query({ k: follower.key })).body.grouped).toBe(false);
    const audit = (await ctx.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 AND action LIKE 'ticket.%link%' ORDER BY id`, [follower.id])).map((a: { action: string }) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['ticket.link', 'ticket.unlink']));
  });

  it('refuses a resolved or closed master, and hides tickets of other departments', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const a = await report(`Trou rue du Lac ${stamp}`, '47.30000', '0.60000', `d-${stamp}@example.org`);
    const b = await report(`Trou rue du Lac ${stamp} bis`, '47.30001', '0.60001', `e-${stamp}@example.org`);
    await admin.post(`/api/v1/tickets/${a.id}/status`).send({ status: 'resolved', version: await version(a.id) }).expect(201);
    const res = await admin.post(`/api/v1/tickets/${b.id}/link`).send({ masterId: a.id, version: await version(b.id) }).expect(409);
    expect(res.body.errors[0].code).toBe('duplicate.master_closed');
    const view = (await admin.get(`/api/v1/tickets/${b.id}/duplicates`).expect(200)).body;
    expect(view.candidates.map((c: { id: string }) => c.id)).not.toContain(a.id);

    const d = await ids(ctx.db);
    const other = await ctx.loginAs(await d.emailOf('etat-civil', 'agent'));
    await other.get(`/api/v1/tickets/${b.id}/duplicates`).expect(404);
  });

  it('shows the master status to every reporter on Open311', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const key = (await admin.post('/api/v1/open311-keys').send({ name: `dup-${stamp}` }).expect(201)).body.key;
    const sent = await ctx.http.post('/open311/v2/requests.json').type('form').send(new URLSearchParams({
      api_key: key, jurisdiction_id: town, service_code: 'nid-de-poule', lat: '47.2', long: '0.5', description: `Trou Open311 ${stamp}`,
      email: `o-${stamp}@example.org`, 'attribute[taille]': 'grand',
    }).toString());
    expect(sent.status).toBe(200);
    const ref = sent.body[0].service_request_id;
    const [o] = await ctx.db.query(`SELECT id FROM tickets WHERE reference = $1`, [ref]);
    const master = await report(`Trou Open311 ${stamp} (mairie)`, '47.2', '0.5', `m-${stamp}@example.org`);
    await admin.post(`/api/v1/tickets/${o.id}/link`).send({ masterId: master.id, version: await version(o.id) }).expect(201);
    // the follower has not been touched by the agent; its master is closed for good
    await ctx.db.query(`UPDATE tickets SET status = 'closed' WHERE id = $1`, [master.id]);
    const one = await ctx.http.get(`/open311/v2/requests/${ref}.json`).expect(200);
    expect(one.body[0].status).toBe('closed');
    const closed = await ctx.http.get(`/open311/v2/requests.json`).query({ service_request_id: ref }).expect(200);
    expect(closed.body[0].status).toBe('closed');
    const filtered = await ctx.http.get(`/open311/v2/requests.json`).query({ status: 'open', service_code: 'nid-de-poule' }).expect(200);
    expect(filtered.body.map((r: { service_request_id: string }) => r.service_request_id)).not.toContain(ref);
  });
});
