import { DataSource } from 'typeorm';
import type { Me, Page, TicketSummary } from '@grc/domain';
import { createDataSource } from '../src/database/data-source';
import { ADMIN, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

/**
 * Agents and their communes (issue 15): an agent works for one or more communes (agent_communes); a session
 * works for one of them at a time, switched with PUT /auth/commune, and every request then sees that
 * commune's data only (row-level security: the request's connection is set to the session's commune).
 */
describe('communes: an agent of several communes', () => {
  let ctx: TestContext;
  let owner: DataSource;
  let demo: string;
  let other: string;
  let foreign: string;

  beforeAll(async () => {
    owner = await createDataSource(process.env['DATABASE_URL']!).initialize();
    demo = (await owner.query(`SELECT id FROM communes WHERE is_default`))[0].id;
    other = (await owner.query(`INSERT INTO communes (code, name) VALUES ('val-fleuri', 'Val-Fleuri') RETURNING id`))[0].id;
    foreign = (await owner.query(`INSERT INTO communes (code, name) VALUES ('bois-joli', 'Bois-Joli') RETURNING id`))[0].id;
    // the other commune: one department (as the owner: the commune named explicitly)
    await owner.query(
      `INSERT INTO departments (code, name, kind, commune_id) VALUES ('vf-mairie', 'Mairie de Val-Fleuri', 'direction', $1)`,
      [other],
    );
    await owner.query(`INSERT INTO agent_communes (agent_id, commune_id) SELECT id, $1 FROM agents WHERE email = $2`, [other, ADMIN]);
    ctx = await startTestApp();
  });
  afterAll(async () => {
    await ctx?.close();
    await owner?.destroy();
  });

  it('names the session’s commune and the agent’s communes in GET /auth/me', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const me: Me = (await admin.get('/api/v1/auth/me').expect(200)).body;
    expect(me.commune?.id).toBe(demo);
    expect(me.communes?.map((c) => c.code).sort()).toEqual([me.commune!.code, 'val-fleuri'].sort());
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const mine: Me = (await agent.get('/api/v1/auth/me').expect(200)).body;
    expect(mine.communes?.map((c) => c.id)).toEqual([demo]);
  });

  it('switches the session to another of the agent’s communes: its data only from then on', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const before: Page<TicketSummary> = (await admin.get('/api/v1/tickets').query({ view: 'all' }).expect(200)).body;
    expect(before.items.length).toBeGreaterThan(0);
    const me: Me = (await admin.put('/api/v1/auth/commune').send({ communeId: other }).expect(200)).body;
    expect(me.commune).toEqual({ id: other, code: 'val-fleuri', name: 'Val-Fleuri', kind: 'commune' });
    expect(me.departments).toEqual([]);
    const after: Page<TicketSummary> = (await admin.get('/api/v1/tickets').query({ view: 'all' }).expect(200)).body;
    expect(after.items).toEqual([]);
    const departments: Array<{ code: string }> = (await admin.get('/api/v1/departments').expect(200)).body;
    expect(departments.map((d) => d.code)).toEqual(['vf-mairie']);
    // the switch is audited in the commune switched to, and the session keeps it
    const [audit] = await owner.query(`SELECT commune_id FROM audit_events WHERE action = 'auth.commune.switch' ORDER BY id DESC LIMIT 1`);
    expect(audit.commune_id).toBe(other);
    expect(((await admin.get('/api/v1/auth/me').expect(200)).body as Me).commune?.id).toBe(other);
    // another session of the same agent is still the demo's
    const second = await ctx.loginAs(ADMIN);
    expect(((await second.get('/api/v1/auth/me').expect(200)).body as Me).commune?.id).toBe(demo);
    // and back
    await admin.put('/api/v1/auth/commune').send({ communeId: demo }).expect(200);
    const back: Page<TicketSummary> = (await admin.get('/api/v1/tickets').query({ view: 'all' }).expect(200)).body;
    expect(back.items.map((t) => t.id)).toEqual(before.items.map((t) => t.id));
  });

  it('refuses a commune the agent does not work for (400 on communeId), the session unchanged', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    for (const communeId of [other, foreign]) {
      const res = await agent.put('/api/v1/auth/commune').send({ communeId }).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'communeId', code: 'commune_not_member' })]);
    }
    expect(((await agent.get('/api/v1/auth/me').expect(200)).body as Me).commune?.id).toBe(demo);
  });

  it('answers Open311 for the commune its jurisdiction_id names; an unknown one is a 400', async () => {
    const [{ code }] = await owner.query(`SELECT code FROM communes WHERE is_default`);
    const mine = (await ctx.http.get(`/open311/v2/services.json?jurisdiction_id=${code}`).expect(200)).body as unknown[];
    expect(mine.length).toBeGreaterThan(0);
    // the other commune has no category: no service
    expect((await ctx.http.get('/open311/v2/services.json?jurisdiction_id=val-fleuri').expect(200)).body).toEqual([]);
    const unknown = await ctx.http.get('/open311/v2/services.json?jurisdiction_id=nulle-part').expect(400);
    expect(unknown.body).toEqual([{ code: 400, description: expect.any(String) }]);
  });
});
