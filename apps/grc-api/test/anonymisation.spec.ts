import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnonymisationService } from '../src/modules/anonymisation/anonymisation.service';
import type { AuditActor } from '../src/modules/audit/audit.service';
import { MailIntakeService, type MailboxRow } from '../src/modules/mail/intake.service';
import { ADMIN, VOIRIE_AGENT, ids } from './support/demo';
import { PDF, PNG } from './support/files';
import { startTestApp, type TestContext } from './support/test-app';

/**
 * The proof (issue 10): a requester who used every channel — public form, e-mail, Open311, agent entry with notes,
 * replies, attachments, a circuit's comments, notifications — is anonymised; then a generic scan of every text,
 * varchar, jsonb, bytea… column of every table finds neither their name, nor their e-mail, nor their phone, their
 * files are gone from the disk, and the reporting figures are the same as before.
 */
const FIRST = 'Zéphyrine';
const LAST = 'Quenouille-Bartók';
const EMAIL = 'zephyrine.quenouille@exemple-rgpd.fr';
const PHONE = '06 47 38 29 10';
/** what is searched: lower case, accents removed (name stems too: the full-text vectors keep stems) */
const NEEDLES = ['zephyrin', 'quenouill', 'bartok', EMAIL, '0647382910', '647382910', '06 47 38 29 10', '06.47.38.29.10'];
const SYSTEM: AuditActor = { actorId: null, actorLabel: 'system:retention', ip: null };

