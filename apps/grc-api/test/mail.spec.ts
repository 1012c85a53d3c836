import { ImapFlow } from 'imapflow';
import { MailIntakePoller } from '../src/modules/mail/intake.poller';
import { MailSender } from '../src/modules/mail/mail.sender';
import { ADMIN, ids, VOIRIE_AGENT } from './support/demo';
import { startDovecot, freePort, type Dovecot } from './support/dovecot';
import { startSmtpCapture, type SmtpCapture } from './support/smtp-capture';
import { startTestApp, type TestContext } from './support/test-app';
import { eventually } from './support/eventually';

const TOWN = 'mairie@saint-aubin.test';
const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>';
// a valid one-page PDF header is enough for the magic-bytes check
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

let seq = 0;
function mail(o: {
  from?: string | null;
  to?: string;
  subject?: string;
  body?: string;
  headers?: Record<string, string>;
  messageId?: string;
  attachments?: Array<{ name: string; type: string; content: Buffer }>;
}): string {
  const id = o.messageId ?? `<test-${Date.now()}-${++seq}@citoyens.example>`;
  const boundary = `b-${seq}-${Date.now()}`;
  const head = [
    ...(o.from === null ? [] : [`From: ${o.from ?? 'Marie Dupont <marie.dupont@citoyens.example>'}`]),
    `To: ${o.to ?? TOWN}`,
    `Subject: ${o.subject ?? 'Lampadaire en panne'}`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  const body = o.body ?? 'Bonjour,\nLe lampadaire devant le 12 rue des Lilas ne fonctionne plus.\nMerci';
  if (!o.attachments?.length)
    return [...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, ''].join('\r\n');
  const parts = [`--${boundary}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body];
  for (const a of o.attachments) {
    parts.push(
      `--${boundary}`,
      `Content-Type: ${a.type}; name="${a.name}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${a.name}"`,
      '',
      a.content.toString('base64').replace(/(.{76})/g, '$1\r\n'),
    );
  }
  parts.push(`--${boundary}--`, '');
  return [...head, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', ...parts].join('\r\n');
}

describe('e-mail channel (real Dovecot IMAP and SMTP server on loopback)', () => {
  let dovecot: Dovecot;
  let smtp: SmtpCapture;
  let ctx: TestContext;
  let imap: ImapFlow;
  let mailboxId: string;
  let admin: Awaited<ReturnType<TestContext['loginAs']>>;
  let agent: Awaited<ReturnType<TestContext['loginAs']>>;

  const append = async (...raws: string[]) => {
    for (const r of raws) await imap.append('INBOX', r);
  };
  const poll = (opts = {}) => ctx.app.get(MailIntakePoller).poll(mailboxId, opts);
  const ticketOf = async (messageId: string) => {
    const [r] = await ctx.db.query(
      `SELECT i.outcome, i.reason, t.id, t.reference, t.status, t.channel, t.subject, t.description, t.version
      FROM mail_imported i LEFT JOIN tickets t ON t.id = i.ticket_id WHERE i.message_key = $1`,
      [messageId],
    );
    return r;
  };
  const mailsTo = (addr: string) => smtp.mails.filter((m) => m.envelope.to.includes(addr));
  const waitMails = async (addr: string, n: number) => {
    try {
      return await eventually(
        () => {
          if (mailsTo(addr).length < n) throw new Error('not yet');
          return mailsTo(addr);
        },
        { timeout: 15_000 },
      );
    } catch {
      return mailsTo(addr); // the caller's expect says how many came
    }
  };

  beforeAll(async () => {
    [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
    ctx = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: `Mairie de Saint-Aubin <${TOWN}>`,
      MAIL_SWEEP_MS: '200',
      MAIL_RETRY_BASE_MS: '200',
      MAIL_MAX_ATTEMPTS: '3',
      MAIL_INTAKE_TICK_MS: '0',
      PUBLIC_URL: 'https://www.saint-aubin.test',
      GRC_PUBLIC_RATE_LIMIT: '1000',
      GRC_QUEUE_PREFIX: `grc-mail-${Date.now().toString(36)}`,
    });
    imap = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await imap.connect();
    admin = await ctx.loginAs(ADMIN);
    agent = await ctx.loginAs(VOIRIE_AGENT);
    const d = await ids(ctx.db);
    const res = await admin.post('/api/v1/mail/mailboxes').send({
      name: 'Accueil',
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      username: dovecot.user,
      password: dovecot.password,
      folder: 'INBOX',
      categoryId: await d.category('nid-de-poule'),
      pollIntervalSeconds: 60,
      active: true,
    });
    expect(res.status).toBe(201);
    mailboxId = res.body.id;
  }, 60_000);

  afterAll(async () => {
    await imap?.logout().catch(() => undefined);
    await ctx?.close();
    await smtp?.close();
    await dovecot?.stop();
  });

  it('keeps the mailbox password write-only and refuses header injection in settings and templates', async () => {
    const list = await admin.get('/api/v1/mail/mailboxes').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(dovecot.password);
    expect(list.body[0]).toMatchObject({ name: 'Accueil', hasPassword: true });
    expect(list.body[0]).not.toHaveProperty('password');
    const box = list.body[0];
    // an update without password keeps the stored one
    const upd = await admin.put(`/api/v1/mail/mailboxes/${mailboxId}`).send({
      ...box,
      hasPassword: undefined,
      id: undefined,
      lastPollAt: undefined,
      lastError: undefined,
      importedCount: undefined,
      name: 'Accueil',
    });
    expect(upd.status).toBe(200);
    // stored sealed, never in clear (a database dump must not give the account away); the poller still logs in (next tests)
    const [{ password }] = await ctx.db.query(`SELECT password FROM mail_mailboxes WHERE id = $1`, [mailboxId]);
    expect(password).toMatch(/^v1:/);
    expect(password).not.toContain(dovecot.password);
    const audit = await ctx.db.query(`SELECT changes::text AS c FROM audit_events WHERE entity_type = 'mail_mailbox'`);
    expect(audit.map((a: { c: string }) => a.c).join()).not.toContain(dovecot.password);

    const bad = await admin.put(`/api/v1/mail/mailboxes/${mailboxId}`).send({ ...box, username: 'x\r\nA1 LOGOUT' });
    expect(bad.status).toBe(400);
    const tpl = await admin
      .put('/api/v1/mail/templates/reply/fr')
      .send({ subject: '[{{reference}}]\r\nBcc: victim@evil.example', body: '{{message}}' });
    expect(tpl.status).toBe(400);
    const unknown = await admin.put('/api/v1/mail/templates/reply/fr').send({ subject: '[{{reference}}]', body: '{{password}}' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain('{{password}}');
    // agents cannot read mailboxes
    expect((await agent.get('/api/v1/mail/mailboxes')).status).toBe(403);
  });

  let first: { id: string; reference: string; messageId: string };

  it('turns a new e-mail into a ticket on the email channel, with its attachments, and acknowledges it by SMTP', async () => {
    const messageId = `<new-${Date.now()}@citoyens.example>`;
    await append(
      mail({
        messageId,
        from: `"Marie ${HOSTILE}" <marie.dupont@citoyens.example>`,
        subject: `Lampadaire ${HOSTILE}`,
        body: `Bonjour,\nle lampadaire est éteint ${HOSTILE}`,
        attachments: [
          { name: 'photo.pdf', type: 'application/pdf', content: PDF },
          { name: 'virus.exe', type: 'application/x-msdownload', content: Buffer.from('MZ...') },
        ],
      }),
    );
    const r = await poll();
    expect(r.error).toBeUndefined();
    expect(r.outcomes.ticket).toBe(1);
    const t = await ticketOf(messageId);
    expect(t).toMatchObject({ outcome: 'ticket', channel: 'email', status: 'new' });
    expect(t.subject).toBe(`Lampadaire ${HOSTILE}`); // stored verbatim
    first = { id: t.id, reference: t.reference, messageId };
    const [citizen] = await ctx.db.query(
      `SELECT c.email, c.last_name FROM tickets t JOIN citizens c ON c.id = t.citizen_id WHERE t.id = $1`,
      [t.id],
    );
    expect(citizen.email).toBe('marie.dupont@citoyens.example');
    const atts = await ctx.db.query(`SELECT filename, mime_type, size FROM attachments WHERE ticket_id = $1`, [t.id]);
    expect(atts).toEqual([{ filename: 'photo.pdf', mime_type: 'application/pdf', size: PDF.length }]);
    const detail = await agent.get(`/api/v1/tickets/${t.id}`).expect(200);
    const note = detail.body.timeline.find((e: { kind: string }) => e.kind === 'note');
    expect(note.body).toContain('virus.exe');
    // the console words the note from its data (codes), not from the French body
    expect(note.data.refusedAttachments).toEqual([{ filename: 'virus.exe', code: 'file.type', reason: expect.any(String) }]);

    const [ack] = await waitMails('marie.dupont@citoyens.example', 1);
    expect(ack!.parsed.subject).toContain(t.reference);
    expect(ack!.parsed.text).toContain(t.reference);
    expect(ack!.parsed.text).toMatch(/https:\/\/www\.saint-aubin\.test\/suivi\?ref=/);
    expect(ack!.parsed.messageId).toMatch(new RegExp(`^<${t.reference}\\.[0-9a-f-]{36}@saint-aubin\\.test>$`));
    expect(ack!.parsed.inReplyTo).toBe(messageId);
    // the per-ticket reply address carries the ticket's signature (HMAC under the app's secret)
    expect(ack!.parsed.replyTo?.value[0]?.address).toMatch(new RegExp(`^mairie\\+${t.reference}\\.[0-9a-f]{20}@saint-aubin\\.test$`));
    expect(ack!.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(ack!.parsed.html).not.toContain('<script>');
    expect(ack!.parsed.html).toContain('&lt;script&gt;');
    // the message is flagged \Seen on the server
    const lock = await imap.getMailboxLock('INBOX');
    try {
      const flags = [];
      for await (const m of imap.fetch('1:*', { flags: true, uid: true })) flags.push([...(m.flags ?? [])]);
      expect(flags.every((f) => f.includes('\\Seen'))).toBe(true);
    } finally {
      lock.release();
    }
  });

  it('threads replies into the ticket (In-Reply-To, then the signed reply address) and reopens a resolved ticket', async () => {
    const ack = mailsTo('marie.dupont@citoyens.example')[0]!;
    const reply1 = `<reply1-${Date.now()}@citoyens.example>`;
    await append(
      mail({
        messageId: reply1,
        subject: `Re: ${ack.parsed.subject}`,
        headers: { 'In-Reply-To': ack.parsed.messageId!, References: `${first.messageId} ${ack.parsed.messageId}` },
        body: `Il y a aussi un fil qui pend.\n\nLe lun. 3 mars 2026 à 10:00, Mairie <${TOWN}> a écrit :\n> Nous avons bien reçu`,
      }),
    );
    expect((await poll()).outcomes.reply).toBe(1);
    expect(await ticketOf(reply1)).toMatchObject({ outcome: 'reply', id: first.id });
    let detail = (await agent.get(`/api/v1/tickets/${first.id}`).expect(200)).body;
    const inbound = detail.timeline.filter((e: { kind: string }) => e.kind === 'inbound');
    expect(inbound.map((e: { body: string }) => e.body)).toEqual(['Il y a aussi un fil qui pend.']);

    // the agent resolves it: the citizen is told
    await agent
      .post(`/api/v1/tickets/${first.id}/status`)
      .send({ version: detail.version, status: 'resolved', comment: 'Lampe changée.' })
      .expect(201);
    const resolved = (await waitMails('marie.dupont@citoyens.example', 2))[1]!;
    expect(resolved.parsed.subject).toContain('résolue');
    expect(resolved.parsed.text).toContain('Lampe changée.');

    // the citizen answers through a client that drops In-Reply-To/References: the signed reply address threads it
    const replyTo = resolved.parsed.replyTo!.value[0]!.address!;
    expect(replyTo).toMatch(new RegExp(`^mairie\\+${first.reference}\\.[0-9a-f]{20}@saint-aubin\\.test$`));
    const reply2 = `<reply2-${Date.now()}@citoyens.example>`;
    await append(
      mail({ messageId: reply2, to: replyTo, subject: `RE: [${first.reference}] toujours éteint`, body: 'Toujours éteint ce soir.' }),
    );
    expect((await poll()).outcomes.reply).toBe(1);
    detail = (await agent.get(`/api/v1/tickets/${first.id}`).expect(200)).body;
    expect(detail.status).toBe('open');
    expect(detail.timeline.filter((e: { kind: string }) => e.kind === 'inbound')).toHaveLength(2);

    // the same reference from someone else is not trusted: a new ticket
    const other = `<other-${Date.now()}@ailleurs.example>`;
    await append(
      mail({ messageId: other, from: 'intrus@ailleurs.example', subject: `Re: [${first.reference}] je m'invite`, body: 'Bonjour' }),
    );
    expect((await poll()).outcomes.ticket).toBe(1);
    const t = await ticketOf(other);
    expect(t.id).not.toBe(first.id);
  });

  it('threads only from what we sent: a forged Message-ID, an unsigned or wrongly signed reply address, a subject reference are new requests, with the reason', async () => {
    let detail = (await agent.get(`/api/v1/tickets/${first.id}`).expect(200)).body;
    if (detail.status !== 'resolved')
      await agent
        .post(`/api/v1/tickets/${first.id}/status`)
        .send({ version: detail.version, status: 'resolved', comment: 'Lampe changée (bis).' })
        .expect(201);
    const inboundBefore = (
      await ctx.db.query(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1 AND kind = 'inbound'`, [first.id])
    )[0].n;
    const forgedId = `<${first.reference}.0b6f3c52-6a43-4e27-9a55-0c5a7e0f1d2a@saint-aubin.test>`;
    const ours = `mairie+${first.reference}`;
    const cases = {
      // the shape of our Message-IDs, with any uuid: never sent by us
      forgedMessageId: mail({
        messageId: `<f1-${Date.now()}@ailleurs.example>`,
        from: 'intrus@ailleurs.example',
        subject: 'Re: votre demande',
        headers: { 'In-Reply-To': forgedId, References: forgedId },
      }),
      // the citizen's address in From (forgeable) and the reply address without its signature
      unsigned: mail({ messageId: `<f2-${Date.now()}@ailleurs.example>`, to: `${ours}@saint-aubin.test`, subject: 'Re: suite' }),
      wrongSignature: mail({
        messageId: `<f3-${Date.now()}@ailleurs.example>`,
        to: `${ours}.0123456789abcdef0123@saint-aubin.test`,
        subject: 'Re: suite',
      }),
      subjectOnly: mail({ messageId: `<f4-${Date.now()}@ailleurs.example>`, subject: `RE: [${first.reference}] toujours éteint` }),
    };
    for (const raw of Object.values(cases)) await append(raw);
    const r = await poll();
    expect(r.outcomes).toMatchObject({ ticket: 4, reply: 0 });
    const rows = await ctx.db.query(
      `SELECT message_key, outcome, reason, ticket_id FROM mail_imported WHERE message_key LIKE '<f_-%' ORDER BY message_key`,
    );
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.outcome).toBe('ticket');
      expect(row.ticket_id).not.toBe(first.id);
      expect(row.reason).toContain(first.reference);
    }
    expect(rows[0].reason).toContain('Message-ID');
    expect(rows[1].reason).toContain('signature');
    expect(rows[2].reason).toContain('signature');
    expect(rows[3].reason).toContain('objet');
    detail = (await agent.get(`/api/v1/tickets/${first.id}`).expect(200)).body;
    expect(detail.status).toBe('resolved');
    const inboundAfter = (
      await ctx.db.query(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1 AND kind = 'inbound'`, [first.id])
    )[0].n;
    expect(inboundAfter).toBe(inboundBefore);
    // the acknowledgements of the new requests are delivered before the next tests count e-mails
    await eventually(async () => {
      const [{ pending, total }] = await ctx.db.query(
        `SELECT count(*) FILTER (WHERE state <> 'sent')::int AS pending, count(*)::int AS total FROM mail_outbox WHERE to_address = 'marie.dupont@citoyens.example'`,
      );
      expect(pending).toBe(0);
      expect(mailsTo('marie.dupont@citoyens.example')).toHaveLength(total);
    });
    // a Message-ID we really sent for this ticket still threads (and reopens)
    const sent = mailsTo('marie.dupont@citoyens.example')
      .filter((x) => x.parsed.messageId?.startsWith(`<${first.reference}.`))
      .at(-1)!;
    const real = `<real-${Date.now()}@citoyens.example>`;
    await append(mail({ messageId: real, subject: `Re: ${sent.parsed.subject}`, headers: { 'In-Reply-To': sent.parsed.messageId! } }));
    expect((await poll()).outcomes.reply).toBe(1);
    expect(await ticketOf(real)).toMatchObject({ outcome: 'reply', id: first.id, status: 'open' });
  });

  it('keeps no tracking key in clear once the acknowledgement of a public request is sent (every table, every column)', async () => {
    const d = await ids(ctx.db);
    const email = `suivi-${Date.now()}@citoyens.example`;
    const res = await ctx.http
      .post('/api/v1/public/requests')
      .set('X-Requested-With', 'grc')
      .field('categoryId', await d.category('nid-de-poule'))
      .field('description', 'Trou devant la poste')
      .field('address', '1 place de la Poste')
      .field('lastName', 'Suivi')
      .field('email', email)
      .expect(201);
    const formKey: string = res.body.key;
    const [ack] = await waitMails(email, 1);
    const link = /https:\/\/www\.saint-aubin\.test\/suivi\?ref=[^&\s]+&k=([A-Za-z0-9_-]{43})/.exec(ack!.parsed.text ?? '');
    expect(link).not.toBeNull();
    const mailKey = link![1]!;
    expect(ack!.parsed.html).toContain(`k=${mailKey}`);
    // the link of the e-mail works
    await ctx.http.get(`/api/v1/public/requests/${res.body.reference}`).query({ k: mailKey }).expect(200);
    await eventually(async () => {
      const [{ state }] = await ctx.db.query(`SELECT state FROM mail_outbox WHERE to_address = $1`, [email]);
      expect(state).toBe('sent');
    });
    const columns: Array<{ table_name: string; column_name: string; data_type: string }> = await ctx.db.query(
      `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'`,
    );
    expect(columns.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const key of [formKey, mailKey]) {
      for (const c of columns) {
        const col = `"${c.column_name}"`;
        const cond = c.data_type === 'bytea' ? `position(convert_to($1, 'UTF8') in ${col}) > 0` : `strpos(${col}::text, $1) > 0`;
        const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM "${c.table_name}" WHERE ${cond}`, [key]);
        if (n) found.push(`${c.table_name}.${c.column_name}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('never imports the same message twice, even after a crash between the import and the IMAP flags', async () => {
    const keys = [1, 2, 3].map((i) => `<crash-${i}-${Date.now()}@citoyens.example>`);
    await append(...keys.map((k, i) => mail({ messageId: k, from: `crash${i}@citoyens.example`, subject: `Crash ${i}` })));
    const crashed = await poll({
      afterImport: () => {
        throw new Error('simulated crash');
      },
    });
    expect(crashed.error).toBe('simulated crash');
    expect(crashed.outcomes.ticket).toBe(3);
    const again = await poll();
    expect(again.error).toBeUndefined();
    expect(again.outcomes).toMatchObject({ duplicate: 3, ticket: 0 });
    const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM tickets WHERE subject LIKE 'Crash %' AND channel = 'email'`);
    expect(n).toBe(3);
    expect((await poll()).seen).toBe(0); // flags and last_uid moved on
    // the same Message-ID delivered again (a second copy) is not imported either
    await append(mail({ messageId: keys[0]!, from: 'crash0@citoyens.example', subject: 'Crash 0' }));
    expect((await poll()).outcomes.duplicate).toBe(1);
  });

  it('ignores auto-replies, bounces and loops, and quarantines malformed messages without stopping', async () => {
    const before = Number((await ctx.db.query(`SELECT count(*) AS n FROM tickets`))[0].n);
    const sent = smtp.mails.length;
    const k = (s: string) => `<${s}-${Date.now()}@x.example>`;
    const cases = {
      auto: k('auto'),
      precedence: k('prec'),
      bounce: k('bounce'),
      loop: k('loop'),
      outbox: k('outbox'),
      xloop: k('xloop'),
    };
    await append(
      mail({ messageId: cases.auto, subject: 'Absence du bureau', headers: { 'Auto-Submitted': 'auto-replied' } }),
      mail({ messageId: cases.precedence, subject: 'Newsletter', headers: { Precedence: 'bulk' } }),
      mail({ messageId: cases.bounce, from: 'MAILER-DAEMON@mx.citoyens.example', subject: 'Undelivered Mail Returned to Sender' }),
      mail({ messageId: cases.loop, from: `Mairie <${TOWN}>`, subject: `[${first.reference}] Votre demande` }),
      mail({ messageId: cases.outbox, subject: 'Re: x', headers: { 'X-GRC-Outbox': '0b6f3c52-6a43-4e27-9a55-0c5a7e0f1d2a' } }),
      mail({ messageId: cases.xloop, subject: 'Re: y', headers: { 'X-Loop': TOWN } }),
    );
    const malformed = '<malformed@x.example>';
    await append(`Subject: pas d'expéditeur\r\nMessage-ID: ${malformed}\r\n\r\n${HOSTILE}\r\n`);
    const good = k('after-malformed');
    await append(mail({ messageId: good, from: 'paul@citoyens.example', subject: 'Après le message cassé' }));
    const r = await poll();
    expect(r.error).toBeUndefined();
    expect(r.outcomes).toMatchObject({ ignored: 6, quarantined: 1, ticket: 1 });
    for (const key of Object.values(cases)) expect((await ticketOf(key)).outcome).toBe('ignored');
    const after = Number((await ctx.db.query(`SELECT count(*) AS n FROM tickets`))[0].n);
    expect(after).toBe(before + 1);
    const q = await admin.get('/api/v1/mail/quarantine').expect(200);
    const item = q.body.find((x: { messageId: string }) => x.messageId === malformed);
    // the reason is a code the console words (no sentence): the quarantine screen of features/mail
    expect(item).toMatchObject({ reasonCode: 'mail.no_sender', reasonParams: {} });
    expect(item).not.toHaveProperty('reason');
    const raw = await admin
      .get(`/api/v1/mail/quarantine/${item.id}/raw`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(raw.headers['content-type']).toContain('message/rfc822');
    expect((raw.body as Buffer).toString()).toContain(HOSTILE);
    // nothing was answered to the automatic messages (only the new ticket's acknowledgement); other
    // spec files share the run's database, so count by recipient rather than in total
    await waitMails('paul@citoyens.example', 1);
    const automated = ['marie.dupont@citoyens.example', 'mailer-daemon@mx.citoyens.example', TOWN];
    expect(smtp.mails.slice(sent).filter((m) => m.envelope.to.some((a) => automated.includes(a.toLowerCase())))).toEqual([]);
  });

  it('sends the agent’s public reply with correct threading headers, escaped HTML and the delivery state on the ticket', async () => {
    const d0 = (await agent.get(`/api/v1/tickets/${first.id}`).expect(200)).body;
    const n = mailsTo('marie.dupont@citoyens.example').length;
    await agent
      .post(`/api/v1/tickets/${first.id}/messages`)
      .send({ version: d0.version, kind: 'reply', body: `Bonjour,\nc'est réparé ${HOSTILE}` })
      .expect(201);
    const m = (await waitMails('marie.dupont@citoyens.example', n + 1))[n]!;
    expect(m.parsed.subject).toBe(`[${first.reference}] Lampadaire ${HOSTILE}`);
    expect(m.parsed.text).toContain(`c'est réparé ${HOSTILE}`);
    expect(m.parsed.html).not.toMatch(/<script|<img/);
    expect(m.parsed.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(m.parsed.headers.get('auto-submitted')).toBeUndefined();
    expect(m.parsed.from?.value[0]).toMatchObject({ address: TOWN, name: 'Mairie de Saint-Aubin' });
    expect(m.parsed.inReplyTo).toMatch(/^<real-/); // the citizen's last e-mail
    expect(String(m.parsed.references)).toContain(first.messageId);
    expect(m.envelope.to).toEqual(['marie.dupont@citoyens.example']);
    // an internal note is never sent
    const d1 = (await agent.get(`/api/v1/tickets/${first.id}`).expect(200)).body;
    const outboxBefore = (await ctx.db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE ticket_id = $1`, [first.id]))[0].n;
    await agent.post(`/api/v1/tickets/${first.id}/messages`).send({ version: d1.version, kind: 'note', body: 'note interne' }).expect(201);
    // the outbox row is written in the message's transaction: none now means none ever
    expect((await ctx.db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE ticket_id = $1`, [first.id]))[0].n).toBe(outboxBefore);
    expect(mailsTo('marie.dupont@citoyens.example')).toHaveLength(n + 1);
    const deliveries = (await agent.get(`/api/v1/tickets/${first.id}/mail-deliveries`).expect(200)).body;
    const reply = deliveries.find((x: { kind: string }) => x.kind === 'reply');
    expect(reply).toMatchObject({ state: 'sent', attempts: 1, toAddress: 'marie.dupont@citoyens.example' });
    const replyEvent = d1.timeline.filter((e: { kind: string }) => e.kind === 'reply').pop();
    expect(reply.eventId).toBe(replyEvent.id);
  });

  it('refuses header injection through ticket subjects and citizen addresses', async () => {
    const d = await ids(ctx.db);
    const created = await agent.post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: await d.category('nid-de-poule'),
      subject: 'Trou\r\nBcc: victim@evil.example',
      description: 'Un trou.',
      newCitizen: { kind: 'resident', lastName: 'Martin', email: 'jean.martin@citoyens.example' },
    });
    expect(created.status).toBe(201);
    const [ack] = await waitMails('jean.martin@citoyens.example', 1);
    expect(ack!.envelope.to).toEqual(['jean.martin@citoyens.example']);
    expect(ack!.parsed.headers.get('bcc')).toBeUndefined();
    expect(smtp.mails.some((x) => x.envelope.to.includes('victim@evil.example'))).toBe(false);
    const headerLines = ack!.raw.toString().split('\r\n\r\n')[0]!.split('\r\n');
    expect(headerLines.filter((l) => /^(bcc|cc|to):/i.test(l))).toEqual(['To: jean.martin@citoyens.example']);
    expect(ack!.parsed.subject).not.toMatch(/[\r\n]/);
    // an address that would inject headers (written behind the API's back) is never sent: failed at once, shown on the ticket
    await ctx.db.query(`UPDATE citizens SET email = $2 WHERE id = (SELECT citizen_id FROM tickets WHERE id = $1)`, [
      created.body.id,
      'jean.martin@citoyens.example\r\nBcc: victim@evil.example',
    ]);
    await agent
      .post(`/api/v1/tickets/${created.body.id}/messages`)
      .send({ version: created.body.version, kind: 'reply', body: 'Réponse' })
      .expect(201);
    const deliveries = (await agent.get(`/api/v1/tickets/${created.body.id}/mail-deliveries`).expect(200)).body;
    expect(deliveries.find((x: { kind: string }) => x.kind === 'reply')).toMatchObject({ state: 'failed', nextAttemptAt: null });
    // failed with no next attempt is final: the sender will never pick it up
    expect(smtp.mails.some((x) => x.envelope.to.some((t) => t.includes('evil')))).toBe(false);
  });

  it('writes each e-mail with the town’s own template in the requester’s language (read with the ticket’s context)', async () => {
    const d = await ids(ctx.db);
    await admin
      .put('/api/v1/mail/templates/acknowledgement/fr')
      .send({ subject: 'Bien reçu : {{reference}}', body: 'Bonjour {{citizenName}}, nous avons bien reçu votre demande.' })
      .expect(200);
    await admin
      .put('/api/v1/mail/templates/acknowledgement/en')
      .send({ subject: 'Received: {{reference}}', body: 'Hello {{citizenName}}, we have received your request.' })
      .expect(200);
    const ackOf = async (ticketId: string) =>
      (await ctx.db.query(`SELECT subject, text FROM mail_outbox WHERE ticket_id = $1 AND kind = 'acknowledgement'`, [ticketId]))[0];
    try {
      const fr = await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await d.category('nid-de-poule'),
          subject: 'Trou rue Haute',
          description: 'Un trou.',
          newCitizen: { kind: 'resident', lastName: 'Lambert', email: 'paul.lambert@citoyens.example' },
        })
        .expect(201);
      expect(await ackOf(fr.body.id)).toMatchObject({ subject: `Bien reçu : ${fr.body.reference}` });
      // the citizen's last request was in English (the public form's English page): the next acknowledgement is too
      await ctx.db.query(`UPDATE tickets SET locale = 'en' WHERE id = $1`, [fr.body.id]);
      const [{ citizen_id }] = await ctx.db.query(`SELECT citizen_id FROM tickets WHERE id = $1`, [fr.body.id]);
      const en = await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await d.category('nid-de-poule'),
          subject: 'Trou rue Basse',
          description: 'Un autre trou.',
          citizenId: citizen_id,
        })
        .expect(201);
      const ack = await ackOf(en.body.id);
      expect(ack.subject).toBe(`Received: ${en.body.reference}`);
      expect(ack.text).toContain('we have received your request');
      // a language without a template of the town's: the built-in one
      await ctx.db.query(`DELETE FROM mail_templates WHERE event = 'acknowledgement' AND locale = 'en'`);
      const builtIn = await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await d.category('nid-de-poule'),
          subject: 'Trou rue Neuve',
          description: 'Encore un trou.',
          citizenId: citizen_id,
        })
        .expect(201);
      expect((await ackOf(builtIn.body.id)).subject).not.toMatch(/^Received:/);
      expect((await ackOf(builtIn.body.id)).subject).toContain(builtIn.body.reference);
    } finally {
      await ctx.db.query(`DELETE FROM mail_templates WHERE event = 'acknowledgement'`);
    }
  });

  it('offers reply templates rendered with the ticket’s values', async () => {
    const created = await admin.post('/api/v1/mail/reply-templates').send({
      name: 'Intervention planifiée',
      body: 'Bonjour {{citizenName}},\nvotre demande {{reference}} est planifiée.\n{{agentName}}',
    });
    expect(created.status).toBe(201);
    expect((await admin.post('/api/v1/mail/reply-templates').send({ name: 'X', body: '{{secret}}' })).status).toBe(400);
    expect((await agent.post('/api/v1/mail/reply-templates').send({ name: 'Y', body: 'x' })).status).toBe(403);
    const list = (await agent.get('/api/v1/mail/reply-templates').expect(200)).body;
    expect(list.map((t: { name: string }) => t.name)).toContain('Intervention planifiée');
    const r = await agent.post(`/api/v1/mail/reply-templates/${created.body.id}/render`).send({ ticketId: first.id }).expect(200);
    expect(r.body.text).toContain(first.reference);
    expect(r.body.text).toContain('Julie');
  });

  it('retries a temporary SMTP refusal with backoff, then sends', async () => {
    smtp.refuseWith = 451;
    const d = await ids(ctx.db);
    const created = await agent
      .post('/api/v1/tickets')
      .send({
        channel: 'counter',
        categoryId: await d.category('nid-de-poule'),
        subject: 'Retry',
        description: 'x',
        newCitizen: { kind: 'resident', lastName: 'Retry', email: 'retry@citoyens.example' },
      })
      .expect(201);
    await eventually(async () => {
      const [row] = await ctx.db.query(`SELECT state, attempts, last_error FROM mail_outbox WHERE ticket_id = $1`, [created.body.id]);
      expect(row).toMatchObject({ state: 'failed' });
      expect(row.attempts).toBeGreaterThanOrEqual(2);
      expect(row.last_error).toContain('451');
    });
    smtp.refuseWith = null;
    await waitMails('retry@citoyens.example', 1);
    // the SMTP server has the message a moment before the sender records it as sent
    await eventually(
      async () => {
        const [sent] = await ctx.db.query(`SELECT state, attempts FROM mail_outbox WHERE ticket_id = $1`, [created.body.id]);
        expect(sent.state).toBe('sent');
        expect(sent.attempts).toBeGreaterThanOrEqual(2);
      },
      { timeout: 5_000 },
    );
  });

  it('with the SMTP server down (closed port), retries with exponential backoff and shows the failure on the ticket', async () => {
    await ctx.close();
    const closedPort = await freePort();
    ctx = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${closedPort}?ignoreTLS=true`,
      MAIL_FROM: `Mairie de Saint-Aubin <${TOWN}>`,
      MAIL_SWEEP_MS: '100',
      MAIL_RETRY_BASE_MS: '300',
      MAIL_MAX_ATTEMPTS: '3',
      MAIL_INTAKE_TICK_MS: '0',
    });
    agent = await ctx.loginAs(VOIRIE_AGENT);
    const d = await ids(ctx.db);
    const created = await agent
      .post('/api/v1/tickets')
      .send({
        channel: 'counter',
        categoryId: await d.category('nid-de-poule'),
        subject: 'SMTP en panne',
        description: 'x',
        newCitizen: { kind: 'resident', lastName: 'Panne', email: 'panne@citoyens.example' },
      })
      .expect(201);
    const seen: Array<{ attempts: number; at: number; next: number | null }> = [];
    const until = Date.now() + 15_000;
    for (;;) {
      const [r] = await ctx.db.query(`SELECT state, attempts, next_attempt_at, last_error FROM mail_outbox WHERE ticket_id = $1`, [
        created.body.id,
      ]);
      if (r.state === 'failed' && !seen.some((s) => s.attempts === r.attempts))
        seen.push({ attempts: r.attempts, at: Date.now(), next: r.next_attempt_at ? new Date(r.next_attempt_at).getTime() : null });
      if ((r.state === 'failed' && r.next_attempt_at === null) || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 25)); // sampling each attempt as it happens
    }
    expect(seen.map((s) => s.attempts)).toEqual([1, 2, 3]);
    expect(seen[2]!.next).toBeNull(); // gave up after MAIL_MAX_ATTEMPTS
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(250); // 300 ms, then 600 ms
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(500);
    const deliveries = (await agent.get(`/api/v1/tickets/${created.body.id}/mail-deliveries`).expect(200)).body;
    expect(deliveries[0]).toMatchObject({ kind: 'acknowledgement', state: 'failed', attempts: 3, nextAttemptAt: null });
    expect(deliveries[0].lastError).toMatch(/ECONNREFUSED|connect/i);
    // an agent can ask for one more try
    const retried = await agent.post(`/api/v1/tickets/${created.body.id}/mail-deliveries/${deliveries[0].id}/retry`).send({}).expect(200);
    expect(retried.body.state).toBe('queued');
    expect(ctx.app.get(MailSender)).toBeDefined();
  });
});
