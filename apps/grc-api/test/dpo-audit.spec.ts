import { parse } from 'csv-parse/sync';
import type { AuditEvent, AuditPage } from '@grc/domain';
import { startTestApp, type TestContext } from './support/test-app';
import { PNG } from './support/files';
import { ADMIN, DPO, EV_HEAD, ids, VOIRIE_AGENT, VOIRIE_HEAD } from './support/demo';

/**
 * The DPO's view (issue 10): every read of personal data leaves an event, the trail keeps no personal
 * values (the citizen's history does), and the viewer searches, pages and exports it — the whole journal
 * for the DPO, their departments' tickets for heads.
 */
describe("the DPO's view: audited reads, diffs without personal values, the audit viewer", () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  const uniq = () => Math.random().toString(36).slice(2, 10);
  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
  });
  afterAll(() => ctx.close());

  const events = (
    entityId: string,
    action?: string,
  ): Promise<Array<{ action: string; actor_label: string; changes: Record<string, unknown> }>> =>
    ctx.db.query(
      `SELECT action, actor_label, changes FROM audit_events WHERE entity_id = $1 AND ($2::text IS NULL OR action = $2) ORDER BY id`,
      [entityId, action ?? null],
    );
  const newTicket = async (lastName = `Dupont${uniq()}`) => {
    const agent = await ctx.as(VOIRIE_AGENT);
    const res = await agent.post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: await d.category('nid-de-poule'),
      subject: `Trou devant chez ${lastName}`,
      description: 'Un trou profond sur la chaussée.',
      newCitizen: {
        kind: 'resident',
        firstName: 'Camille',
        lastName,
        email: `${lastName.toLowerCase()}@example.org`,
        phone: null,
        organisationName: null,
        contactPerson: null,
        address: '3 rue des Lilas',
        postcode: null,
        city: null,
        preferredChannel: 'email',
      },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; version: number; reference: string; citizen: { id: string } };
  };

  it('the DPO reads citizens and the whole trail, never a request, nor the inbox', async () => {
    const dpo = await ctx.loginAs(DPO);
    const t = await newTicket();
    expect((await dpo.get('/api/v1/auth/me').expect(200)).body.role).toBe('dpo');
    await dpo.get('/api/v1/tickets').expect(403);
    await dpo.get(`/api/v1/tickets/${t.id}`).expect(403);
    await dpo.get(`/api/v1/citizens/${t.citizen.id}/tickets`).expect(403);
    await dpo.get('/api/v1/sla/breaches').expect(403);
    await dpo.put(`/api/v1/citizens/${t.citizen.id}`).send({}).expect(403);
    await dpo.get(`/api/v1/citizens/${t.citizen.id}`).expect(200);
    const page = (await dpo.get('/api/v1/audit').query({ citizenId: t.citizen.id }).expect(200)).body as AuditPage;
    expect(page.items.map((e) => e.action)).toEqual(expect.arrayContaining(['citizen.read', 'ticket.create', 'citizen.create']));
  });

  it('audits each read of personal data: ticket detail, attachment, citizen record and history, circuit view; a refused read leaves none', async () => {
    const agent = await ctx.as(VOIRIE_AGENT);
    const t = await newTicket();
    await agent.get(`/api/v1/tickets/${t.id}`).expect(200);
    expect(await events(t.id, 'ticket.read')).toEqual([{ action: 'ticket.read', actor_label: VOIRIE_AGENT, changes: {} }]);

    const up = (
      await agent
        .post(`/api/v1/tickets/${t.id}/attachments`)
        .field('version', String(t.version))
        .attach('file', PNG, { filename: 'photo.png', contentType: 'image/png' })
        .expect(201)
    ).body;
    const attachmentId = up.attachments[0].id as string;
    await agent.get(`/api/v1/tickets/${t.id}/attachments/${attachmentId}`).expect(200);
    expect((await events(t.id, 'ticket.attachment.read'))[0]?.changes).toEqual({ attachmentId: { before: null, after: attachmentId } });

    await agent.get(`/api/v1/citizens/${t.citizen.id}`).expect(200);
    await agent.get(`/api/v1/citizens/${t.citizen.id}/tickets`).expect(200);
    expect((await events(t.citizen.id)).map((e) => e.action)).toEqual(['citizen.create', 'citizen.read', 'citizen.tickets.read']);

    // another department's head: 404, and no "read" recorded
    const other = await ctx.as(EV_HEAD);
    await other.get(`/api/v1/tickets/${t.id}`).expect(404);
    await other.get(`/api/v1/tickets/${t.id}/attachments/${attachmentId}`).expect(404);
    expect((await events(t.id, 'ticket.read')).length).toBe(1);
    expect((await events(t.id, 'ticket.attachment.read')).length).toBe(1);
  });

  it('records personal fields as "changed" in the trail and keeps their values in the citizen history only', async () => {
    const agent = await ctx.as(VOIRIE_AGENT);
    const name = `Martin${uniq()}`;
    const t = await newTicket(name);
    const created = (await events(t.id, 'ticket.create'))[0]!;
    expect(created.changes['subject']).toEqual({ before: null, after: 'changed' });
    const citizenCreated = (await events(t.citizen.id, 'citizen.create'))[0]!;
    expect(citizenCreated.changes['lastName']).toEqual({ before: null, after: 'changed' });
    expect(citizenCreated.changes['kind']).toEqual({ before: null, after: 'resident' });
    expect(citizenCreated.changes['phone']).toBeUndefined(); // null before and after: no change

    const c = (await agent.get(`/api/v1/citizens/${t.citizen.id}`).expect(200)).body;
    await agent
      .put(`/api/v1/citizens/${c.id}`)
      .send({
        kind: c.kind,
        firstName: c.firstName,
        lastName: c.lastName,
        organisationName: c.organisationName,
        contactPerson: c.contactPerson,
        email: `${name.toLowerCase()}@exemple.fr`,
        phone: '06 12 34 56 78',
        address: c.address,
        postcode: c.postcode,
        city: c.city,
        preferredChannel: c.preferredChannel,
        version: c.version,
      })
      .expect(200);
    await agent
      .post(`/api/v1/tickets/${t.id}/messages`)
      .send({ kind: 'note', body: `Appelé ${name} au 06 12 34 56 78`, version: t.version })
      .expect(201);
    const v = (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [t.id]))[0].version;
    await agent
      .patch(`/api/v1/tickets/${t.id}`)
      .send({ subject: `Trou rue des Lilas (${name})`, version: v })
      .expect(200);

    const trail = JSON.stringify(await ctx.db.query(`SELECT changes FROM audit_events WHERE entity_id IN ($1, $2)`, [t.id, t.citizen.id]));
    expect(trail).not.toContain(name);
    expect(trail).not.toContain('example.org');
    expect(trail).not.toContain('exemple.fr');
    expect(trail).not.toContain('3361234');
    expect(trail).not.toContain('Lilas');
    expect((await events(c.id, 'citizen.update'))[0]!.changes).toEqual({
      email: { before: 'changed', after: 'changed' },
      phone: { before: null, after: 'changed' },
    });
    expect((await events(t.id, 'ticket.note'))[0]!.changes['note']).toEqual({ before: null, after: 'changed' });

    const history = await ctx.db.query(`SELECT action, ticket_id, changes FROM citizen_revisions WHERE citizen_id = $1 ORDER BY id`, [
      c.id,
    ]);
    expect(history.map((h: { action: string }) => h.action)).toEqual(['citizen.create', 'citizen.update', 'ticket.note', 'ticket.update']);
    expect(history[1].changes.email).toEqual({ before: `${name.toLowerCase()}@example.org`, after: `${name.toLowerCase()}@exemple.fr` });
    expect(history[3]).toMatchObject({
      ticket_id: t.id,
      changes: { subject: { before: `Trou devant chez ${name}`, after: `Trou rue des Lilas (${name})` } },
    });
  });

  it('searches by actor, action, ticket reference, citizen and dates, newest first, page by page; the search itself is audited', async () => {
    const dpo = await ctx.loginAs(DPO);
    const agent = await ctx.as(VOIRIE_AGENT);
    const t = await newTicket();
    for (let i = 0; i < 3; i++) await agent.get(`/api/v1/tickets/${t.id}`).expect(200);
    const voirieAgent = await d.agent(VOIRIE_AGENT);

    const q = { ticketReference: t.reference, action: 'ticket.read', actorId: voirieAgent, limit: '2' };
    const first = (await dpo.get('/api/v1/audit').query(q).expect(200)).body as AuditPage;
    expect(first.items).toHaveLength(2);
    expect(first.next).not.toBeNull();
    const second = (
      await dpo
        .get('/api/v1/audit')
        .query({ ...q, cursor: first.next })
        .expect(200)
    ).body as AuditPage;
    expect(second.items).toHaveLength(1);
    expect(second.next).toBeNull();
    const all: AuditEvent[] = [...first.items, ...second.items];
    expect(new Set(all.map((e) => e.id)).size).toBe(3);
    expect(all.every((e) => e.entityId === t.id && e.action === 'ticket.read' && e.actorLabel === VOIRIE_AGENT)).toBe(true);
    const ats = all.map((e) => `${e.at}|${e.id.padStart(20, '0')}`);
    expect([...ats].sort().reverse()).toEqual(ats);

    // dates: nothing before the ticket existed, everything since
    const created = (await ctx.db.query(`SELECT created_at FROM tickets WHERE id = $1`, [t.id]))[0].created_at as Date;
    const before = new Date(created.getTime() - 60_000).toISOString();
    expect((await dpo.get('/api/v1/audit').query({ ticketReference: t.reference, to: before }).expect(200)).body.items).toEqual([]);
    expect(
      (await dpo.get('/api/v1/audit').query({ ticketReference: t.reference, from: before }).expect(200)).body.items.length,
    ).toBeGreaterThanOrEqual(4);
    // the citizen: their record's events and their requests'
    const byCitizen = (await dpo.get('/api/v1/audit').query({ citizenId: t.citizen.id, limit: '500' }).expect(200)).body as AuditPage;
    expect(new Set(byCitizen.items.map((e) => `${e.entityType}:${e.entityId}`))).toEqual(
      new Set([`ticket:${t.id}`, `citizen:${t.citizen.id}`]),
    );

    // reading the trail is in the trail, with its filters
    const [read] = await ctx.db.query(
      `SELECT entity_type, changes FROM audit_events WHERE action = 'audit.read' AND actor_label = $1 ORDER BY id DESC LIMIT 1`,
      [DPO],
    );
    expect(read.entity_type).toBe('audit');
    expect(read.changes.citizenId).toEqual({ before: null, after: t.citizen.id });

    // bad input: the field at fault
    const bad = await dpo.get('/api/v1/audit').query({ cursor: 'AAAA' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('cursor');
    expect((await dpo.get('/api/v1/audit').query({ from: 'hier' })).status).toBe(400);
    await dpo.get('/api/v1/audit').query({ ticketReference: 'GRC-1999-000001' }).expect(404);
  });

  it("keeps heads to their departments' tickets", async () => {
    const head = await ctx.loginAs(VOIRIE_HEAD);
    const t = await newTicket();
    const own = (await head.get('/api/v1/audit').query({ ticketReference: t.reference }).expect(200)).body as AuditPage;
    expect(own.items.map((e) => e.action)).toContain('ticket.create');
    await (await ctx.loginAs(EV_HEAD)).get('/api/v1/audit').query({ ticketReference: t.reference }).expect(404);
    await head.get('/api/v1/audit').query({ entityType: 'citizen', entityId: t.citizen.id }).expect(403);
    // unfiltered: only ticket events, and only of the head's departments
    const page = (await head.get('/api/v1/audit').query({ limit: '200' }).expect(200)).body as AuditPage;
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((e) => e.entityType === 'ticket')).toBe(true);
    const depts = await ctx.db.query(
      `SELECT DISTINCT d.code FROM tickets t JOIN departments d ON d.id = t.department_id WHERE t.id = ANY($1::uuid[])`,
      [page.items.map((e) => e.entityId)],
    );
    const codes = depts.map((x: { code: string }) => x.code);
    expect(codes).toContain('voirie');
    expect(codes).not.toContain('espaces-verts');
    expect(codes).not.toContain('urbanisme');
    // by citizen: the citizen's own record is not a head's to read, their voirie request is
    const byCitizen = (await head.get('/api/v1/audit').query({ citizenId: t.citizen.id }).expect(200)).body as AuditPage;
    expect(byCitizen.items.every((e) => e.entityType === 'ticket' && e.entityId === t.id)).toBe(true);
  });

  it('exports the matching events as CSV, filters in the header lines, the export audited', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const t = await newTicket();
    await (await ctx.as(VOIRIE_AGENT)).get(`/api/v1/tickets/${t.id}`).expect(200);
    const res = await admin
      .get('/api/v1/audit/export.csv')
      .query({ ticketReference: t.reference })
      .buffer(true)
      .parse((r, cb) => {
        let s = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (s += c));
        r.on('end', () => cb(null, s));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"/);
    const text = (res.body as string).replace(/^\ufeff/, '');
    const lines = text.split('\r\n');
    expect(lines[0]).toMatch(/^# audit_export generated_at=\S+ by=admin@saint-aubin\.fr$/);
    expect(lines[1]).toBe(`# filter ticketReference=${t.reference}`);
    const rows = parse(lines.slice(2).join('\r\n'), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual(['at', 'actor_id', 'actor_label', 'action', 'entity_type', 'entity_id', 'changes', 'ip']);
    expect(rows.map((r) => r.action)).toEqual(['ticket.read', 'ticket.create']);
    expect(JSON.parse(rows[1]!.changes!).subject).toEqual({ before: null, after: 'changed' });
    const [exp] = await ctx.db.query(`SELECT changes FROM audit_events WHERE action = 'audit.export' ORDER BY id DESC LIMIT 1`);
    expect(exp.changes).toEqual({ ticketReference: { before: null, after: t.reference } });
  });

  it('streams a large export page by page, every event once', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const t = await newTicket();
    const agentId = await d.agent(VOIRIE_AGENT);
    await ctx.db.query(
      `INSERT INTO audit_events (actor_id, actor_label, action, entity_type, entity_id, changes)
       SELECT $1, $2, 'ticket.read', 'ticket', $3, '{}' FROM generate_series(1, 2500)`,
      [agentId, VOIRIE_AGENT, t.id],
    );
    const res = await admin
      .get('/api/v1/audit/export.csv')
      .query({ ticketReference: t.reference, action: 'ticket.read' })
      .buffer(true)
      .parse((r, cb) => {
        let s = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (s += c));
        r.on('end', () => cb(null, s));
      });
    const body = (res.body as string).split('\r\n').filter((l) => !l.startsWith('#') && !l.startsWith('\ufeff#'));
    const rows = parse(body.join('\r\n'), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(2500);
  });
});
