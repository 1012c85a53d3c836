import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { GRC_CONFIG, type GrcConfig } from '../src/config/config';
import { AnonymisationService } from '../src/modules/anonymisation/anonymisation.service';
import { RetentionService } from '../src/modules/retention/retention.service';
import { ATTACHMENT_STORE, type AttachmentStore } from '../src/modules/tickets/attachment-store';
import { ADMIN, VOIRIE_AGENT, ids } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

/** Retention rules as data (demo pack, REST), the job (rows first, batches, resumable, reported, audited) and the purges. */
describe('retention', () => {
  let ctx: TestContext;
  let service: RetentionService;

  beforeAll(async () => {
    ctx = await startTestApp({ GRC_RETENTION_EVERY_MINUTES: '0', GRC_RETENTION_BATCH: '2' });
    service = ctx.app.get(RetentionService);
  });
  afterAll(() => ctx.close());

  /** A closed request of the category, closed `monthsAgo` months ago, with a requester. */
  const closedRequest = async (category: string, monthsAgo: number, lastName: string) => {
    const agent = await ctx.as(VOIRIE_AGENT);
    const t = (
      await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await (await ids(ctx.db)).category(category),
          subject: `Appel de M. ${lastName}`,
          description: `M. ${lastName} signale un problème`,
          newCitizen: {
            kind: 'resident',
            firstName: 'Jean',
            lastName,
            phone: null,
            email: `${lastName.toLowerCase()}@exemple.fr`,
            organisationName: null,
            contactPerson: null,
            address: null,
            postcode: null,
            city: null,
            preferredChannel: 'email',
          },
        })
        .expect(201)
    ).body;
    // its history as it would be after that many months (test seeding)
    await ctx.db.query(
      `UPDATE tickets SET status = 'closed', resolved_at = now() - make_interval(months => $2), closed_at = now() - make_interval(months => $2) WHERE id = $1`,
      [t.id, monthsAgo],
    );
    return t.id as string;
  };

  it('loads the demo pack rules and serves them to the rgpd permission only', async () => {
    const admin = await ctx.as(ADMIN);
    const rules = (await admin.get('/api/v1/retention/rules').expect(200)).body;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ categoryId: null, months: 36, action: 'anonymise' }),
        expect.objectContaining({ categoryCode: 'nid-de-poule', months: 24, action: 'anonymise' }),
        expect.objectContaining({ categoryCode: 'acte-naissance', months: 12, action: 'delete' }),
      ]),
    );
    await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/retention/rules').expect(403);
  });

  it('refuses a rule set with two defaults or an unknown category, with the field at fault', async () => {
    const admin = await ctx.as(ADMIN);
    const two = await admin
      .put('/api/v1/retention/rules')
      .send({
        rules: [
          { categoryId: null, months: 12, action: 'anonymise' },
          { categoryId: null, months: 24, action: 'delete' },
        ],
      })
      .expect(400);
    expect(two.body.errors).toEqual([expect.objectContaining({ field: 'rules[1].categoryId', code: 'retention_default_twice' })]);
    const unknown = await admin
      .put('/api/v1/retention/rules')
      .send({ rules: [{ categoryId: '00000000-0000-4000-8000-000000000000', months: 12, action: 'anonymise' }] })
      .expect(400);
    expect(unknown.body.errors[0].field).toBe('rules[0].categoryId');
    const bad = await admin
      .put('/api/v1/retention/rules')
      .send({ rules: [{ categoryId: null, months: -3, action: 'burn' }] })
      .expect(400);
    expect(bad.status).toBe(400);
  });

  it('anonymises what is due, deletes what a delete rule says, in batches; reports and audits the run; does nothing twice', async () => {
    const due = [
      await closedRequest('nid-de-poule', 25, 'Pistoulet'),
      await closedRequest('nid-de-poule', 30, 'Pistache'),
      await closedRequest('nid-de-poule', 26, 'Grobidon'),
    ];
    const notYet = await closedRequest('nid-de-poule', 23, 'Tartempion');
    const deleted = await closedRequest('acte-naissance', 13, 'Fricotin');
    const counts = await service.runRetention();
    expect(counts).not.toBeNull();
    const rows = await ctx.db.query(
      `SELECT id, anonymised_at IS NOT NULL AS done, citizen_id, subject FROM tickets WHERE id = ANY($1) ORDER BY id`,
      [[...due, notYet]],
    );
    const byId = new Map(rows.map((r: { id: string }) => [r.id, r]));
    for (const id of due) expect(byId.get(id)).toMatchObject({ done: true, citizen_id: null, subject: 'Appel de M. [nom]' });
    expect(byId.get(notYet)).toMatchObject({ done: false });
    expect(await ctx.db.query(`SELECT id FROM tickets WHERE id = $1`, [deleted])).toEqual([]);
    expect(counts!.byCategory['nid-de-poule']!.anonymise).toBeGreaterThanOrEqual(3);
    expect(counts!.byCategory['acte-naissance']!.delete).toBeGreaterThanOrEqual(1);
    expect(counts!.batches).toBeGreaterThanOrEqual(2); // batch size 2

    const runs = (await (await ctx.as(ADMIN)).get('/api/v1/retention/runs').expect(200)).body;
    expect(runs[0]).toMatchObject({ kind: 'retention', state: 'done', counts: expect.objectContaining({ requests: counts!.requests }) });
    const [audit] = await ctx.db.query(`SELECT changes FROM audit_events WHERE action = 'retention.run' AND entity_id = $1`, [runs[0].id]);
    expect(audit.changes.state).toEqual({ before: 'running', after: 'done' });

    const again = await service.runRetention();
    expect(again!.requests).toBe(0);
  });

  it('settles a person whose last requests two batches share: the second batch, after the first, anonymises the record', async () => {
    // batches run side by side (GRC_RETENTION_CONCURRENCY); here two transactions each hold one of the two requests
    const first = await closedRequest('nid-de-poule', 27, 'Partagé');
    const [{ citizen_id: citizenId }] = await ctx.db.query(`SELECT citizen_id FROM tickets WHERE id = $1`, [first]);
    const agent = await ctx.as(VOIRIE_AGENT);
    const second = (
      await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await (await ids(ctx.db)).category('nid-de-poule'),
          subject: 'Rappel',
          description: 'Rappel',
          citizenId,
        })
        .expect(201)
    ).body.id as string;
    await ctx.db.query(`UPDATE tickets SET status = 'closed', resolved_at = now(), closed_at = now() WHERE id = $1`, [second]);
    const engine = ctx.app.get(AnonymisationService);
    const actor = { actorId: null, actorLabel: 'retention', ip: null };

    let releaseFirst!: () => void;
    const held = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstDone!: () => void;
    const firstWorked = new Promise<void>((resolve) => (firstDone = resolve));
    const a = ctx.db.transaction(async (m) => {
      const r = await engine.anonymiseTicketsIn(m, actor, [first]);
      firstDone();
      await held; // still uncommitted while the second batch runs
      return r;
    });
    await firstWorked;
    const b = ctx.db.transaction((m) => engine.anonymiseTicketsIn(m, actor, [second]));
    // the second batch either finished (it did not wait) or waits on a lock: watched from a connection of its own
    const watch = new Client({ connectionString: process.env['DATABASE_URL'] });
    await watch.connect();
    let finished = false;
    void b.finally(() => (finished = true)).catch(() => undefined);
    let waitingOn: string | null = null;
    try {
      while (!finished && !waitingOn) {
        const { rows } = await watch.query(
          `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND state = 'active'`,
        );
        waitingOn = rows[0]?.query ?? null;
      }
    } finally {
      await watch.end();
    }
    expect(waitingOn).toMatch(/FROM citizens[\s\S]*FOR UPDATE/);
    releaseFirst();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.citizensUnlinked + rb.citizensUnlinked).toBe(1);
    expect(ra.citizensAnonymised + rb.citizensAnonymised).toBe(1);
    const [c] = await ctx.db.query(`SELECT last_name, email FROM citizens WHERE id = $1`, [citizenId]);
    expect(c.last_name).not.toBe('Partagé');
    expect(c.email).toBeNull();
  });

  it('resumes after a crash: a run that stopped beating is closed as failed and a new one does the work', async () => {
    await ctx.db.query(
      `INSERT INTO retention_runs (kind, started_at, heartbeat_at) VALUES ('retention', now() - interval '1 hour', now() - interval '1 hour')`,
    );
    const id = await closedRequest('nid-de-poule', 40, 'Crashowski');
    const counts = await service.runRetention();
    expect(counts!.requests).toBeGreaterThanOrEqual(1);
    const [t] = await ctx.db.query(`SELECT anonymised_at IS NOT NULL AS done FROM tickets WHERE id = $1`, [id]);
    expect(t.done).toBe(true);
    const [stale] = await ctx.db.query(`SELECT state, error FROM retention_runs WHERE started_at < now() - interval '50 minutes'`);
    expect(stale).toEqual({ state: 'failed', error: 'worker stopped (no heartbeat)' });
    // while a run is beating, a second one does not start
    await ctx.db.query(`INSERT INTO retention_runs (kind) VALUES ('retention')`);
    expect(await service.runRetention()).toBeNull();
    await ctx.db.query(`UPDATE retention_runs SET state = 'done' WHERE state = 'running'`);
  });

  it('purges on their own clocks: expired sessions, sent bodies, old quarantine, old login IPs', async () => {
    const agentId = await (await ids(ctx.db)).agent(VOIRIE_AGENT);
    await ctx.db.query(
      `INSERT INTO sessions (token_hash, agent_id, expires_at, ip) VALUES (repeat('e', 64), $1, now() - interval '1 day', '198.51.100.7')`,
      [agentId],
    );
    await ctx.db.query(
      `INSERT INTO mail_outbox (kind, to_address, subject, text, html, message_id, state, sent_at)
       VALUES ('reply', 'vieux@exemple.fr', 'Réponse', 'Bonjour Mme Vieux', '<p>Bonjour</p>', '<old-purge@grc>', 'sent', now() - interval '100 days'),
              ('reply', 'recent@exemple.fr', 'Réponse', 'Bonjour Mme Récente', NULL, '<new-purge@grc>', 'sent', now() - interval '2 days')`,
    );
    await ctx.db.query(
      `INSERT INTO mail_quarantine (from_address, reason, size, raw, created_at) VALUES ('x@exemple.fr', 'bad', 1, '\\x00', now() - interval '40 days')`,
    );
    await ctx.db.query(
      `INSERT INTO audit_events (at, actor_label, action, entity_type, entity_id, ip) VALUES (now() - interval '7 months', 'a@b.fr', 'auth.login', 'agent', 'x', '192.0.2.1'),
       (now() - interval '1 month', 'a@b.fr', 'auth.login', 'agent', 'y', '192.0.2.2')`,
    );
    const counts = await service.runPurges();
    expect(counts).toMatchObject({ expiredSessions: 1, outboxBodies: 1, quarantine: 1, loginIps: 1 });
    expect(
      await ctx.db.query(`SELECT message_id, text, html FROM mail_outbox WHERE message_id LIKE '%-purge@grc>' ORDER BY message_id`),
    ).toEqual([
      { message_id: '<new-purge@grc>', text: 'Bonjour Mme Récente', html: null },
      { message_id: '<old-purge@grc>', text: '[purgé]', html: null },
    ]);
    expect(
      await ctx.db.query(
        `SELECT entity_id, ip FROM audit_events WHERE action = 'auth.login' AND entity_id IN ('x', 'y') ORDER BY entity_id`,
      ),
    ).toEqual([
      { entity_id: 'x', ip: null },
      { entity_id: 'y', ip: '192.0.2.2' },
    ]);
    expect((await service.runPurges())!.expiredSessions).toBe(0);
  });

  it('sweeps the stored files no attachment names any more (older than an hour), keeps the named and the fresh ones', async () => {
    const store = ctx.app.get<AttachmentStore>(ATTACHMENT_STORE);
    const dataDir = ctx.app.get<GrcConfig>(GRC_CONFIG).dataDir;
    const hash = 'ab'.repeat(32);
    const [orphan, fresh, named] = [
      await store.put(Buffer.from('orphan'), hash),
      await store.put(Buffer.from('fresh'), hash),
      await store.put(Buffer.from('named'), hash),
    ];
    const [{ id: ticketId }] = await ctx.db.query(`SELECT id FROM tickets LIMIT 1`);
    await ctx.db.query(
      `INSERT INTO attachments (ticket_id, filename, mime_type, size, sha256, storage_key) VALUES ($1, 'plan.pdf', 'application/pdf', 5, $2, $3)`,
      [ticketId, hash, named],
    );
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const key of [orphan, named]) await utimes(join(dataDir, key), twoHoursAgo, twoHoursAgo);
    const counts = await service.runPurges();
    expect(counts!.orphanFiles).toBe(1);
    expect(existsSync(join(dataDir, orphan))).toBe(false);
    expect(existsSync(join(dataDir, fresh))).toBe(true);
    expect(existsSync(join(dataDir, named))).toBe(true);
  });
});
