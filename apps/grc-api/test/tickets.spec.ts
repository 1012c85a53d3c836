import { PNG } from './support/files';
import type { TicketDetail } from '@grc/domain';
import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, ids, VOIRIE_AGENT } from './support/demo';

describe('tickets: register, route, handle (real PostgreSQL and Redis)', () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
  });
  afterAll(() => ctx.close());

  const newTicket = async (agent: Awaited<ReturnType<TestContext['loginAs']>>, extra: Record<string, unknown> = {}) => {
    const res = await agent.post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: await d.category('nid-de-poule'),
      subject: 'Nid-de-poule rue de la Gare',
      description: 'Un trou profond sur la chaussée, dangereux pour les cyclistes.',
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body as TicketDetail;
  };

  it('registers a phone request for a new citizen: public reference, routing by category, timeline, audit in the same transaction', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const t = await newTicket(agent, {
      newCitizen: {
        kind: 'resident',
        firstName: 'Léa',
        lastName: 'Testeuse',
        phone: '06 11 22 33 44',
        email: null,
        organisationName: null,
        contactPerson: null,
        address: null,
        postcode: null,
        city: null,
        preferredChannel: 'phone',
      },
    });
    expect(t.reference).toMatch(/^GRC-\d{4}-\d{6}$/);
    expect(t.department.code).toBe('voirie');
    expect(t.status).toBe('new');
    expect(t.citizen?.displayName).toBe('Léa Testeuse');
    expect(t.timeline.map((e) => e.kind)).toEqual(['created']);
    const audit = await ctx.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 OR entity_id = $2 ORDER BY id`, [
      t.id,
      t.citizen!.id,
    ]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['citizen.create', 'ticket.create']);
    const [phone] = await ctx.db.query(`SELECT phone FROM citizens WHERE id = $1`, [t.citizen!.id]);
    expect(phone.phone).toBe('+33611223344');
  });

  it('refuses bad input with the field at fault and changes nothing', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const [{ n: before }] = await ctx.db.query(`SELECT count(*)::int AS n FROM tickets`);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ channel: 'fax' }, 'channel'],
      [{ subject: '' }, 'subject'],
      [{ categoryId: '00000000-0000-4000-8000-000000000000' }, 'categoryId'],
      [{ latitude: 95, longitude: 0 }, 'latitude'],
      [{ latitude: 47.3 }, 'longitude'],
      [{ hacker: true }, 'hacker'],
      [{ newCitizen: { kind: 'resident', lastName: null, firstName: 'X', email: 'pas-un-email' } }, 'newCitizen.lastName'],
    ];
    for (const [patch, field] of cases) {
      const res = await agent.post('/api/v1/tickets').send({
        channel: 'phone',
        categoryId: await d.category('nid-de-poule'),
        subject: 'Sujet correct',
        description: 'Description',
        ...patch,
      });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const [{ n: after }] = await ctx.db.query(`SELECT count(*)::int AS n FROM tickets`);
    expect(after).toBe(before);
  });

  it('replies, notes, changes status, assigns and transfers, each bumping the version; a stale version answers 409', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const me = await d.agent(VOIRIE_AGENT);
    let t = await newTicket(agent);

    let res = await agent
      .post(`/api/v1/tickets/${t.id}/messages`)
      .send({ kind: 'reply', body: 'Une équipe passe demain.', version: t.version });
    expect(res.status).toBe(201);
    t = res.body;
    expect(t.status).toBe('open');
    expect(t.version).toBe(2);

    res = await agent.post(`/api/v1/tickets/${t.id}/messages`).send({ kind: 'note', body: 'Vu avec le chef d’équipe.', version: 1 });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/modifié par quelqu'un d'autre/);

    t = (await agent.post(`/api/v1/tickets/${t.id}/assign`).send({ assigneeId: me, version: t.version }).expect(201)).body;
    expect(t.assignee?.id).toBe(me);

    res = await agent.post(`/api/v1/tickets/${t.id}/status`).send({ status: 'new', version: t.version });
    expect(res.status).toBe(409); // not a move the lifecycle allows

    t = (await agent.post(`/api/v1/tickets/${t.id}/status`).send({ status: 'resolved', version: t.version }).expect(201)).body;
    expect(t.status).toBe('resolved');
    expect(t.allowedStatuses).toEqual(['open', 'closed']);

    t = (
      await agent
        .post(`/api/v1/tickets/${t.id}/status`)
        .send({ status: 'open', comment: 'Le trou est revenu', version: t.version })
        .expect(201)
    ).body;
    expect(t.status).toBe('open');

    res = await agent
      .post(`/api/v1/tickets/${t.id}/transfer`)
      .send({ departmentId: await d.department('espaces-verts'), reason: '', version: t.version });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('reason');

    t = (
      await agent
        .post(`/api/v1/tickets/${t.id}/transfer`)
        .send({ departmentId: await d.department('espaces-verts'), reason: 'Racines d’arbre sous la chaussée', version: t.version })
        .expect(201)
    ).body;
    expect(t.department.code).toBe('espaces-verts');
    expect(t.assignee).toBeNull();
    // (SLA clock moves, e.g. on reopening, are timeline events of their own: sla.spec checks them)
    const kinds = t.timeline.map((e) => e.kind).filter((k) => !k.startsWith('sla_'));
    expect(kinds).toEqual(['created', 'reply', 'status_changed', 'assigned', 'status_changed', 'status_changed', 'transferred']);
    expect(t.timeline.at(-1)?.body).toBe('Racines d’arbre sous la chaussée');

    // once transferred away, the voirie agent no longer sees it: 404, not 403
    await agent.get(`/api/v1/tickets/${t.id}`).expect(404);
    const audit = await ctx.db.query(`SELECT action, changes FROM audit_events WHERE entity_id = $1 ORDER BY id`, [t.id]);
    expect(audit.at(-1).action).toBe('ticket.transfer');
    expect(audit.at(-1).changes.departmentId.after).toBe(await d.department('espaces-verts'));
  });

  it('exactly one of two concurrent updates with the same version wins', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const t = await newTicket(agent);
    const [a, b] = await Promise.all([
      agent.post(`/api/v1/tickets/${t.id}/messages`).send({ kind: 'note', body: 'première', version: t.version }),
      agent.post(`/api/v1/tickets/${t.id}/messages`).send({ kind: 'note', body: 'seconde', version: t.version }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1 AND kind = 'note'`, [t.id]);
    expect(n).toBe(1);
  });

  it('routes by area: a rule with a polygon wins inside it, the category default applies outside', async () => {
    const [rule] = await ctx.db.query(
      `SELECT r.category_id, r.department_id, r.area FROM routing_rules r WHERE r.area IS NOT NULL ORDER BY r.position LIMIT 1`,
    );
    expect(rule).toBeDefined();
    const area = rule.area as Array<[number, number]>;
    const lng = area.reduce((s, p) => s + p[0], 0) / area.length;
    const lat = area.reduce((s, p) => s + p[1], 0) / area.length;
    const admin = await ctx.loginAs(ADMIN);
    const inside = (
      await admin
        .post('/api/v1/tickets')
        .send({
          channel: 'counter',
          categoryId: rule.category_id,
          subject: 'Dans la zone',
          description: 'test',
          latitude: lat,
          longitude: lng,
        })
        .expect(201)
    ).body as TicketDetail;
    expect(inside.department.id).toBe(rule.department_id);
  });

  it('keeps attachments within type and size limits', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    let t = await newTicket(agent);
    // a real PNG: the detector (file-type) reads past the signature, so a signature followed by zeros is refused
    const png = PNG;
    t = (
      await agent
        .post(`/api/v1/tickets/${t.id}/attachments`)
        .field('version', String(t.version))
        .attach('file', png, { filename: 'photo-trou.png', contentType: 'image/png' })
        .expect(201)
    ).body;
    expect(t.attachments).toHaveLength(1);
    const file = await agent.get(`/api/v1/tickets/${t.id}/attachments/${t.attachments[0]!.id}`).buffer(true).expect(200);
    expect(Buffer.compare(file.body as Buffer, png)).toBe(0);

    const fake = await agent
      .post(`/api/v1/tickets/${t.id}/attachments`)
      .field('version', String(t.version))
      .attach('file', Buffer.from('#!/bin/sh\nrm -rf /'), { filename: 'photo.png', contentType: 'image/png' });
    expect(fake.status).toBe(415);
    expect(fake.body.errors[0].field).toBe('file');
    const exe = await agent
      .post(`/api/v1/tickets/${t.id}/attachments`)
      .field('version', String(t.version))
      .attach('file', Buffer.from('MZ'), { filename: 'virus.exe', contentType: 'application/x-msdownload' });
    expect(exe.status).toBe(415);
  });
});
