import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { TicketDetail } from '@grc/domain';
import { PERSONAL_DATA } from '@grc/domain';
import { GRC_CONFIG, type GrcConfig } from '../src/config/config';
import { ADMIN, FRONT_DESK_AGENT, ids, VOIRIE_AGENT, VOIRIE_HEAD } from './support/demo';
import { PNG } from './support/files';
import { pdfText } from './support/pdf-text';
import { startTestApp, type TestContext } from './support/test-app';

type Client = Awaited<ReturnType<TestContext['loginAs']>>;

const binary = (req: ReturnType<Client['get']>) =>
  req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

interface ExportData {
  format: string;
  citizenId: string;
  dpo: { email: string | null } | null;
  tables: Array<{ table: string; rows: Array<Record<string, unknown>> }>;
  files: Array<{ attachmentId: string; path: string | null; sha256: string; missing: boolean }>;
}

describe('citizen rights: the information notice (art. 13) and its settings', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  const body = {
    controllerName: 'Commune de Saint-Aubin, représentée par son maire',
    controllerAddress: '1 place de la Mairie, 37000 Saint-Aubin',
    controllerEmail: 'mairie@saint-aubin.fr',
    dpoName: 'Centre de gestion d’Indre-et-Loire',
    dpoEmail: 'dpo@cdg37.example',
    dpoAddress: null,
    purposes: ['handle_requests', 'statistics'],
    legalBasis: 'public_task',
    authorityName: 'CNIL',
    authorityAddress: '3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07',
    authorityUrl: 'https://www.cnil.fr/fr/plaintes',
  };

  it('gives the public a notice as data: the pack’s privacy.yaml before the town saves, its settings after, rights by legal basis', async () => {
    const before = (await ctx.http.get('/api/v1/public/privacy-notice').expect(200)).body;
    expect(before).toEqual(
      expect.objectContaining({
        townName: 'Ville de Saint-Aubin-sur-Loire',
        controller: expect.objectContaining({ name: 'Ville de Saint-Aubin-sur-Loire, représentée par son maire' }),
        dpo: expect.objectContaining({ email: 'dpo@saint-aubin.fr' }),
        authority: expect.objectContaining({ name: 'CNIL' }),
        // the demo pack's retention rules (retention.yaml), per category
        retention: expect.arrayContaining([
          expect.objectContaining({ categoryCode: 'nid-de-poule', months: 24, outcome: 'anonymise' }),
          expect.objectContaining({ categoryCode: 'acte-naissance', months: 12, outcome: 'delete' }),
        ]),
      }),
    );
    const admin = await ctx.loginAs(ADMIN);
    const current = (await admin.get('/api/v1/privacy-settings').expect(200)).body;
    // loaded from packs/demo-town/privacy.yaml
    expect(current).toEqual(expect.objectContaining({ dpoEmail: 'dpo@saint-aubin.fr', legalBasis: 'public_task' }));
    const saved = (
      await admin
        .put('/api/v1/privacy-settings')
        .send({ ...body, version: current.version })
        .expect(200)
    ).body;
    expect(saved).toEqual(expect.objectContaining({ ...body, version: current.version + 1 }));
    const after = (await ctx.http.get('/api/v1/public/privacy-notice').expect(200)).body;
    expect(after).toEqual(
      expect.objectContaining({
        controller: { name: body.controllerName, address: body.controllerAddress, email: body.controllerEmail },
        dpo: { name: body.dpoName, email: body.dpoEmail, address: null },
        purposes: ['handle_requests', 'statistics'],
        legalBasis: 'public_task',
        rights: ['access', 'rectification', 'erasure', 'restriction', 'objection'],
        recipients: ['town_departments'],
      }),
    );
    const [audit] = await ctx.db.query(
      `SELECT actor_label, changes FROM audit_events WHERE action = 'privacy.settings.update' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.actor_label).toBe(ADMIN);
    expect(audit.changes.dpoEmail).toEqual({ before: 'dpo@saint-aubin.fr', after: body.dpoEmail });
  });

  it('refuses a stale version, a bad field (named) and agents without rgpd', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const { version } = (await admin.get('/api/v1/privacy-settings').expect(200)).body;
    const stale = await admin.put('/api/v1/privacy-settings').send({ ...body, version: version + 5 });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]).toEqual(expect.objectContaining({ field: 'version', code: 'stale_version' }));
    const bad = await admin.put('/api/v1/privacy-settings').send({ ...body, dpoEmail: 'pas-une-adresse', version });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'dpoEmail', code: 'isEmail' })]);
    const blank = await admin.put('/api/v1/privacy-settings').send({ ...body, controllerName: '  ', version });
    expect(blank.body.errors).toEqual([expect.objectContaining({ field: 'controllerName', code: 'required' })]);
    const wrongPurpose = await admin.put('/api/v1/privacy-settings').send({ ...body, purposes: ['marketing'], version });
    expect(wrongPurpose.status).toBe(400);
    const agent = await ctx.loginAs(VOIRIE_HEAD);
    expect((await agent.get('/api/v1/privacy-settings')).status).toBe(403);
    expect((await agent.put('/api/v1/privacy-settings').send({ ...body, version })).status).toBe(403);
    expect((await admin.get('/api/v1/privacy-settings').expect(200)).body.version).toBe(version);
  });
});

describe('citizen rights: the right of access (archive and letter, art. 15)', () => {
  let ctx: TestContext;
  let admin: Client;
  let ticket: TicketDetail;
  let citizenId: string;
  const email = 'leon.berthier@citoyens.example';

  beforeAll(async () => {
    ctx = await startTestApp({ MAIL_INTAKE_TICK_MS: '0' });
    admin = await ctx.loginAs(ADMIN);
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const d = await ids(ctx.db);
    ticket = (
      await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await d.category('nid-de-poule'),
          subject: 'Trou devant le 4 rue des Tilleuls',
          description: 'Un trou profond devant chez moi, signalé par téléphone.',
          newCitizen: {
            kind: 'resident',
            firstName: 'Léon',
            lastName: 'Berthier',
            organisationName: null,
            contactPerson: null,
            email,
            phone: null,
            address: '4 rue des Tilleuls',
            postcode: '37000',
            city: 'Saint-Aubin',
            preferredChannel: 'email',
          },
        })
        .expect(201)
    ).body;
    citizenId = ticket.citizen!.id;
    ticket = (
      await agent
        .post(`/api/v1/tickets/${ticket.id}/attachments`)
        .field('version', String(ticket.version))
        .attach('file', PNG, { filename: 'photo du trou.png', contentType: 'image/png' })
        .expect(201)
    ).body;
    ticket = (
      await agent
        .post(`/api/v1/tickets/${ticket.id}/messages`)
        .send({ version: ticket.version, kind: 'reply', body: 'Une équipe passera jeudi.' })
        .expect(201)
    ).body;
    // an e-mail from the person, imported by the intake (the row the intake writes for a reply)
    await ctx.db.query(`INSERT INTO mail_imported (message_key, outcome, ticket_id, reason) VALUES ($1, 'reply', $2, NULL)`, [
      '<reponse-leon@citoyens.example>',
      ticket.id,
    ]);
    await agent.get(`/api/v1/citizens/${citizenId}`).expect(200);
    await admin
      .put('/api/v1/privacy-settings')
      .send({
        controllerName: 'Commune de Saint-Aubin',
        controllerAddress: '1 place de la Mairie, 37000 Saint-Aubin',
        controllerEmail: 'mairie@saint-aubin.fr',
        dpoName: 'Agnès Roussel',
        dpoEmail: 'dpo@saint-aubin.fr',
        dpoAddress: null,
        purposes: ['handle_requests', 'inform_requester', 'statistics'],
        legalBasis: 'public_task',
        authorityName: 'CNIL',
        authorityAddress: '3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07',
        authorityUrl: 'https://www.cnil.fr/fr/plaintes',
        version: (await admin.get('/api/v1/privacy-settings').expect(200)).body.version,
      })
      .expect(200);
  });
  afterAll(() => ctx.close());

  it('produces a zip of every registry table, with the attachment byte for byte and the letter', async () => {
    const res = await binary(admin.get(`/api/v1/citizens/${citizenId}/access-export`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['cache-control']).toContain('no-store');
    const files = unzipSync(new Uint8Array(res.body as Buffer));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['LISEZ-MOI.txt', 'donnees.json', 'lettre-article-15.pdf']));
    const data = JSON.parse(Buffer.from(files['donnees.json']!).toString('utf8')) as ExportData;
    expect(data.citizenId).toBe(citizenId);
    expect(data.dpo?.email).toBe('dpo@saint-aubin.fr');
    // driven by the registry: every table marked exported is there, in its order
    expect(data.tables.map((t) => t.table)).toEqual(PERSONAL_DATA.filter((t) => t.exported).map((t) => t.table));
    const rows = (table: string) => data.tables.find((t) => t.table === table)!.rows;
    expect(rows('citizens')).toEqual([expect.objectContaining({ id: citizenId, first_name: 'Léon', last_name: 'Berthier', email })]);
    expect(rows('tickets')).toEqual([expect.objectContaining({ id: ticket.id, reference: ticket.reference })]);
    expect(rows('tickets')[0]).not.toHaveProperty('search_vector');
    expect(rows('ticket_events').map((e) => e['kind'])).toEqual(expect.arrayContaining(['created', 'attachment_added']));
    expect(rows('ticket_events').some((e) => e['body'] === 'Une équipe passera jeudi.')).toBe(true);
    expect(rows('mail_outbox').length).toBeGreaterThan(0);
    expect(rows('mail_outbox').every((o) => o['to_address'] === email && !('sealed_link' in o))).toBe(true);
    expect(rows('mail_imported')).toEqual([expect.objectContaining({ message_key: '<reponse-leon@citoyens.example>', outcome: 'reply' })]);
    // who read the file: the voirie agent's read of the citizen, without the agent's IP address
    const reads = rows('audit_events').filter((e) => e['action'] === 'citizen.read');
    expect(reads).toEqual([expect.objectContaining({ actor_label: VOIRIE_AGENT, entity_id: citizenId })]);
    expect(reads[0]!['ip']).toBeNull();
    expect(rows('audit_events').some((e) => e['action'] === 'ticket.create' || e['entity_type'] === 'ticket')).toBe(true);
    // the attachment, byte for byte, without its storage path
    expect(rows('attachments')[0]).not.toHaveProperty('storage_key');
    expect(data.files).toHaveLength(1);
    const [file] = data.files;
    expect(file!.missing).toBe(false);
    expect(Buffer.compare(Buffer.from(files[file!.path!]!), PNG)).toBe(0);
    expect(file!.path).toMatch(new RegExp(`^pieces-jointes/${ticket.reference}/[0-9a-f]{8}-photo du trou\\.png$`));
    expect(await pdfText(Buffer.from(files['lettre-article-15.pdf']!))).toContain('article 15');
  });

  it('writes a French letter with the facts: the person, the request, the reader, the DPO and the CNIL', async () => {
    const res = await binary(admin.get(`/api/v1/citizens/${citizenId}/access-letter`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(res.body as Buffer);
    for (const fact of [
      'Commune de Saint-Aubin',
      'Ville de Saint-Aubin-sur-Loire, le',
      'Léon Berthier',
      '4 rue des Tilleuls',
      'article 15 du RGPD',
      email,
      ticket.reference,
      'Nid-de-poule',
      '1 pièce(s) jointe(s)',
      VOIRIE_AGENT,
      'consultation de votre fiche',
      'dpo@saint-aubin.fr',
      'CNIL',
      'mission d’intérêt public',
    ]) {
      expect(text).toContain(fact);
    }
  });

  it('audits each production, in the archive or letter format', async () => {
    const audits = await ctx.db.query(
      `SELECT actor_label, changes FROM audit_events WHERE action = 'citizen.access_export' AND entity_type = 'citizen' AND entity_id = $1 ORDER BY id`,
      [citizenId],
    );
    expect(audits.map((a: { changes: { format: { after: string } } }) => a.changes.format.after)).toEqual(['zip', 'pdf']);
    expect(audits[0]).toEqual({
      actor_label: ADMIN,
      changes: { format: { before: null, after: 'zip' }, requests: { before: null, after: 1 }, files: { before: null, after: 1 } },
    });
  });

  it('is refused to roles without the rgpd permission, and answers 404 for an unknown person', async () => {
    for (const who of [VOIRIE_AGENT, VOIRIE_HEAD, FRONT_DESK_AGENT]) {
      const client = await ctx.as(who);
      expect((await client.get(`/api/v1/citizens/${citizenId}/access-export`)).status).toBe(403);
      expect((await client.get(`/api/v1/citizens/${citizenId}/access-letter`)).status).toBe(403);
    }
    const unknown = await admin.get('/api/v1/citizens/00000000-0000-4000-8000-000000000000/access-export');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect((await admin.get('/api/v1/citizens/not-an-id/access-letter')).status).toBe(404);
    const [{ n }] = await ctx.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'citizen.access_export' AND entity_id = '00000000-0000-4000-8000-000000000000'`,
    );
    expect(n).toBe(0);
  });

  it('says which files are missing on the server instead of failing the archive', async () => {
    const [a] = await ctx.db.query(`SELECT storage_key FROM attachments WHERE ticket_id = $1`, [ticket.id]);
    await rm(join(ctx.app.get<GrcConfig>(GRC_CONFIG).dataDir, a.storage_key));
    const res = await binary(admin.get(`/api/v1/citizens/${citizenId}/access-export`)).expect(200);
    const files = unzipSync(new Uint8Array(res.body as Buffer));
    const data = JSON.parse(Buffer.from(files['donnees.json']!).toString('utf8')) as ExportData;
    expect(data.files).toEqual([expect.objectContaining({ missing: true, path: null })]);
    expect(Object.keys(files).filter((f) => f.startsWith('pieces-jointes/'))).toEqual([]);
  });
});

