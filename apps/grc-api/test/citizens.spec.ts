import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, FRONT_DESK_AGENT, ids, VOIRIE_AGENT } from './support/demo';

describe('citizens: find before create, audited reads, 360° history', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  it('finds a citizen by name without accents, by e-mail and by phone typed the French way', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const [c] = await ctx.db
      .query(`SELECT id, last_name, email, phone FROM citizens z WHERE kind = 'resident' AND email IS NOT NULL AND phone IS NOT NULL
      AND EXISTS (SELECT 1 FROM tickets t JOIN departments d ON d.id = t.department_id WHERE t.citizen_id = z.id AND d.code = 'voirie') LIMIT 1`);
    const plain = c.last_name
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase();
    expect((await agent.get('/api/v1/citizens').query({ q: plain }).expect(200)).body.map((x: { id: string }) => x.id)).toContain(c.id);
    expect((await agent.get('/api/v1/citizens').query({ q: c.email.toUpperCase() }).expect(200)).body[0].id).toBe(c.id);
    const national = '0' + c.phone.slice(3).replace(/(\d)(\d\d)(\d\d)(\d\d)(\d\d)/, '$1 $2 $3 $4 $5');
    expect((await agent.get('/api/v1/citizens').query({ q: national }).expect(200)).body[0].id).toBe(c.id);
  });

  it('audits every read of personal details', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const [c] = await ctx.db.query(
      `SELECT t.citizen_id AS id FROM tickets t JOIN departments d ON d.id = t.department_id WHERE d.code = 'voirie' AND t.citizen_id IS NOT NULL LIMIT 1`,
    );
    await agent.get(`/api/v1/citizens/${c.id}`).expect(200);
    const [row] = await ctx.db.query(
      `SELECT actor_label, action FROM audit_events WHERE entity_id = $1 AND action = 'citizen.read' ORDER BY id DESC LIMIT 1`,
      [c.id],
    );
    expect(row).toEqual({ actor_label: VOIRIE_AGENT, action: 'citizen.read' });
  });

  it('refuses a second record for the same e-mail (dites-le nous une fois) and a stale update', async () => {
    // a record without any request yet: the front desk (directory) keeps it; other agents reach people through tickets
    const agent = await ctx.loginAs(FRONT_DESK_AGENT);
    const body = {
      kind: 'organisation',
      organisationName: 'Boulangerie du Centre',
      contactPerson: 'M. Pain',
      email: 'contact@boulangerie-centre.fr',
      firstName: null,
      lastName: null,
      phone: null,
      address: '2 place du Marché',
      postcode: '37000',
      city: 'Saint-Aubin',
      preferredChannel: 'email',
    };
    const created = (await agent.post('/api/v1/citizens').send(body).expect(201)).body;
    const dup = await agent.post('/api/v1/citizens').send({ ...body, email: 'CONTACT@boulangerie-centre.fr' });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].field).toBe('email');
    const updated = (
      await agent
        .put(`/api/v1/citizens/${created.id}`)
        .send({ ...body, contactPerson: 'Mme Farine', version: created.version })
        .expect(200)
    ).body;
    expect(updated.contactPerson).toBe('Mme Farine');
    await agent
      .put(`/api/v1/citizens/${created.id}`)
      .send({ ...body, version: created.version })
      .expect(409);
    const audit = await ctx.db.query(`SELECT changes FROM audit_events WHERE entity_id = $1 AND action = 'citizen.update'`, [created.id]);
    // the audit says what changed, not the values: those are the citizen's own history (docs/rgpd.md)
    expect(audit[0].changes).toEqual({ contactPerson: { before: 'changed', after: 'changed' } });
    const [rev] = await ctx.db.query(`SELECT changes FROM citizen_revisions WHERE citizen_id = $1 AND action = 'citizen.update'`, [
      created.id,
    ]);
    expect(rev.changes).toEqual({ contactPerson: { before: 'M. Pain', after: 'Mme Farine' } });
  });

  it('shows the citizen history limited to visible departments, without counting the others (no X-Hidden-Count)', async () => {
    const d = await ids(ctx.db);
    const voirie = await d.department('voirie');
    const [c] = await ctx.db.query(
      `SELECT citizen_id AS id, count(*) FILTER (WHERE department_id = $1)::int AS mine, count(*) FILTER (WHERE department_id <> $1)::int AS other
       FROM tickets WHERE citizen_id IS NOT NULL GROUP BY citizen_id
       HAVING count(*) FILTER (WHERE department_id = $1) > 0 AND count(*) FILTER (WHERE department_id <> $1) > 0 ORDER BY count(*) DESC LIMIT 1`,
      [voirie],
    );
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const res = await agent.get(`/api/v1/citizens/${c.id}/tickets`).expect(200);
    expect(res.body).toHaveLength(c.mine);
    expect(res.headers['x-hidden-count']).toBeUndefined();
    const [z] = await ctx.db.query(`SELECT email FROM citizens WHERE id = $1`, [c.id]);
    if (z.email) {
      const found = (await agent.get('/api/v1/citizens').query({ q: z.email }).expect(200)).body;
      expect(found).toEqual([expect.objectContaining({ id: c.id, ticketCount: c.mine })]);
    }
  });
});

