import { startTestApp, type TestContext } from './support/test-app';
import { ids, VOIRIE_AGENT } from './support/demo';

describe('citizens: find before create, audited reads, 360° history', () => {
  let ctx: TestContext;
  beforeAll(async () => { ctx = await startTestApp(); });
  afterAll(() => ctx.close());

  it('finds a citizen by name without accents, by e-mail and by phone typed the French way', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const [c] = await ctx.db.query(`SELECT id, last_name, email, phone FROM citizens WHERE kind = 'resident' AND email IS NOT NULL AND phone IS NOT NULL LIMIT 1`);
    const plain = c.last_name.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
    expect((await agent.get('/api/v1/citizens').query({ q: plain }).expect(200)).body.map((x: { id: string }) => x.id)).toContain(c.id);
    expect((await agent.get('/api/v1/citizens').query({ q: c.email.toUpperCase() }).expect(200)).body[0].id).toBe(c.id);
    const national = '0' + c.phone.slice(3).replace(/(\d)(\d\d)(\d\d)(\d\d)(\d\d)/, '$1 $2 $3 $4 $5');
    expect((await agent.get('/api/v1/citizens').query({ q: national }).expect(200)).body[0].id).toBe(c.id);
  });

  it('audits every read of personal details', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const [c] = await ctx.db.query(`SELECT id FROM citizens LIMIT 1`);
    await agent.get(`/api/v1/citizens/${c.id}`).expect(200);
    const [row] = await ctx.db.query(`SELECT actor_label, action FROM audit_events WHERE entity_id = $1 AND action = 'citizen.read' ORDER BY id DESC LIMIT 1`, [c.id]);
    expect(row).toEqual({ actor_label: VOIRIE_AGENT, action: 'citizen.read' });
  });

  it('refuses a second record for the same e-mail (dites-le nous une fois) and a stale update', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const body = { kind: 'organisation', organisationName: 'Boulangerie du Centre', contactPerson: 'M. Pain', email: 'contact@boulangerie-centre.fr',
      firstName: null, lastName: null, phone: null, address: '2 place du Marché', postcode: '37000', city: 'Saint-Aubin', preferredChannel: 'email' };
    const created = (await agent.post('/api/v1/citizens').send(body).expect(201)).body;
    const dup = await agent.post('/api/v1/citizens').send({ ...body, email: 'CONTACT@boulangerie-centre.fr' });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].field).toBe('email');
    const updated = (await agent.put(`/api/v1/citizens/${created.id}`).send({ ...body, contactPerson: 'Mme Farine', version: created.version }).expect(200)).body;
    expect(updated.contactPerson).toBe('Mme Farine');
    await agent.put(`/api/v1/citizens/${created.id}`).send({ ...body, version: created.version }).expect(409);
    const audit = await ctx.db.query(`SELECT changes FROM audit_events WHERE entity_id = $1 AND action = 'citizen.update'`, [created.id]);
    expect(audit[0].changes).toEqual({ contactPerson: { before: 'M. Pain', after: 'Mme Farine' } });
  });

  it('shows the citizen history limited to visible departments and counts the hidden ones', async () => {
    const d = await ids(ctx.db);
    const voirie = await d.department('voirie');
    const [c] = await ctx.db.query(
      `SELECT citizen_id AS id, count(*) FILTER (WHERE department_id = $1)::int AS mine, count(*) FILTER (WHERE department_id <> $1)::int AS other
       FROM tickets WHERE citizen_id IS NOT NULL GROUP BY citizen_id HAVING count(*) FILTER (WHERE department_id = $1) > 0 ORDER BY count(*) DESC LIMIT 1`, [voirie]);
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const res = await agent.get(`/api/v1/citizens/${c.id}/tickets`).expect(200);
    expect(res.body).toHaveLength(c.mine);
    expect(Number(res.headers['x-hidden-count'])).toBe(c.other);
  });
});