describe('citizen rights: erasure (anonymisation engine) and merge', () => {
  let ctx: TestContext;
  let admin: Client;
  let categoryId: string;
  let n = 0;
  const person = (extra: Record<string, unknown>) => ({
    kind: 'resident',
    firstName: 'Odile',
    lastName: `Vasseur${++n}`,
    organisationName: null,
    contactPerson: null,
    email: null,
    phone: null,
    address: null,
    postcode: null,
    city: null,
    preferredChannel: null,
    ...extra,
  });
  const ticketFor = async (newCitizen: Record<string, unknown> | null, citizenId?: string): Promise<TicketDetail> =>
    (
      await admin
        .post('/api/v1/tickets')
        .send({
          channel: 'counter',
          categoryId,
          subject: 'Lampadaire éteint',
          description: `Signalé par ${String(newCitizen?.['lastName'] ?? 'la personne')} au guichet.`,
          ...(citizenId ? { citizenId } : { newCitizen }),
        })
        .expect(201)
    ).body;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = await ctx.loginAs(ADMIN);
    categoryId = await (await ids(ctx.db)).category('nid-de-poule');
  });
  afterAll(() => ctx.close());

  it('asks a reason always, refuses while a request is open (409, clear code) unless forced, and is rgpd only', async () => {
    const email = `odile.open${n}@citoyens.example`;
    const t = await ticketFor(person({ email }));
    const id = t.citizen!.id;
    const noGround = await admin.post(`/api/v1/citizens/${id}/erase`).send({});
    expect(noGround.status).toBe(400);
    expect(noGround.body.errors[0]).toEqual(expect.objectContaining({ field: 'reason' }));
    const refused = await admin.post(`/api/v1/citizens/${id}/erase`).send({ reason: 'Demande écrite du 2 décembre' });
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0]).toEqual(expect.objectContaining({ code: 'erasure.open_requests', params: { count: 1 } }));
    expect(refused.body.detail).toContain(t.reference);
    const noReason = await admin.post(`/api/v1/citizens/${id}/erase`).send({ force: true, reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('reason');
    expect((await (await ctx.as(VOIRIE_HEAD)).post(`/api/v1/citizens/${id}/erase`).send({ force: true, reason: 'x' })).status).toBe(403);
    expect((await admin.post('/api/v1/citizens/00000000-0000-4000-8000-000000000000/erase').send({ reason: 'x' })).status).toBe(404);
    const [z] = await ctx.db.query(`SELECT email FROM citizens WHERE id = $1`, [id]);
    expect(z.email).toBe(email);
  });

  it('forced with a reason: the person is gone from the record and the request, which stays (its category’s rule anonymises: kept anonymised), audited', async () => {
    const email = `odile.force${n}@citoyens.example`;
    const t = await ticketFor(person({ email, phone: '+33612121212' }));
    const id = t.citizen!.id;
    const [{ last_name }] = await ctx.db.query(`SELECT last_name FROM citizens WHERE id = $1`, [id]);
    const res = await admin.post(`/api/v1/citizens/${id}/erase`).send({ force: true, reason: 'Demande écrite du 2 décembre' }).expect(200);
    expect(res.body).toEqual({
      citizenId: id,
      requests: [{ id: t.id, reference: t.reference, outcome: 'anonymised', reason: 'retention_keeps' }],
      forcedOpen: 1,
    });
    const [z] = await ctx.db.query(`SELECT first_name, last_name, email, phone FROM citizens WHERE id = $1`, [id]);
    expect(z).toEqual({ first_name: null, last_name: null, email: null, phone: null });
    const [tk] = await ctx.db.query(`SELECT citizen_id, description, anonymised_at FROM tickets WHERE id = $1`, [t.id]);
    expect(tk.citizen_id).toBeNull();
    expect(tk.anonymised_at).not.toBeNull();
    expect(tk.description).not.toContain(last_name);
    const [audit] = await ctx.db.query(`SELECT actor_label, changes FROM audit_events WHERE action = 'citizen.erase' AND entity_id = $1`, [
      id,
    ]);
    expect(audit.actor_label).toBe(ADMIN);
    expect(audit.changes).toEqual(
      expect.objectContaining({ forced: { before: null, after: 1 }, reason: { before: null, after: 'Demande écrite du 2 décembre' } }),
    );
  });

  it('deletes the requests of a category whose retention rule deletes, and says why', async () => {
    // the demo pack's rule for this category anonymises: made to delete for this test, then put back
    const [kept] = await ctx.db.query(`SELECT months, action FROM retention_rules WHERE category_id = $1`, [categoryId]);
    await ctx.db.query(
      `INSERT INTO retention_rules (category_id, months, action) VALUES ($1, 24, 'delete')
       ON CONFLICT (category_id) DO UPDATE SET months = EXCLUDED.months, action = EXCLUDED.action`,
      [categoryId],
    );
    try {
      const t = await ticketFor(person({ email: `odile.del${n}@citoyens.example` }));
      const res = await admin.post(`/api/v1/citizens/${t.citizen!.id}/erase`).send({ force: true, reason: 'Demande' }).expect(200);
      expect(res.body.requests).toEqual([{ id: t.id, reference: t.reference, outcome: 'deleted', reason: 'retention_deletes' }]);
      expect(await ctx.db.query(`SELECT id FROM tickets WHERE id = $1`, [t.id])).toEqual([]);
    } finally {
      if (kept)
        await ctx.db.query(`UPDATE retention_rules SET months = $2, action = $3 WHERE category_id = $1`, [
          categoryId,
          kept.months,
          kept.action,
        ]);
      else await ctx.db.query(`DELETE FROM retention_rules WHERE category_id = $1`, [categoryId]);
    }
  });

  it('merges a record from e-mail and one from the counter: requests moved, contacts combined, the other deleted, both audited', async () => {
    const fromEmail = await ticketFor(person({ lastName: 'Marchetti', email: 'l.marchetti@citoyens.example', firstName: null }));
    const fromCounter = await ticketFor(
      person({
        lastName: 'Marchetti',
        firstName: 'Lucia',
        phone: '+33698765432',
        address: '8 quai de Loire',
        postcode: '37000',
        city: 'Saint-Aubin',
      }),
    );
    const keptId = fromEmail.citizen!.id;
    const otherId = fromCounter.citizen!.id;
    const kept = (await admin.get(`/api/v1/citizens/${keptId}`).expect(200)).body;
    const other = (await admin.get(`/api/v1/citizens/${otherId}`).expect(200)).body;
    const REASON = 'Même personne : même nom, même téléphone';
    const noReason = await admin
      .post(`/api/v1/citizens/${keptId}/merge`)
      .send({ otherId, version: kept.version, otherVersion: other.version, reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0]).toEqual(expect.objectContaining({ field: 'reason', code: 'merge.reason_required' }));
    expect(
      (
        await admin
          .post(`/api/v1/citizens/${keptId}/merge`)
          .send({ otherId: keptId, version: kept.version, otherVersion: kept.version, reason: REASON })
      ).status,
    ).toBe(400);
    const stale = await admin
      .post(`/api/v1/citizens/${keptId}/merge`)
      .send({ otherId, version: kept.version, otherVersion: other.version + 1, reason: REASON });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0].field).toBe('otherVersion');
    expect(
      (
        await (
          await ctx.as(FRONT_DESK_AGENT)
        )
          .post(`/api/v1/citizens/${keptId}/merge`)
          .send({ otherId, version: kept.version, otherVersion: other.version, reason: REASON })
      ).status,
    ).toBe(403);

    const res = await admin
      .post(`/api/v1/citizens/${keptId}/merge`)
      .send({ otherId, version: kept.version, otherVersion: other.version, reason: REASON })
      .expect(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        mergedId: otherId,
        movedRequests: 1,
        filled: ['firstName', 'phone', 'address', 'postcode', 'city'],
        conflicts: [],
      }),
    );
    expect(res.body.citizen).toEqual(
      expect.objectContaining({
        id: keptId,
        firstName: 'Lucia',
        email: 'l.marchetti@citoyens.example',
        phone: '+33698765432',
        city: 'Saint-Aubin',
      }),
    );
    expect((await admin.get(`/api/v1/citizens/${otherId}`)).status).toBe(404);
    const history = (await admin.get(`/api/v1/citizens/${keptId}/tickets`).expect(200)).body.map((t: { id: string }) => t.id).sort();
    expect(history).toEqual([fromEmail.id, fromCounter.id].sort());
    // the moved request changed through the one write path: version bumped, audited
    const moved = (await admin.get(`/api/v1/tickets/${fromCounter.id}`).expect(200)).body;
    expect(moved.version).toBe(fromCounter.version + 1);
    const [ticketAudit] = await ctx.db.query(
      `SELECT changes FROM audit_events WHERE action = 'ticket.requester_merge' AND entity_id = $1`,
      [fromCounter.id],
    );
    expect(ticketAudit.changes.citizenId).toEqual({ before: otherId, after: keptId });
    // both histories kept: the other record's trail stays under its id, with the merge
    const trail = await ctx.db.query(`SELECT action FROM audit_events WHERE entity_type = 'citizen' AND entity_id = $1 ORDER BY id`, [
      otherId,
    ]);
    expect(trail.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['citizen.create', 'citizen.merge']));
    const [merge] = await ctx.db.query(`SELECT changes FROM audit_events WHERE action = 'citizen.merge' AND entity_id = $1`, [keptId]);
    expect(merge.changes.mergedFrom).toEqual({ before: null, after: otherId });
    expect(merge.changes.reason).toEqual({ before: null, after: 'Même personne : même nom, même téléphone' });
  });
});