describe('citizens: need-to-know (the directory for the front desk and the admin, tickets for the others)', () => {
  let ctx: TestContext;
  let stranger: { id: string; email: string; last_name: string; version: number };
  beforeAll(async () => {
    ctx = await startTestApp();
    const voirie = await (await ids(ctx.db)).department('voirie');
    // a person known only to departments the voirie agent may not see
    [stranger] = await ctx.db.query(
      `SELECT z.id, z.email, z.last_name, z.version FROM citizens z WHERE z.kind = 'resident' AND z.email IS NOT NULL AND z.last_name IS NOT NULL
         AND EXISTS (SELECT 1 FROM tickets t WHERE t.citizen_id = z.id)
         AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.citizen_id = z.id AND t.department_id = $1)
       ORDER BY z.created_at LIMIT 1`,
      [voirie],
    );
  });
  afterAll(() => ctx.close());
  const body = (c: Record<string, unknown>) => ({
    kind: 'resident',
    firstName: c['first_name'] ?? null,
    lastName: c['last_name'],
    organisationName: null,
    contactPerson: null,
    email: c['email'],
    phone: null,
    address: null,
    postcode: null,
    city: null,
    preferredChannel: null,
  });

  it("an agent without the directory does not find, read, change or list another department's citizen: 404", async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    expect((await agent.get('/api/v1/citizens').query({ q: stranger.email }).expect(200)).body).toEqual([]);
    expect(
      (await agent.get('/api/v1/citizens').query({ q: stranger.last_name }).expect(200)).body.map((x: { id: string }) => x.id),
    ).not.toContain(stranger.id);
    await agent.get(`/api/v1/citizens/${stranger.id}`).expect(404);
    await agent
      .put(`/api/v1/citizens/${stranger.id}`)
      .send({ ...body(stranger), city: 'Ailleurs', version: stranger.version })
      .expect(404);
    const list = await agent.get(`/api/v1/citizens/${stranger.id}/tickets`).expect(404);
    expect(list.headers['x-hidden-count']).toBeUndefined();
    const [row] = await ctx.db.query(`SELECT city, version FROM citizens WHERE id = $1`, [stranger.id]);
    expect(row.version).toBe(stranger.version);
    // nor attach a new request to them by id
    const pothole = await (await ids(ctx.db)).category('nid-de-poule');
    const t = await agent
      .post('/api/v1/tickets')
      .send({ channel: 'phone', categoryId: pothole, subject: 'Trou', description: 'Un trou', citizenId: stranger.id });
    expect([t.status, t.body.errors?.[0]?.field]).toEqual([400, 'citizenId']);
  });

  it('a front-desk agent (department gup, flagged frontDesk) and the admin search and read the whole town, audited', async () => {
    const frontDesk = await ctx.loginAs(FRONT_DESK_AGENT);
    expect((await frontDesk.get('/api/v1/auth/me').expect(200)).body.permissions).toContain('citizens.directory');
    expect((await (await ctx.loginAs(VOIRIE_AGENT)).get('/api/v1/auth/me').expect(200)).body.permissions).not.toContain(
      'citizens.directory',
    );
    for (const who of [frontDesk, await ctx.loginAs(ADMIN)]) {
      expect((await who.get('/api/v1/citizens').query({ q: stranger.email }).expect(200)).body.map((x: { id: string }) => x.id)).toEqual([
        stranger.id,
      ]);
      await who.get(`/api/v1/citizens/${stranger.id}`).expect(200);
    }
    const [row] = await ctx.db.query(
      `SELECT actor_label FROM audit_events WHERE entity_id = $1 AND action = 'citizen.read' ORDER BY id DESC LIMIT 1`,
      [stranger.id],
    );
    expect(row.actor_label).toBe(ADMIN);
  });

  it('finds a hyphenated name typed with or without its hyphen', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const pothole = await (await ids(ctx.db)).category('nid-de-poule');
    const last = `Lefèvre-Martin${Date.now().toString(36)}`;
    const created = await admin
      .post('/api/v1/tickets')
      .send({
        channel: 'counter',
        categoryId: pothole,
        subject: 'Trou',
        description: 'Un trou',
        newCitizen: { kind: 'resident', firstName: 'Anne-Sophie', lastName: last, email: `${last.toLowerCase()}@citoyens.example` },
      })
      .expect(201);
    for (const q of [last, last.replace('-', ' '), `anne sophie ${last.toLowerCase()}`])
      expect((await admin.get('/api/v1/citizens').query({ q }).expect(200)).body.map((x: { id: string }) => x.id)).toEqual([
        created.body.citizen.id,
      ]);
    expect(
      (
        await admin
          .get('/api/v1/citizens')
          .query({ q: `${last} Zoé` })
          .expect(200)
      ).body,
    ).toEqual([]);
  });

  it('agent entry still creates a citizen with the request; an existing person of another department is refused without revealing who', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const pothole = await (await ids(ctx.db)).category('nid-de-poule');
    const email = `nouveau-${Date.now()}@example.org`;
    const created = await agent
      .post('/api/v1/tickets')
      .send({
        channel: 'phone',
        categoryId: pothole,
        subject: 'Trou rue Neuve',
        description: 'Un trou',
        newCitizen: { ...body({ last_name: 'Nouveau', email }) },
      })
      .expect(201);
    const citizenId = created.body.citizen.id as string;
    expect((await agent.get(`/api/v1/citizens/${citizenId}`).expect(200)).body.email).toBe(email);
    expect(
      (await ctx.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE entity_id = $1 AND action = 'citizen.create'`, [citizenId]))[0]
        .n,
    ).toBe(1);
    const dup = await agent.post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: pothole,
      subject: 'Trou',
      description: 'Un trou',
      newCitizen: body(stranger),
    });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0]).toEqual(expect.objectContaining({ field: 'newCitizen.email', code: 'citizen.duplicate' }));
    expect(JSON.stringify(dup.body)).not.toContain(stranger.id);
    // the front desk is offered the existing record
    const fd = await (await ctx.loginAs(FRONT_DESK_AGENT)).post('/api/v1/citizens').send(body(stranger));
    expect([fd.status, fd.body.errors[0].code]).toEqual([409, `citizen.duplicate:${stranger.id}`]);
  });
});
