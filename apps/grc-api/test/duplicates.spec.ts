import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config';
import { createApp } from '../src/http-app';
import { systemActor } from '../src/modules/auth/authenticated-agent';
import { MailIntakeService } from '../src/modules/mail/intake.service';
import { TicketsService } from '../src/modules/tickets/tickets.service';
import { ADMIN, ids, VOIRIE_AGENT } from './support/demo';
import { startSmtpCapture, type SmtpCapture } from './support/smtp-capture';
import { startTestApp, type TestContext } from './support/test-app';
import { eventually } from './support/eventually';

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
    const master = await report(
      `Énorme nid-de-poule rue Nationale ${stamp}\nprès de la boulangerie`,
      '47.39410',
      '0.68480',
      `a-${stamp}@example.org`,
    );
    const far = await report(`Nid-de-poule rue Nationale ${stamp} (autre quartier)`, '47.41000', '0.70000', `b-${stamp}@example.org`);
    const follower = await report(
      `Nid de poule énorme rue nationale ${stamp} devant la boulangerie`,
      '47.39420',
      '0.68490',
      `c-${stamp}@example.org`,
    );

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
    await agent
      .post(`/api/v1/tickets/${follower.id}/link`)
      .send({ masterId: follower.id, version: await version(follower.id) })
      .expect(400);
    await agent.post(`/api/v1/tickets/${follower.id}/link`).send({ masterId: master.id, version: 999 }).expect(409);

    const linked = await agent
      .post(`/api/v1/tickets/${follower.id}/link`)
      .send({ masterId: master.id, version: await version(follower.id) })
      .expect(201);
    expect(linked.body.timeline.at(-1)).toMatchObject({ kind: 'linked', data: { masterId: master.id, masterReference: master.reference } });
    const masterView = (await agent.get(`/api/v1/tickets/${master.id}/duplicates`).expect(200)).body;
    expect(masterView.followers.map((f: { id: string }) => f.id)).toEqual([follower.id]);
    expect(masterView.candidates).toEqual([]);
    const followerView = (await agent.get(`/api/v1/tickets/${follower.id}/duplicates`).expect(200)).body;
    expect(followerView.master).toMatchObject({ id: master.id, reference: master.reference });
    expect(followerView.candidates).toEqual([]);
    // a master cannot follow, a follower cannot lead
    await agent
      .post(`/api/v1/tickets/${master.id}/link`)
      .send({ masterId: far.id, version: await version(master.id) })
      .expect(409);
    await agent
      .post(`/api/v1/tickets/${far.id}/link`)
      .send({ masterId: follower.id, version: await version(far.id) })
      .expect(409);

    // tracking page of the follower: grouped
    const tracked = (await ctx.http.get(`/api/v1/public/requests/${follower.reference}`).query({ k: follower.key }).expect(200)).body;
    expect(tracked).toMatchObject({ status: 'new', grouped: true });

    // the master is resolved: the follower follows, in the same transaction, with its own timeline event
    await agent
      .post(`/api/v1/tickets/${master.id}/status`)
      .send({ status: 'resolved', comment: 'Rebouché', version: await version(master.id) })
      .expect(201);
    expect(await status(follower.id)).toBe('resolved');
    const [ev] = await ctx.db.query(
      `SELECT kind, body, data FROM ticket_events WHERE ticket_id = $1 AND kind = 'status_changed' ORDER BY id DESC LIMIT 1`,
      [follower.id],
    );
    expect(ev).toMatchObject({
      body: 'Rebouché',
      data: { from: 'new', to: 'resolved', masterId: master.id, masterReference: master.reference },
    });
    expect((await ctx.http.get(`/api/v1/public/requests/${follower.reference}`).query({ k: follower.key })).body.status).toBe('resolved');
    expect(await status(far.id)).toBe('new');

    // reopened: the follower reopens too
    await agent
      .post(`/api/v1/tickets/${master.id}/status`)
      .send({ status: 'open', version: await version(master.id) })
      .expect(201);
    expect(await status(follower.id)).toBe('open');

    // unlink: the follower stands alone with the status it had when linked
    const unlinked = await agent
      .post(`/api/v1/tickets/${follower.id}/unlink`)
      .send({ version: await version(follower.id) })
      .expect(201);
    expect(unlinked.body.status).toBe('new');
    expect(unlinked.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['linked', 'unlinked']));
    const masterEvents = (
      await ctx.db.query(`SELECT kind FROM ticket_events WHERE ticket_id = $1 AND kind IN ('linked', 'unlinked') ORDER BY id`, [master.id])
    ).map((e: { kind: string }) => e.kind);
    expect(masterEvents).toEqual(['linked', 'unlinked']);
    expect((await agent.get(`/api/v1/tickets/${master.id}/duplicates`)).body.followers).toEqual([]);
    await agent
      .post(`/api/v1/tickets/${follower.id}/unlink`)
      .send({ version: await version(follower.id) })
      .expect(409);
    expect((await ctx.http.get(`/api/v1/public/requests/${follower.reference}`).query({ k: follower.key })).body.grouped).toBe(false);
    const audit = (
      await ctx.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 AND action LIKE 'ticket.%link%' ORDER BY id`, [follower.id])
    ).map((a: { action: string }) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['ticket.link', 'ticket.unlink']));
  });

  it('refuses a resolved or closed master, and hides tickets of other departments', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const a = await report(`Trou rue du Lac ${stamp}`, '47.30000', '0.60000', `d-${stamp}@example.org`);
    const b = await report(`Trou rue du Lac ${stamp} bis`, '47.30001', '0.60001', `e-${stamp}@example.org`);
    await admin
      .post(`/api/v1/tickets/${a.id}/status`)
      .send({ status: 'resolved', version: await version(a.id) })
      .expect(201);
    const res = await admin
      .post(`/api/v1/tickets/${b.id}/link`)
      .send({ masterId: a.id, version: await version(b.id) })
      .expect(409);
    expect(res.body.errors[0].code).toBe('duplicate.master_closed');
    const view = (await admin.get(`/api/v1/tickets/${b.id}/duplicates`).expect(200)).body;
    expect(view.candidates.map((c: { id: string }) => c.id)).not.toContain(a.id);

    const d = await ids(ctx.db);
    const other = await ctx.loginAs(await d.emailOf('etat-civil', 'agent'));
    await other.get(`/api/v1/tickets/${b.id}/duplicates`).expect(404);
  });

  it('offers candidates only from departments the agent may see; the others are only counted (need-to-know)', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const mine = await report(`Nid-de-poule avenue des Tilleuls ${stamp}`, '47.35000', '0.65000', `f-${stamp}@example.org`);
    const theirs = await report(`Nid-de-poule avenue des Tilleuls ${stamp} secret`, '47.35001', '0.65001', `g-${stamp}@example.org`);
    const follower = await report(`Nid-de-poule avenue des Tilleuls ${stamp} encore`, '47.35002', '0.65002', `h-${stamp}@example.org`);
    const ev = await (await ids(ctx.db)).department('espaces-verts');
    await admin
      .post(`/api/v1/tickets/${follower.id}/link`)
      .send({ masterId: mine.id, version: await version(follower.id) })
      .expect(201);
    for (const id of [theirs.id, follower.id]) {
      await admin
        .post(`/api/v1/tickets/${id}/transfer`)
        .send({ departmentId: ev, reason: 'test', version: await version(id) })
        .expect(201);
    }
    // the admin sees both
    const all = (await admin.get(`/api/v1/tickets/${mine.id}/duplicates`).expect(200)).body;
    expect(all.followers.map((f: { id: string }) => f.id)).toEqual([follower.id]);
    const fresh = await report(`Nid-de-poule avenue des Tilleuls ${stamp} nouveau`, '47.35003', '0.65003', `i-${stamp}@example.org`);
    expect(
      (await admin.get(`/api/v1/tickets/${fresh.id}/duplicates`).expect(200)).body.candidates.map((c: { id: string }) => c.id),
    ).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    // the voirie agent: its own candidate, the other department's one only as a count, nothing of it in the answer
    const res = await agent.get(`/api/v1/tickets/${fresh.id}/duplicates`).expect(200);
    expect(res.body.candidates.map((c: { id: string }) => c.id)).toContain(mine.id);
    expect(res.body.candidates.map((c: { id: string }) => c.id)).not.toContain(theirs.id);
    expect(res.body.otherDepartmentCandidates).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(res.body)).not.toContain(theirs.reference);
    expect(JSON.stringify(res.body)).not.toContain('secret');
    const master = (await agent.get(`/api/v1/tickets/${mine.id}/duplicates`).expect(200)).body;
    expect(master.followers).toEqual([]);
    expect(master.otherDepartmentFollowers).toBe(1);
  });

  it('shows the master status to every reporter on Open311', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const key = (
      await admin
        .post('/api/v1/open311-keys')
        .send({ name: `dup-${stamp}` })
        .expect(201)
    ).body.key;
    const sent = await ctx.http
      .post('/open311/v2/requests.json')
      .type('form')
      .send(
        new URLSearchParams({
          api_key: key,
          jurisdiction_id: town,
          service_code: 'nid-de-poule',
          lat: '47.2',
          long: '0.5',
          description: `Trou Open311 ${stamp}`,
          email: `o-${stamp}@example.org`,
          'attribute[taille]': 'grand',
        }).toString(),
      );
    expect(sent.status).toBe(200);
    const ref = sent.body[0].service_request_id;
    const [o] = await ctx.db.query(`SELECT id FROM tickets WHERE reference = $1`, [ref]);
    const master = await report(`Trou Open311 ${stamp} (mairie)`, '47.2', '0.5', `m-${stamp}@example.org`);
    await admin
      .post(`/api/v1/tickets/${o.id}/link`)
      .send({ masterId: master.id, version: await version(o.id) })
      .expect(201);
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

/**
 * Every reporter of one problem is told, by e-mail (real SMTP server), in their own language and with their
 * own tracking link, once per event — in the API role and in the worker role (e-mail intake reopening the
 * master) — and no longer once unlinked.
 */
describe('duplicates: every reporter is informed', () => {
  let ctx: TestContext;
  let smtp: SmtpCapture;
  let pothole: string;
  const stamp = `${Date.now().toString(36)}r`;
  const PUBLIC = 'https://www.saint-aubin.test';
  const env = {
    SMTP_URL: '',
    MAIL_FROM: 'Mairie de Saint-Aubin <mairie@saint-aubin.test>',
    MAIL_SWEEP_MS: '200',
    MAIL_INTAKE_TICK_MS: '0',
    PUBLIC_URL: PUBLIC,
    GRC_PUBLIC_RATE_LIMIT: '1000',
    GRC_QUEUE_PREFIX: `grc-dupmail-${stamp}`,
    // API and worker share the app's secret, as deployed: the worker seals the links the API's sender opens
    GRC_SECRET_KEY: randomBytes(32).toString('base64'),
  };

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    env.SMTP_URL = smtp.url;
    ctx = await startTestApp(env);
    pothole = await (await ids(ctx.db)).category('nid-de-poule');
    await ctx.db.query(`DELETE FROM category_attributes WHERE category_id = $1 AND required`, [pothole]);
  });
  afterAll(async () => {
    await ctx?.close();
    await smtp?.close();
  });

  const mailsTo = (addr: string) => smtp.mails.filter((m) => m.envelope.to.includes(addr));
  /** waits until every outbox row of these tickets left the queue, then a little for the SMTP server to hand them over */
  const settle = async (ticketIds: string[]) => {
    await eventually(
      async () => {
        const [{ n }] = await ctx.db.query(
          `SELECT count(*)::int AS n FROM mail_outbox WHERE ticket_id = ANY($1::uuid[]) AND state <> 'sent'`,
          [ticketIds],
        );
        if (n !== 0) throw new Error(`${n} e-mails still waiting in the outbox`);
      },
      { timeout: 20_000, interval: 100 },
    );
    // the sender marks a row sent once the SMTP server accepted it: the capture has every one by then
  };
  const version = async (id: string) => (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [id]))[0].version as number;
  const status = async (id: string) => (await ctx.db.query(`SELECT status FROM tickets WHERE id = $1`, [id]))[0].status as string;

  interface Reporter {
    id: string;
    reference: string;
    email: string;
  }
  const viaForm = async (description: string, email: string, locale?: 'fr' | 'en'): Promise<Reporter> => {
    let req = ctx.http.post('/api/v1/public/requests').set('X-Requested-With', 'grc');
    const fields: Record<string, string> = {
      categoryId: pothole,
      description,
      latitude: '47.35000',
      longitude: '0.65000',
      lastName: 'Durand',
      email,
    };
    if (locale) fields['locale'] = locale;
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    const res = await req;
    expect(res.status).toBe(201);
    const [t] = await ctx.db.query(`SELECT id FROM tickets WHERE reference = $1`, [res.body.reference]);
    return { id: t.id, reference: res.body.reference, email };
  };
  const viaAgent = async (agent: Awaited<ReturnType<TestContext['loginAs']>>, subject: string, email: string): Promise<Reporter> => {
    const res = await agent.post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: pothole,
      subject,
      description: `${subject} (appel)`,
      latitude: 47.35001,
      longitude: 0.65001,
      newCitizen: { kind: 'resident', firstName: 'Paul', lastName: 'Martin', email },
    });
    expect(res.status).toBe(201);
    return { id: res.body.id, reference: res.body.reference, email };
  };
  /** the e-mails of this kind (X-GRC-Outbox → mail_outbox.kind) sent to this reporter */
  const received = async (r: Reporter, kind: string) => {
    const rows: Array<{ message_id: string }> = await ctx.db.query(
      `SELECT message_id FROM mail_outbox WHERE ticket_id = $1 AND kind = $2`,
      [r.id, kind],
    );
    const ids = new Set(rows.map((x) => x.message_id));
    return mailsTo(r.email).filter((m) => ids.has(m.parsed.messageId ?? ''));
  };
  const linkFrom = (text: string) => {
    const m = /https:\/\/www\.saint-aubin\.test\/suivi\?ref=([^&\s]+)&k=([A-Za-z0-9_-]+)/.exec(text);
    if (!m) throw new Error(`no tracking link in: ${text}`);
    return { ref: decodeURIComponent(m[1]!), key: m[2]! };
  };

  it("tells the master's and each follower's reporter of the resolution, once, in their language, with their own link; unlinking stops it", async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const master = await viaForm(`Nid-de-poule avenue du Port ${stamp}`, `maitre-${stamp}@example.org`, 'fr');
    const english = await viaForm(`Pothole on avenue du Port ${stamp}`, `english-${stamp}@example.org`, 'en');
    const phoned = await viaAgent(agent, `Trou avenue du Port ${stamp}`, `telephone-${stamp}@example.org`);
    const all = [master, english, phoned];
    await settle(all.map((r) => r.id));
    // acknowledgements: one each, the English reporter's in English
    for (const r of all) expect(await received(r, 'acknowledgement')).toHaveLength(1);
    expect((await received(english, 'acknowledgement'))[0]!.parsed.subject).toBe(`[${english.reference}] We received your request`);

    for (const f of [english, phoned]) {
      await agent
        .post(`/api/v1/tickets/${f.id}/link`)
        .send({ masterId: master.id, version: await version(f.id) })
        .expect(201);
    }
    // a public reply on the master is addressed to its reporter only; it takes the master in hand (new → open),
    // and so every follower: their reporters hear that their request is in progress, not the reply's text
    await agent
      .post(`/api/v1/tickets/${master.id}/messages`)
      .send({ version: await version(master.id), kind: 'reply', body: `Une équipe passe demain ${stamp}.` })
      .expect(201);
    await settle(all.map((r) => r.id));
    expect(await status(english.id)).toBe('open');
    expect(await received(master, 'reply')).toHaveLength(1);
    expect(await received(master, 'status_changed')).toHaveLength(0);
    for (const f of [english, phoned]) {
      expect(await received(f, 'reply')).toHaveLength(0);
      expect(await received(f, 'status_changed')).toHaveLength(1);
    }
    expect((await received(english, 'status_changed'))[0]!.parsed.subject).toBe(`[${english.reference}] Your request is in progress`);
    expect((await received(phoned, 'status_changed'))[0]!.parsed.subject).toBe(
      `[${phoned.reference}] Votre demande est en cours de traitement`,
    );
    expect(
      mailsTo(english.email)
        .concat(mailsTo(phoned.email))
        .some((m) => (m.parsed.text ?? '').includes(`Une équipe passe demain ${stamp}`)),
    ).toBe(false);

    await agent
      .post(`/api/v1/tickets/${master.id}/status`)
      .send({ status: 'resolved', comment: 'Rebouché ce matin.', version: await version(master.id) })
      .expect(201);
    await settle(all.map((r) => r.id));

    for (const r of all) {
      const resolved = await received(r, 'resolved');
      expect(resolved).toHaveLength(1);
      const mail = resolved[0]!;
      expect(mail.envelope.to).toEqual([r.email]);
      expect(mail.parsed.subject).toContain(r.reference);
      const text = mail.parsed.text ?? '';
      expect(text).toContain(r.reference);
      expect(text).toContain('Rebouché ce matin.');
      for (const other of all) if (other !== r) expect(text).not.toContain(other.reference);
      // their own tracking link, which opens their own request
      const link = linkFrom(text);
      expect(link.ref).toBe(r.reference);
      const page = await ctx.http
        .get(`/api/v1/public/requests/${encodeURIComponent(link.ref)}`)
        .query({ k: link.key })
        .expect(200);
      expect(page.body).toMatchObject({ reference: r.reference, status: 'resolved' });
    }
    expect((await received(english, 'resolved'))[0]!.parsed.subject).toBe(`[${english.reference}] Your request is resolved`);
    expect((await received(phoned, 'resolved'))[0]!.parsed.subject).toBe(`[${phoned.reference}] Votre demande est résolue`);
    expect((await received(english, 'resolved'))[0]!.parsed.text).toContain('Tracking:');

    // reopened: every reporter is told, once
    await agent
      .post(`/api/v1/tickets/${master.id}/status`)
      .send({ status: 'open', version: await version(master.id) })
      .expect(201);
    await settle(all.map((r) => r.id));
    for (const r of all) expect(await received(r, 'status_changed')).toHaveLength(r === master ? 1 : 2);

    // unlinked: the phoned reporter hears no more of the master (only that their own request is back to where it was)
    await agent
      .post(`/api/v1/tickets/${phoned.id}/unlink`)
      .send({ version: await version(phoned.id) })
      .expect(201);
    await settle(all.map((r) => r.id));
    const phonedBefore = mailsTo(phoned.email).length;
    await agent
      .post(`/api/v1/tickets/${master.id}/status`)
      .send({ status: 'resolved', comment: 'Enfin rebouché.', version: await version(master.id) })
      .expect(201);
    await settle(all.map((r) => r.id));
    expect(await received(master, 'resolved')).toHaveLength(2);
    expect(await received(english, 'resolved')).toHaveLength(2);
    expect(await received(phoned, 'resolved')).toHaveLength(1);
    expect(mailsTo(phoned.email)).toHaveLength(phonedBefore);
    expect(await status(phoned.id)).toBe('new');
    expect(await status(english.id)).toBe('resolved');
  });

  it("propagates a change made in the worker role: the master's reporter answers by e-mail, the master and its follower reopen", async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const master = await viaForm(`Nid-de-poule quai Nord ${stamp}`, `quai-maitre-${stamp}@example.org`);
    const follower = await viaForm(`Trou quai Nord ${stamp}`, `quai-suiveur-${stamp}@example.org`);
    await agent
      .post(`/api/v1/tickets/${follower.id}/link`)
      .send({ masterId: master.id, version: await version(follower.id) })
      .expect(201);
    await agent
      .post(`/api/v1/tickets/${master.id}/status`)
      .send({ status: 'resolved', comment: 'Rebouché.', version: await version(master.id) })
      .expect(201);
    expect(await status(follower.id)).toBe('resolved');
    await settle([master.id, follower.id]);

    // a process in the worker role only (no HTTP), as deployed with GRC_ROLE=worker
    const worker = await startWorkerRole({ ...env, GRC_QUEUE_PREFIX: `${env.GRC_QUEUE_PREFIX}-w` });
    try {
      const [mailbox] = await ctx.db.query(
        `INSERT INTO mail_mailboxes (name, host, port, secure, username, category_id, active) VALUES ($1, '127.0.0.1', 1, false, 'x', $2, false) RETURNING *`,
        [`dup-${stamp}`, pothole],
      );
      // a reply to the resolution e-mail we sent (threading trusts only our outbox's Message-IDs, docs/mail.md)
      const [resolvedMail] = await ctx.db.query(`SELECT message_id FROM mail_outbox WHERE ticket_id = $1 AND kind = 'resolved'`, [
        master.id,
      ]);
      const raw = [
        `From: Durand <${master.email}>`,
        'To: mairie@saint-aubin.test',
        `Subject: Re: [${master.reference}] Votre demande est résolue`,
        `In-Reply-To: ${resolvedMail.message_id}`,
        `Message-ID: <reopen-${stamp}@citoyens.example>`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Le trou est toujours là.',
        '',
      ].join('\r\n');
      const outcome = await worker.get(MailIntakeService).importMessage(mailbox, null, Buffer.from(raw));
      expect(outcome).toMatchObject({ outcome: 'reply', ticketId: master.id });
    } finally {
      await worker.close();
    }
    expect(await status(master.id)).toBe('open');
    expect(await status(follower.id)).toBe('open');
    const [ev] = await ctx.db.query(
      `SELECT body, data FROM ticket_events WHERE ticket_id = $1 AND kind = 'status_changed' ORDER BY id DESC LIMIT 1`,
      [follower.id],
    );
    expect(ev.data).toMatchObject({ from: 'resolved', to: 'open', masterReference: master.reference });
    // the follower's reporter is told their request is being handled again — not that someone else wrote
    await settle([master.id, follower.id]);
    const told = await received(follower, 'status_changed');
    expect(told).toHaveLength(1);
    expect(told[0]!.parsed.text).not.toContain('répondu par e-mail');
    expect(await received(master, 'status_changed')).toHaveLength(0);
  });

  it('propagates a change made through TicketsService in a worker-role process (escalations, circuit timers act this way)', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const master = await viaForm(`Nid-de-poule impasse Sud ${stamp}`, `impasse-maitre-${stamp}@example.org`);
    const follower = await viaForm(`Trou impasse Sud ${stamp}`, `impasse-suiveur-${stamp}@example.org`);
    await agent
      .post(`/api/v1/tickets/${follower.id}/link`)
      .send({ masterId: master.id, version: await version(follower.id) })
      .expect(201);
    const worker = await startWorkerRole({ ...env, GRC_QUEUE_PREFIX: `${env.GRC_QUEUE_PREFIX}-w2` });
    try {
      await worker.get(TicketsService).mutate(
        systemActor('test-worker'),
        master.id,
        await version(master.id),
        async () => ({
          set: { status: 'closed', closedAt: new Date() },
          events: [{ kind: 'status_changed', data: { from: 'new', to: 'closed' } }],
          action: 'ticket.status',
        }),
        { returnUnscoped: true },
      );
    } finally {
      await worker.close();
    }
    expect(await status(follower.id)).toBe('closed');
    await settle([master.id, follower.id]);
    expect(await received(follower, 'status_changed')).toHaveLength(1);
  });
});

/** The app as `GRC_ROLE=worker` builds it (an application context: BullMQ processors, intake, sender; no HTTP). */
async function startWorkerRole(env: Record<string, string>): Promise<INestApplicationContext> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    GRC_DATA_DIR: mkdtempSync(join(tmpdir(), 'grc-worker-')),
    GRC_LOG_LEVEL: 'warn',
    ...env,
    GRC_ROLE: 'worker',
  });
  try {
    return await createApp({ ...loadConfig(), port: 0 });
  } finally {
    process.env = saved;
  }
}
