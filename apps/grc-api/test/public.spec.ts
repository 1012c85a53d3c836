import { createHash } from 'node:crypto';
import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, ids } from './support/demo';
import { TrackingService } from '../src/modules/public/tracking.service';
import { REDIS } from '../src/infrastructure/redis.module';
import type Redis from 'ioredis';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a60000000049454e44ae426082',
  'hex',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const HOSTILE = `<script>alert('xss')</script><img src=x onerror="alert(1)"> & "quotes" <b>bold</b>`;

/**
 * The citizen side against the real PostgreSQL and Redis: the public form (fields, category attributes,
 * attachments, honeypot, rate limit), the tracking page (secret key), additional information, hostile input.
 */
describe('public request form and tracking', () => {
  let ctx: TestContext;
  let pothole: string;
  const prefix = `grc-public-${Date.now().toString(36)}`;

  beforeAll(async () => {
    ctx = await startTestApp({ GRC_QUEUE_PREFIX: prefix, GRC_PUBLIC_RATE_LIMIT: '1000', PUBLIC_URL: 'https://grc.example.fr/' });
    // a category no other spec gives attributes to (open311.spec fills nid-de-poule's)
    pothole = await (await ids(ctx.db)).category('trottoir-degrade');
    await ctx.db.query(`DELETE FROM category_attributes WHERE code = 'public_taille'`);
    await ctx.db.query(
      `INSERT INTO category_attributes (category_id, code, datatype, required, description, "order", "values")
      VALUES ($1, 'public_taille', 'singlevaluelist', true, 'Taille du trou', 1, '[{"key":"petit","name":"Petit"},{"key":"grand","name":"Grand"}]')`,
      [pothole],
    );
  });
  afterAll(async () => {
    await ctx.db.query(`DELETE FROM category_attributes WHERE code = 'public_taille'`);
    await ctx.close();
  });

  const post = (fields: Record<string, string>, files: Array<{ name: string; type: string; data: Buffer }> = []) => {
    let req = ctx.http.post('/api/v1/public/requests').set('X-Requested-With', 'grc');
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    for (const f of files) req = req.attach('files', f.data, { filename: f.name, contentType: f.type });
    return req;
  };
  const valid = (extra: Record<string, string> = {}) => ({
    categoryId: pothole,
    description: 'Trou profond devant le 12 rue des Tanneurs\nDangereux pour les vélos',
    address: '12 rue des Tanneurs',
    latitude: '47.3941',
    longitude: '0.6848',
    attributes: JSON.stringify({ public_taille: 'grand' }),
    firstName: 'Camille',
    lastName: 'Martin',
    email: `public-${Date.now()}-${Math.random().toString(36).slice(2)}@example.org`,
    ...extra,
  });
  const track = (ref: string, k: string) => ctx.http.get(`/api/v1/public/requests/${encodeURIComponent(ref)}`).query({ k });

  it('serves the form: town name, active categories with their own fields, upload limits', async () => {
    const res = await ctx.http.get('/api/v1/public/form').expect(200);
    expect(res.body.town.name).toEqual(expect.any(String));
    const cat = res.body.categories.find((c: { id: string }) => c.id === pothole);
    expect(cat).toMatchObject({ code: 'trottoir-degrade', nameFr: 'Trottoir dégradé', nameEn: 'Damaged pavement' });
    expect(cat.attributes).toEqual([
      expect.objectContaining({
        code: 'public_taille',
        datatype: 'singlevaluelist',
        required: true,
        values: [
          { key: 'petit', name: 'Petit' },
          { key: 'grand', name: 'Grand' },
        ],
      }),
    ]);
    expect(res.body.limits).toMatchObject({
      maxFiles: 5,
      maxFileBytes: expect.any(Number),
      accept: expect.arrayContaining(['image/png', '.pdf']),
    });
  });

  it('creates a web request with attachments, a matched citizen and a tracking key stored hashed', async () => {
    const email = `camille-${Date.now()}@example.org`;
    const res = await post(valid({ email, phone: '06 12 34 56 78' }), [
      { name: 'photo.png', type: 'image/png', data: PNG },
      { name: 'plan.pdf', type: 'application/pdf', data: PDF },
    ]).expect(201);
    expect(res.body.reference).toMatch(/^[A-Z]{2,6}-\d{4}-\d{6,}$/);
    expect(res.body.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.trackingPath).toBe(`/suivi?ref=${res.body.reference}&k=${res.body.key}`);
    expect(res.body.trackingUrl).toBe(`https://grc.example.fr${res.body.trackingPath}`);

    const [t] = await ctx.db.query(
      `SELECT t.id, t.channel, t.status, t.subject, t.latitude, t.attributes, t.created_by, z.email, z.phone, z.last_name
       FROM tickets t JOIN citizens z ON z.id = t.citizen_id WHERE t.reference = $1`,
      [res.body.reference],
    );
    expect(t).toMatchObject({
      channel: 'web',
      status: 'new',
      subject: 'Trou profond devant le 12 rue des Tanneurs',
      latitude: 47.3941,
      attributes: { public_taille: 'grand' },
      created_by: null,
      email,
      phone: '+33612345678',
      last_name: 'Martin',
    });
    const files = await ctx.db.query(
      `SELECT filename, mime_type, size, uploaded_by FROM attachments WHERE ticket_id = $1 ORDER BY filename`,
      [t.id],
    );
    expect(files).toEqual([
      { filename: 'photo.png', mime_type: 'image/png', size: PNG.length, uploaded_by: null },
      { filename: 'plan.pdf', mime_type: 'application/pdf', size: PDF.length, uploaded_by: null },
    ]);
    const kinds = (await ctx.db.query(`SELECT kind FROM ticket_events WHERE ticket_id = $1 ORDER BY id`, [t.id])).map(
      (e: { kind: string }) => e.kind,
    );
    expect(kinds).toEqual(['created', 'attachment_added', 'attachment_added']);
    const [audit] = await ctx.db.query(
      `SELECT actor_id, actor_label, action FROM audit_events WHERE entity_id = $1 AND action = 'ticket.create'`,
      [t.id],
    );
    expect(audit).toEqual({ actor_id: null, actor_label: 'citoyen (formulaire public)', action: 'ticket.create' });
    const keys = await ctx.db.query(`SELECT key_hash FROM ticket_tracking_keys WHERE ticket_id = $1`, [t.id]);
    // only hashes are stored; the acknowledgement e-mail (modules/mail) may have added its own key
    expect(keys).toContainEqual({ key_hash: createHash('sha256').update(res.body.key).digest('hex') });
    expect(JSON.stringify(keys)).not.toContain(res.body.key);

    // the same e-mail is the same person
    const again = await post(valid({ email: email.toUpperCase().replace('EXAMPLE.ORG', 'example.org') })).expect(201);
    const [t2] = await ctx.db.query(`SELECT citizen_id FROM tickets WHERE reference = $1`, [again.body.reference]);
    const [t1] = await ctx.db.query(`SELECT citizen_id FROM tickets WHERE id = $1`, [t.id]);
    expect(t2.citizen_id).toBe(t1.citizen_id);
  });

  it('answers every field error at once, with codes the pages translate', async () => {
    const res = await post({ latitude: '91', longitude: 'abc', website: '' }).expect(400);
    const fields = Object.fromEntries(res.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]));
    expect(fields).toMatchObject({
      categoryId: 'required',
      description: 'required',
      latitude: 'invalid',
      longitude: 'invalid',
      lastName: 'required',
      contact: 'contact.missing',
    });
    const attr = await post(valid({ attributes: JSON.stringify({ public_taille: 'immense' }) })).expect(400);
    expect(attr.body.errors).toEqual([expect.objectContaining({ field: 'attributes.public_taille', code: 'isIn' })]);
    const missing = await post(valid({ attributes: '{}' })).expect(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'attributes.public_taille', code: 'required' })]);
    const badEmail = await post(valid({ email: 'not-an-email' })).expect(400);
    expect(badEmail.body.errors).toEqual([expect.objectContaining({ field: 'email', code: 'invalid' })]);
    const onlyLat = await post(valid({ longitude: '' })).expect(400);
    expect(onlyLat.body.errors[0].field).toBe('longitude');
    const badLocale = await post(valid({ locale: 'de' })).expect(400);
    expect(badLocale.body.errors).toEqual([expect.objectContaining({ field: 'locale', code: 'invalid' })]);
  });

  it("keeps the page's language on the request and the citizen's later ones (their e-mails are written in it); none: the town's", async () => {
    const en = (await post(valid({ locale: 'en' })).expect(201)).body;
    const plain = (await post(valid()).expect(201)).body;
    const rows = await ctx.db.query(`SELECT reference, locale FROM tickets WHERE reference = ANY($1::text[]) ORDER BY reference`, [
      [en.reference, plain.reference],
    ]);
    expect(Object.fromEntries(rows.map((r: { reference: string; locale: string | null }) => [r.reference, r.locale]))).toEqual({
      [en.reference]: 'en',
      [plain.reference]: null,
    });

    // said once: a later request of the same citizen by another channel (here a phone call taken by an
    // agent) is acknowledged in the language they chose on the form
    const [{ citizen_id: citizenId }] = await ctx.db.query(`SELECT citizen_id FROM tickets WHERE reference = $1`, [en.reference]);
    const agent = await ctx.loginAs(ADMIN);
    const byPhone = (
      await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: pothole,
          citizenId,
          subject: 'Second hole',
          description: 'Another hole on the same street.',
          // the category's required field is asked of the agent too (one rule set, libs/domain category-fields)
          attributes: { public_taille: 'petit' },
        })
        .expect(201)
    ).body;
    const ack = async (id: string) =>
      (await ctx.db.query(`SELECT subject FROM mail_outbox WHERE ticket_id = $1 AND kind = 'acknowledgement'`, [id]))[0]?.subject;
    expect(await ack(byPhone.id)).toBe(`[${byPhone.reference}] We received your request`);
    // a citizen who never chose gets the town's language
    const [{ id: plainId, citizen_id: plainCitizen }] = await ctx.db.query(`SELECT id, citizen_id FROM tickets WHERE reference = $1`, [
      plain.reference,
    ]);
    expect(await ack(plainId)).toBe(`[${plain.reference}] Votre demande a bien été reçue`);
    const again = (
      await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: pothole,
          citizenId: plainCitizen,
          subject: 'Autre trou',
          description: 'Un autre trou dans la même rue.',
          attributes: { public_taille: 'petit' },
        })
        .expect(201)
    ).body;
    expect(await ack(again.id)).toBe(`[${again.reference}] Votre demande a bien été reçue`);
  });

  it('refuses a filled honeypot with a generic 400 and stores nothing', async () => {
    const before = (await ctx.db.query(`SELECT count(*)::int AS n FROM tickets`))[0].n;
    const res = await post(valid({ website: 'http://spam.example' })).expect(400);
    expect(res.body.detail).toBe('La demande n’a pas pu être enregistrée.');
    expect(res.body.errors).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toMatch(/website|honeypot|robot/i);
    expect((await ctx.db.query(`SELECT count(*)::int AS n FROM tickets`))[0].n).toBe(before);
  });

  it('refuses wrongly typed attachments with a clear message (415) and leaves no file behind', async () => {
    const script = await post(valid(), [{ name: 'photo.jpg', type: 'image/jpeg', data: Buffer.from('#!/bin/sh\nrm -rf /\n') }]).expect(415);
    expect(script.body.errors[0]).toMatchObject({ field: 'files', code: 'file.type', message: expect.stringContaining('photo.jpg') });
    const exe = await post(valid(), [{ name: 'setup.exe', type: 'application/x-msdownload', data: Buffer.from('MZ....') }]).expect(415);
    expect(exe.body.detail).toMatch(/Type de fichier non accepté/);
    const empty = await post(valid(), [{ name: 'vide.txt', type: 'text/plain', data: Buffer.alloc(0) }]).expect(415);
    expect(empty.body.errors[0].code).toBe('file.empty');
    const tooMany = await post(
      valid(),
      Array.from({ length: 6 }, (_, i) => ({ name: `p${i}.png`, type: 'image/png', data: PNG })),
    ).expect(400);
    expect(tooMany.body.errors[0].code).toBe('file.too_many');
  });

  it('refuses oversized attachments with a clear message (413), in the form and in additional information', async () => {
    const small = await startTestApp({ GRC_MAX_UPLOAD_BYTES: '2000', GRC_QUEUE_PREFIX: `${prefix}-small`, GRC_PUBLIC_RATE_LIMIT: '1000' });
    try {
      let req = small.http.post('/api/v1/public/requests').set('X-Requested-With', 'grc');
      const description = `Trop gros ${Date.now()}`;
      for (const [k, v] of Object.entries(valid({ description }))) req = req.field(k, v);
      const res = await req.attach('files', Buffer.alloc(5000, 1), { filename: 'gros.pdf', contentType: 'application/pdf' });
      expect(res.status).toBe(413);
      expect(res.body.errors[0]).toMatchObject({ field: 'files', code: 'file.too_large' });
      expect(res.body.detail).toMatch(/taille maximale/);
      expect((await small.db.query(`SELECT count(*)::int AS n FROM tickets WHERE description = $1`, [description]))[0].n).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('rate-limits creations per IP (429 with Retry-After), counted before the body is read', async () => {
    const limited = await startTestApp({ GRC_PUBLIC_RATE_LIMIT: '2', GRC_QUEUE_PREFIX: `${prefix}-limit` });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        let req = limited.http.post('/api/v1/public/requests').set('X-Requested-With', 'grc');
        for (const [k, v] of Object.entries(valid())) req = req.field(k, v);
        const res = await req;
        statuses.push(res.status);
        if (res.status === 429) {
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
          expect(res.body.detail).toMatch(/Réessayez/);
        }
      }
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await limited.close();
    }
  });

  it('keeps rate-limiting creations with Redis unreachable (in-memory insurance, never fail open)', async () => {
    const limited = await startTestApp({ GRC_PUBLIC_RATE_LIMIT: '2', GRC_QUEUE_PREFIX: `${prefix}-limit-down` });
    try {
      const redis = limited.app.get<Redis>(REDIS);
      const ended = new Promise((resolve) => redis.once('end', resolve));
      redis.disconnect();
      await ended;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        let req = limited.http.post('/api/v1/public/requests').set('X-Requested-With', 'grc');
        for (const [k, v] of Object.entries(valid())) req = req.field(k, v);
        statuses.push((await req).status);
      }
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await limited.close();
    }
  });

  it('needs the X-Requested-With header like the console (no cross-site form posts)', async () => {
    await ctx.http.post('/api/v1/public/requests').field('categoryId', pothole).expect(403);
  });

  it('opens the tracking page with the right key only; a wrong key answers exactly like an unknown reference', async () => {
    const created = (await post(valid()).expect(201)).body;
    const ok = await track(created.reference, created.key).expect(200);
    expect(ok.body).toMatchObject({
      reference: created.reference,
      status: 'new',
      grouped: false,
      category: { nameFr: 'Trottoir dégradé', nameEn: 'Damaged pavement' },
      address: '12 rue des Tanneurs',
      messages: [],
      canAddInformation: true,
    });
    // lower case and spaces in the reference, the key in a header
    await ctx.http
      .get(`/api/v1/public/requests/${encodeURIComponent(created.reference.toLowerCase().replace(/-/g, ' '))}`)
      .set('X-Tracking-Key', created.key)
      .expect(200);

    const wrongKey = await track(
      created.reference,
      created.key.replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A')),
    ).expect(404);
    const unknownRef = await track('ZZ-2020-999999', created.key).expect(404);
    const noKey = await ctx.http.get(`/api/v1/public/requests/${created.reference}`).expect(404);
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect(strip(wrongKey.body)).toEqual(strip(unknownRef.body));
    expect(strip(noKey.body)).toEqual(strip(unknownRef.body));
    // another ticket's key does not open this one
    const other = (await post(valid()).expect(201)).body;
    await track(created.reference, other.key).expect(404);

    // agents' public replies are shown, internal notes are not
    const agent = await ctx.loginAs(ADMIN);
    const [t] = await ctx.db.query(`SELECT id, version FROM tickets WHERE reference = $1`, [created.reference]);
    const replied = await agent
      .post(`/api/v1/tickets/${t.id}/messages`)
      .send({ kind: 'reply', body: 'Nous intervenons jeudi.', version: t.version })
      .expect(201);
    await agent
      .post(`/api/v1/tickets/${t.id}/messages`)
      .send({ kind: 'note', body: 'Note interne secrète', version: replied.body.version })
      .expect(201);
    const after = await track(created.reference, created.key).expect(200);
    expect(after.body.status).toBe('open');
    expect(after.body.messages).toEqual([{ at: expect.any(String), kind: 'reply', body: 'Nous intervenons jeudi.' }]);
    expect(JSON.stringify(after.body)).not.toContain('secrète');
  });

  it('lets the citizen add information and files: an inbound event that reopens a resolved request; refused once closed', async () => {
    const created = (await post(valid()).expect(201)).body;
    const agent = await ctx.loginAs(ADMIN);
    const [t] = await ctx.db.query(`SELECT id, version FROM tickets WHERE reference = $1`, [created.reference]);
    const resolved = await agent.post(`/api/v1/tickets/${t.id}/status`).send({ status: 'resolved', version: t.version }).expect(201);
    expect((await track(created.reference, created.key)).body.status).toBe('resolved');

    const res = await ctx.http
      .post(`/api/v1/public/requests/${created.reference}/messages`)
      .set('X-Requested-With', 'grc')
      .field('k', created.key)
      .field('body', 'Le trou est revenu après la pluie.')
      .attach('files', PNG, { filename: 'apres.png', contentType: 'image/png' })
      .expect(200);
    expect(res.body.status).toBe('open');
    expect(res.body.messages.at(-1)).toMatchObject({ kind: 'inbound', body: 'Le trou est revenu après la pluie.' });
    expect(res.body.attachments).toEqual([{ filename: 'apres.png', size: PNG.length }]);
    const events = await ctx.db.query(
      `SELECT kind, actor_id, data FROM ticket_events WHERE ticket_id = $1 AND id > (SELECT max(id) FROM ticket_events WHERE ticket_id = $1 AND kind = 'status_changed' AND data->>'to' = 'resolved') ORDER BY id`,
      [t.id],
    );
    const mine = events.filter((e: { kind: string }) => !e.kind.startsWith('sla_')); // SLA clocks may add theirs
    expect(mine.map((e: { kind: string }) => e.kind)).toEqual(['attachment_added', 'inbound', 'status_changed']);
    expect(mine[2].data).toMatchObject({ from: 'resolved', to: 'open' });
    expect(mine.every((e: { actor_id: string | null }) => e.actor_id === null)).toBe(true);

    await ctx.http
      .post(`/api/v1/public/requests/${created.reference}/messages`)
      .set('X-Requested-With', 'grc')
      .field('k', created.key)
      .field('body', ' ')
      .expect(400);
    await ctx.http
      .post(`/api/v1/public/requests/${created.reference}/messages`)
      .set('X-Requested-With', 'grc')
      .field('k', 'wrong')
      .field('body', 'x')
      .expect(404);

    const [now] = await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [t.id]);
    await agent.post(`/api/v1/tickets/${t.id}/status`).send({ status: 'closed', version: now.version }).expect(201);
    const closed = await ctx.http
      .post(`/api/v1/public/requests/${created.reference}/messages`)
      .set('X-Requested-With', 'grc')
      .field('k', created.key)
      .field('body', 'Encore ?')
      .expect(409);
    expect(closed.body.errors[0].code).toBe('closed');
    expect((await track(created.reference, created.key)).body.canAddInformation).toBe(false);
    void resolved;
  });

  it('stores HTML and script in every text field verbatim and returns them as JSON text', async () => {
    const created = (
      await post(
        valid({
          description: HOSTILE,
          address: HOSTILE,
          firstName: HOSTILE.slice(0, 90),
          lastName: `<svg onload=alert(1)>`,
          attributes: JSON.stringify({ public_taille: 'petit' }),
        }),
      ).expect(201)
    ).body;
    const [t] = await ctx.db.query(
      `SELECT t.description, t.address, t.subject, z.first_name, z.last_name FROM tickets t JOIN citizens z ON z.id = t.citizen_id WHERE t.reference = $1`,
      [created.reference],
    );
    expect(t).toEqual({
      description: HOSTILE,
      address: HOSTILE,
      subject: HOSTILE,
      first_name: HOSTILE.slice(0, 90).trim().replace(/\s+/g, ' '),
      last_name: '<svg onload=alert(1)>',
    });
    const tracked = await track(created.reference, created.key)
      .expect(200)
      .expect('Content-Type', /application\/json/);
    expect(tracked.body.description).toBe(HOSTILE);
    const msg = await ctx.http
      .post(`/api/v1/public/requests/${created.reference}/messages`)
      .set('X-Requested-With', 'grc')
      .field('k', created.key)
      .field('body', HOSTILE)
      .expect(200);
    expect(msg.body.messages.at(-1).body).toBe(HOSTILE);
  });

  describe('tracking links expire after the request is finished', () => {
    const DAY = 86_400_000;
    /** resolves (or closes) the request through the console, then moves its dates back `days` days */
    const finish = async (reference: string, status: 'resolved' | 'closed', days: number) => {
      const agent = await ctx.loginAs(ADMIN);
      const [t] = await ctx.db.query(`SELECT id, version FROM tickets WHERE reference = $1`, [reference]);
      await agent.post(`/api/v1/tickets/${t.id}/status`).send({ status, comment: 'Terminé.', version: t.version }).expect(201);
      const at = new Date(Date.now() - days * DAY);
      await ctx.db.query(
        `UPDATE tickets SET resolved_at = CASE WHEN status = 'resolved' THEN $2::timestamptz END,
        closed_at = CASE WHEN status = 'closed' THEN $2::timestamptz END, updated_at = $2 WHERE id = $1`,
        [t.id, at],
      );
      return t.id as string;
    };

    it('works while open, however old, and until 90 days (default) after the resolution; then 410 with the right key only', async () => {
      const created = (await post(valid()).expect(201)).body;
      const [t] = await ctx.db.query(`SELECT id FROM tickets WHERE reference = $1`, [created.reference]);
      await ctx.db.query(
        `UPDATE tickets SET created_at = now() - interval '3 years', updated_at = now() - interval '3 years' WHERE id = $1`,
        [t.id],
      );
      expect((await track(created.reference, created.key).expect(200)).body.linkExpiresAt).toBeNull();

      await finish(created.reference, 'resolved', 89);
      const stillOpen = await track(created.reference, created.key).expect(200);
      const expiresAt = new Date(stillOpen.body.linkExpiresAt).getTime();
      expect(Math.abs(expiresAt - (Date.now() + DAY))).toBeLessThan(60_000);

      await ctx.db.query(`UPDATE tickets SET resolved_at = now() - interval '91 days' WHERE id = $1`, [t.id]);
      const gone = await track(created.reference, created.key)
        .expect(410)
        .expect('Content-Type', /application\/problem\+json/);
      expect(gone.body).toMatchObject({ type: 'urn:grc:problem:tracking-expired', status: 410, title: 'Lien de suivi expiré' });
      expect(gone.body.detail).toContain(created.reference);
      expect(gone.body.detail).toContain('90 jours');
      expect(gone.body.detail).toMatch(/contactez la mairie/);
      expect(gone.body.detail).toMatch(/nouvelle demande/);
      expect(JSON.stringify(gone.body)).not.toContain(created.key); // nor in `instance` (the path only)
      expect(gone.headers['cache-control']).toBe('no-store'); // a browser must not replay it for another key
      // without the right key nothing is said: the same 404 as an unknown reference (no enumeration of finished requests)
      const wrong = await track(created.reference, 'A'.repeat(43)).expect(404);
      const unknown = await track('ZZ-2020-999999', 'A'.repeat(43)).expect(404);
      expect({ ...wrong.body, instance: undefined }).toEqual({ ...unknown.body, instance: undefined });
      // nor can the expired link add information (and reopen the request)
      await ctx.http
        .post(`/api/v1/public/requests/${created.reference}/messages`)
        .set('X-Requested-With', 'grc')
        .field('k', created.key)
        .field('body', 'Toujours là ?')
        .expect(410);
      expect((await ctx.db.query(`SELECT status FROM tickets WHERE id = $1`, [t.id]))[0].status).toBe('resolved');
      expect(
        (await ctx.db.query(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1 AND kind = 'inbound'`, [t.id]))[0].n,
      ).toBe(0);

      // reopened by the town: its links work again
      const agent = await ctx.loginAs(ADMIN);
      const [{ version }] = await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [t.id]);
      await agent.post(`/api/v1/tickets/${t.id}/status`).send({ status: 'open', version }).expect(201);
      expect((await track(created.reference, created.key).expect(200)).body.linkExpiresAt).toBeNull();
    });

    it('counts from the closing when a request was closed without being resolved', async () => {
      const a = (await post(valid()).expect(201)).body;
      await finish(a.reference, 'closed', 91);
      await track(a.reference, a.key).expect(410);
      const b = (await post(valid()).expect(201)).body;
      await finish(b.reference, 'closed', 30);
      expect((await track(b.reference, b.key).expect(200)).body.canAddInformation).toBe(false);
    });

    it('GRC_TRACKING_TTL_DAYS sets the delay; 0 keeps links working forever', async () => {
      const short = (await post(valid()).expect(201)).body;
      await finish(short.reference, 'resolved', 8);
      await track(short.reference, short.key).expect(200); // 8 < 90 days here
      for (const [ttl, expected] of [
        ['7', 410],
        ['0', 200],
        ['9', 200],
      ] as const) {
        const other = await startTestApp({ GRC_QUEUE_PREFIX: `${prefix}-ttl${ttl}`, GRC_TRACKING_TTL_DAYS: ttl });
        try {
          await other.http.get(`/api/v1/public/requests/${short.reference}`).query({ k: short.key }).expect(expected);
        } finally {
          await other.close();
        }
      }
    });
  });

  it('TrackingService.issueLink adds a key (earlier links keep working) on PUBLIC_URL', async () => {
    const created = (await post(valid()).expect(201)).body;
    const [t] = await ctx.db.query(`SELECT id FROM tickets WHERE reference = $1`, [created.reference]);
    const link = await ctx.db.transaction((m) => ctx.app.get(TrackingService).issueLink(m, t.id));
    const url = new URL(link);
    expect(url.origin).toBe('https://grc.example.fr');
    expect(url.pathname).toBe('/suivi');
    expect(url.searchParams.get('ref')).toBe(created.reference);
    await track(created.reference, url.searchParams.get('k')!).expect(200);
    await track(created.reference, created.key).expect(200);
  });
});