describe('anonymisation: no trace of the person in any table, figures unchanged', () => {
  let ctx: TestContext;
  let dataDir: string;
  let citizenId: string;
  const ticketIds: string[] = [];

  const figures = async () => ({
    tickets: await ctx.db.query(
      `SELECT c.code AS category, d.code AS department, t.status, t.channel, count(*)::int AS n,
         round(sum(extract(epoch FROM t.closed_at - t.created_at)))::bigint AS closing_seconds,
         round(sum(extract(epoch FROM t.resolved_at - t.created_at)))::bigint AS resolving_seconds,
         count(*) FILTER (WHERE t.sla_breached)::int AS breached, count(t.latitude)::int AS located
       FROM tickets t JOIN categories c ON c.id = t.category_id JOIN departments d ON d.id = t.department_id
       GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    ),
    sla: await ctx.db.query(
      `SELECT target, status, breached, count(*)::int AS n, count(deadline)::int AS deadlines FROM ticket_sla GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    ),
    history: await ctx.db.query(
      `SELECT kind, CASE WHEN kind LIKE '%_changed' THEN data->>'from' END AS from_status,
         CASE WHEN kind LIKE '%_changed' THEN data->>'to' END AS to_status, count(*)::int AS n FROM ticket_events
       WHERE kind <> 'anonymised' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    ),
  });

  /** Every (table, column) of the schema whose values are text somehow, and the rows where a needle appears. */
  const scan = async () => {
    const columns: Array<{ table_name: string; column_name: string; data_type: string }> = await ctx.db.query(
      `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
       WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'bytea', 'tsvector', 'ARRAY', 'USER-DEFINED')`,
    );
    const hits: string[] = [];
    for (const c of columns) {
      const value = c.data_type === 'bytea' ? `convert_from("${c.column_name}", 'SQL_ASCII')` : `"${c.column_name}"::text`;
      const [r] = await ctx.db.query(
        `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE ${NEEDLES.map((_, i) => `lower(grc_unaccent(${value})) LIKE '%' || $${i + 1} || '%'`).join(' OR ')}`,
        NEEDLES,
      );
      if (r.n > 0) hits.push(`${c.table_name}.${c.column_name}: ${r.n}`);
    }
    return { hits, columns: columns.length };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'grc-anon-'));
    ctx = await startTestApp({ GRC_DATA_DIR: dataDir, GRC_PUBLIC_RATE_LIMIT: '1000' });
    const d = await ids(ctx.db);

    // 1. the public form, with a photo
    const pub = await ctx.http
      .post('/api/v1/public/requests')
      .set('X-Requested-With', 'grc')
      .field('categoryId', await d.category('nid-de-poule'))
      .field('description', `Trou devant chez moi. ${FIRST} ${LAST}, joignable au ${PHONE} ou ${EMAIL}`)
      .field('address', '7 impasse des Quenouilles')
      .field('latitude', '47.39417')
      .field('longitude', '0.68483')
      .field('firstName', FIRST)
      .field('lastName', LAST)
      .field('email', EMAIL)
      .field('phone', PHONE)
      .attach('files', PNG, { filename: `photo-${LAST}.png`, contentType: 'image/png' })
      .expect(201);
    const [pubTicket] = await ctx.db.query(`SELECT id, citizen_id FROM tickets WHERE reference = $1`, [pub.body.reference]);
    citizenId = pubTicket.citizen_id;
    ticketIds.push(pubTicket.id);

    // 2. an e-mail, with a PDF, signed
    const admin = await ctx.loginAs(ADMIN);
    const box = await admin
      .post('/api/v1/mail/mailboxes')
      .send({
        name: 'Anonymisation',
        host: '127.0.0.1',
        port: 1,
        secure: false,
        username: 'anon@saint-aubin.test',
        password: 'x',
        folder: 'INBOX',
        categoryId: await d.category('nid-de-poule'),
        pollIntervalSeconds: 60,
        active: false,
      })
      .expect(201);
    const [mailbox] = (await ctx.db.query(`SELECT * FROM mail_mailboxes WHERE id = $1`, [box.body.id])) as MailboxRow[];
    const b = 'grc-anon-boundary';
    const raw = [
      `From: ${FIRST} ${LAST} <${EMAIL}>`,
      'To: mairie@saint-aubin.test',
      `Subject: Lampadaire éteint - ${LAST}`,
      `Message-ID: <anon-${Date.now()}@mail.example>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      `Bonjour, le lampadaire est éteint.\r\nCordialement, ${FIRST} ${LAST.toUpperCase()}\r\nTél. ${PHONE}`,
      `--${b}`,
      `Content-Type: application/pdf; name="courrier-${LAST}.pdf"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="courrier-quenouille.pdf"`,
      '',
      PDF.toString('base64'),
      `--${b}--`,
      '',
    ].join('\r\n');
    const outcome = await ctx.app.get(MailIntakeService).importMessage(mailbox, null, Buffer.from(raw, 'utf8'));
    expect(outcome.outcome).toBe('ticket');
    ticketIds.push((outcome as { ticketId: string }).ticketId);

    // 3. Open311
    const key = (await admin.post('/api/v1/open311-keys').send({ name: 'Appli anonymisation' }).expect(201)).body.key;
    const town = (await ctx.db.query(`SELECT code FROM town_settings`))[0].code;
    const o = await ctx.http
      .post('/open311/v2/requests.json')
      .type('form')
      .send(
        new URLSearchParams({
          api_key: key,
          jurisdiction_id: town,
          // a category with a free-text field (packs/demo-town): its value names her too (tickets.attributes, redact-json)
          service_code: 'lampadaire-en-panne',
          'attribute[numero_candelabre]': `poteau devant chez ${FIRST} ${LAST}`,
          lat: '47.3952',
          long: '0.6861',
          address_string: '7 impasse des Quenouilles',
          description: `Signalé par ${FIRST} (${EMAIL})`,
          first_name: FIRST,
          last_name: LAST,
          email: EMAIL,
          phone: PHONE,
          device_id: `iphone-de-${FIRST}`,
          account_id: `compte-${EMAIL}`,
          media_url: `https://photos.example/${LAST}.jpg`,
        }).toString(),
      )
      .expect(200);
    const [o311] = await ctx.db.query(`SELECT ticket_id FROM open311_requests WHERE token = $1`, [
      o.body[0].token ?? o.body[0].service_request_id,
    ]);
    if (o311) ticketIds.push(o311.ticket_id);
    else ticketIds.push((await ctx.db.query(`SELECT id FROM tickets WHERE reference = $1`, [o.body[0].service_request_id]))[0].id);

    // 4. agent entry with a note, a reply (an e-mail to the citizen) and an attachment
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    let t = (
      await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await d.category('nid-de-poule'),
          subject: `Appel de Mme ${LAST}`,
          description: `Mme ${FIRST} ${LAST} rappelle au ${PHONE.replace(/ /g, '.')}`,
          citizenId,
          latitude: 47.39387,
          longitude: 0.68561,
          address: '7 impasse des Quenouilles',
        })
        .expect(201)
    ).body;
    ticketIds.push(t.id);
    t = (
      await agent
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ kind: 'note', body: `Mme Quenouille très remontée, ${EMAIL}`, version: t.version })
        .expect(201)
    ).body;
    t = (
      await agent
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ kind: 'reply', body: `Bonjour Madame ${LAST}, une équipe passe demain.`, version: t.version })
        .expect(201)
    ).body;
    await agent
      .post(`/api/v1/tickets/${t.id}/attachments`)
      .field('version', String(t.version))
      .attach('file', PDF, { filename: `plan-${LAST}.pdf`, contentType: 'application/pdf' })
      .expect(201);

    // 5. a circuit's comments and a notification that name her (written as the engine and the SLA write them)
    const [def] = await ctx.db.query(`SELECT code, version FROM workflow_definitions ORDER BY code LIMIT 1`);
    await ctx.db.query(
      `INSERT INTO ticket_workflows (ticket_id, definition_code, version, state, status, step_id, step_kind)
       VALUES ($1, $2, $3, $4, 'completed', 'fin', 'end')`,
      [
        t.id,
        def.code,
        def.version,
        JSON.stringify({ comments: [{ step: 'avis', body: `Vu avec ${FIRST} ${LAST}` }], draft: { body: `Madame ${LAST}, …` } }),
      ],
    );
    await ctx.db.query(`INSERT INTO notifications (recipient_agent_id, ticket_id, kind, data) VALUES ($1, $2, 'sla_warning', $3)`, [
      await d.agent(VOIRIE_AGENT),
      t.id,
      JSON.stringify({ reference: t.reference, subject: `Appel de Mme ${LAST}` }),
    ]);
    // 6. a reply by post addressed to her (as the letters listener writes it: her name, her street, the reply's text)
    await ctx.db.query(
      `INSERT INTO ticket_letters (ticket_id, recipient_name, recipient_address, body, signatory_name)
       VALUES ($1, $2, $3, $4, 'Julie Lefebvre')`,
      [t.id, `${FIRST} ${LAST}`, `7 impasse des Quenouilles\n37550 SAINT-AUBIN`, `Bonjour Madame ${LAST}, une équipe passe demain.`],
    );
    // 7. a quarantined e-mail from her address
    await ctx.db.query(
      `INSERT INTO mail_quarantine (from_address, subject, reason, size, raw) VALUES ($1, $2, 'unparsable', 10, convert_to($3, 'UTF8'))`,
      [`${FIRST} <${EMAIL}>`, `Re: ${LAST}`, `From: ${EMAIL}\r\n\r\n${PHONE}`],
    );
  });
  afterAll(() => ctx.close());

  it('finds her everywhere before the run (the scan works), and nowhere after; the figures do not move', async () => {
    expect(ticketIds).toHaveLength(4);
    const [{ n: linked }] = await ctx.db.query(`SELECT count(*)::int AS n FROM tickets WHERE id = ANY($1) AND citizen_id = $2`, [
      ticketIds,
      citizenId,
    ]);
    expect(linked).toBe(4); // every channel found the same person
    const before = await scan();
    expect(before.hits.length).toBeGreaterThan(10);
    const files: Array<{ storage_key: string }> = await ctx.db.query(`SELECT storage_key FROM attachments WHERE ticket_id = ANY($1)`, [
      ticketIds,
    ]);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(existsSync(join(dataDir, f.storage_key))).toBe(true);
    const figuresBefore = await figures();

    const engine = ctx.app.get(AnonymisationService);
    const result = await ctx.db.transaction((m) => engine.anonymiseCitizenIn(m, SYSTEM, citizenId));
    await engine.removeFiles(result);

    expect(result).toMatchObject({ tickets: 4, citizensAnonymised: 1, citizensUnlinked: 0 });
    expect((await scan()).hits).toEqual([]);
    for (const f of files) expect(existsSync(join(dataDir, f.storage_key))).toBe(false);
    expect(await figures()).toEqual(figuresBefore);

    // what stays: the requests, their history and a coarse position; each audited, versions bumped
    const kept = await ctx.db.query(
      `SELECT latitude, longitude, anonymised_at IS NOT NULL AS done FROM tickets WHERE id = ANY($1) ORDER BY latitude`,
      [ticketIds],
    );
    expect(kept.every((k: { done: boolean }) => k.done)).toBe(true);
    expect(kept.map((k: { latitude: number }) => k.latitude)).toContain(47.394);
    const [{ n: audited }] = await ctx.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'ticket.anonymise' AND entity_id = ANY($1)`,
      [ticketIds],
    );
    expect(audited).toBe(4);
    const [{ n: redactions }] = await ctx.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'audit.redact'`);
    expect(redactions).toBeGreaterThan(0);

    // a second run finds nothing left to do
    const again = await ctx.db.transaction((m) => engine.anonymiseTicketsIn(m, SYSTEM, ticketIds));
    expect(again.tickets).toBe(0);
  });

  it('keeps the record of a person with another live request, only unlinks the anonymised one', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const d = await ids(ctx.db);
    const category = await d.category('nid-de-poule');
    const first = (
      await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: category,
          subject: 'Trou',
          description: 'Signalé par M. Anatole Pernichon',
          newCitizen: {
            kind: 'resident',
            firstName: 'Anatole',
            lastName: 'Pernichon',
            phone: '06 98 76 54 32',
            email: null,
            organisationName: null,
            contactPerson: null,
            address: null,
            postcode: null,
            city: null,
            preferredChannel: 'phone',
          },
        })
        .expect(201)
    ).body;
    const second = (
      await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: category,
          subject: 'Autre trou',
          description: 'Pernichon encore',
          citizenId: first.citizen.id,
        })
        .expect(201)
    ).body;
    const engine = ctx.app.get(AnonymisationService);
    const r1 = await ctx.db.transaction((m) => engine.anonymiseTicketsIn(m, SYSTEM, [first.id]));
    expect(r1).toMatchObject({ tickets: 1, citizensAnonymised: 0, citizensUnlinked: 1 });
    const [kept] = await ctx.db.query(`SELECT last_name FROM citizens WHERE id = $1`, [first.citizen.id]);
    expect(kept.last_name).toBe('Pernichon');
    const [t1] = await ctx.db.query(`SELECT citizen_id, description FROM tickets WHERE id = $1`, [first.id]);
    expect(t1).toEqual({ citizen_id: null, description: 'Signalé par M. [nom] [nom]' });
    const r2 = await ctx.db.transaction((m) => engine.anonymiseTicketsIn(m, SYSTEM, [second.id]));
    expect(r2).toMatchObject({ tickets: 1, citizensAnonymised: 1, citizensUnlinked: 0 });
    const [gone] = await ctx.db.query(`SELECT first_name, last_name, phone FROM citizens WHERE id = $1`, [first.citizen.id]);
    expect(gone).toEqual({ first_name: null, last_name: null, phone: null });
  });

  it('deletes requests of a delete rule, their files and their requester when nothing else names them', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const d = await ids(ctx.db);
    const t = (
      await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'counter',
          categoryId: await d.category('nid-de-poule'),
          subject: 'Guichet',
          description: 'Venue au guichet',
          newCitizen: {
            kind: 'resident',
            firstName: 'Berthe',
            lastName: 'Cornichonne',
            phone: '06 11 99 88 77',
            email: null,
            organisationName: null,
            contactPerson: null,
            address: null,
            postcode: null,
            city: null,
            preferredChannel: 'phone',
          },
        })
        .expect(201)
    ).body;
    const engine = ctx.app.get(AnonymisationService);
    const r = await ctx.db.transaction((m) => engine.deleteTicketsIn(m, SYSTEM, [t.id]));
    expect(r).toMatchObject({ tickets: 1, citizensAnonymised: 1 });
    expect(await ctx.db.query(`SELECT id FROM tickets WHERE id = $1`, [t.id])).toEqual([]);
    const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE changes::text ILIKE '%cornichonne%'`);
    expect(n).toBe(0);
    const [{ n: deleted }] = await ctx.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'ticket.delete' AND entity_id = $1`,
      [t.id],
    );
    expect(deleted).toBe(1);
  });
});
