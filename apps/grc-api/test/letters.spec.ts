import type { Letter, ReplyTemplate, TicketDetail } from '@grc/domain';
import { pdfText } from './support/pdf-text';
import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, EV_AGENT, EV_HEAD, ids, VOIRIE_AGENT, VOIRIE_HEAD } from './support/demo';

type Client = Awaited<ReturnType<TestContext['as']>>;
const binary = (req: ReturnType<Client['get']>) =>
  req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

/**
 * Replies by post (issue 13): a request received at the counter or by letter is answered by a letter, produced
 * only once the answer is validated (the circuit applies as to an e-mail), queued in "courrier à envoyer" for the
 * department, printed as a PDF with the town's letterhead, the citizen's address, the reference, the date, the
 * text and the approving head's signature, marked sent (timeline, audit). Another department's letter is a 404.
 * And the reply templates scoped to a department and/or category, proposed first for a ticket they fit.
 */
describe('letters: replies by post, after validation, queued, printed and marked sent', () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  const as = (email: string) => ctx.as(email);
  let n = 0;
  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
  });
  afterAll(() => ctx.close());

  const version = async (id: string): Promise<number> => (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [id]))[0].version;
  const newTicket = async (
    email: string,
    category: string,
    channel: string,
    contacts: { email?: string; address?: string; postcode?: string; city?: string },
  ): Promise<TicketDetail> => {
    const res = await (await as(email)).post('/api/v1/tickets').send({
      channel,
      categoryId: await d.category(category),
      subject: `Courrier ${category} ${++n}`,
      description: 'Demande déposée au guichet.',
      newCitizen: { kind: 'resident', firstName: 'Odile', lastName: `Postale${n}`, ...contacts },
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const letters = async (ticketId: string) =>
    (await ctx.db.query(`SELECT id, state, recipient_name, recipient_address, body FROM ticket_letters WHERE ticket_id = $1`, [
      ticketId,
    ])) as Array<{ id: string; state: string; recipient_name: string; recipient_address: string | null; body: string }>;
  const replyMails = async (ticketId: string) =>
    (await ctx.db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE ticket_id = $1 AND kind = 'reply'`, [ticketId]))[0].n as number;
  const act = async (email: string, id: string, body: Record<string, unknown>) =>
    (await as(email)).post(`/api/v1/tickets/${id}/workflow/actions`).send({ version: await version(id), ...body });

  const ADDRESS = { address: '12 rue des Écoles', postcode: '37550', city: 'Saint-Aubin' };
  const DRAFT = 'Bonjour Madame, la tonte du square des Tilleuls est programmée pour jeudi prochain.';

  describe('a counter request under a circuit', () => {
    let t: TicketDetail;
    let letter: Letter;

    it('writes no letter while the answer waits for validation, and refuses a direct reply', async () => {
      t = await newTicket(EV_AGENT, 'entretien-espaces-verts', 'counter', { ...ADDRESS, email: `odile${n}@citoyens.example` });
      expect((await act(EV_AGENT, t.id, { type: 'submit_draft', text: DRAFT })).status).toBe(201);
      expect(await letters(t.id)).toEqual([]);
      const direct = await (
        await as(EV_AGENT)
      )
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ kind: 'reply', body: 'Réponse sans validation.', version: await version(t.id) });
      expect(direct.status).toBe(409);
      expect(direct.body.errors[0]).toMatchObject({ code: 'workflow_running' });
      expect(await letters(t.id)).toEqual([]);
      const queue: Letter[] = (await (await as(EV_HEAD)).get('/api/v1/letters').expect(200)).body;
      expect(queue.some((l) => l.ticketId === t.id)).toBe(false);
    });

    it('once the head approves, queues one letter signed by the head, and e-mails no reply', async () => {
      expect((await act(EV_HEAD, t.id, { type: 'approve' })).status).toBe(201);
      const rows = await letters(t.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ state: 'to_send', recipient_name: `Odile Postale${n}`, body: DRAFT });
      expect(rows[0]!.recipient_address).toBe('12 rue des Écoles\n37550 SAINT-AUBIN');
      expect(await replyMails(t.id)).toBe(0);
      const queue: Letter[] = (await (await as(EV_AGENT)).get('/api/v1/letters').expect(200)).body;
      letter = queue.find((l) => l.ticketId === t.id)!;
      const head = (await ctx.db.query(`SELECT display_name FROM agents WHERE email = $1`, [EV_HEAD]))[0].display_name;
      expect(letter).toMatchObject({
        reference: t.reference,
        state: 'to_send',
        recipient: [`Odile Postale${n}`, '12 rue des Écoles', '37550 SAINT-AUBIN'],
        signatoryName: head,
        sentAt: null,
      });
      const detail: TicketDetail = (await (await as(EV_AGENT)).get(`/api/v1/tickets/${t.id}`).expect(200)).body;
      expect(detail.timeline.filter((e) => e.kind === 'letter_queued').map((e) => e.data)).toEqual([{ letterId: letter.id }]);
    });

    it('prints the letter: letterhead, address, reference, date, text and the head’s signature block; the read is audited', async () => {
      const res = await binary((await as(EV_AGENT)).get(`/api/v1/letters/${letter.id}/pdf`));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['cache-control']).toContain('no-store');
      expect(res.headers['content-disposition']).toContain(`courrier-${t.reference}.pdf`);
      const text = await pdfText(res.body as Buffer);
      const town = (await ctx.db.query(`SELECT name FROM town_settings`))[0].name as string;
      const day = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(new Date());
      for (const fact of [
        town,
        `Odile Postale${n}`,
        '12 rue des Écoles',
        '37550 SAINT-AUBIN',
        `${town}, le ${day}`,
        `Nos références : ${t.reference}`,
        `Objet : votre demande « ${t.subject} »`,
        'la tonte du square des Tilleuls est programmée pour jeudi prochain',
        'Pour le maire et par délégation,',
        letter.signatoryName,
        'Responsable — Service espaces verts',
      ])
        expect(text).toContain(fact);
      const [read] = await ctx.db.query(
        `SELECT actor_label FROM audit_events WHERE action = 'ticket.letter.read' AND entity_id = $1 ORDER BY id DESC LIMIT 1`,
        [t.id],
      );
      expect(read.actor_label).toContain(EV_AGENT);
    });

    it('hides it from another department: not listed, PDF and "sent" answer 404, nothing changes', async () => {
      const other: Letter[] = (await (await as(VOIRIE_AGENT)).get('/api/v1/letters').expect(200)).body;
      expect(other.some((l) => l.id === letter.id)).toBe(false);
      expect((await (await as(VOIRIE_HEAD)).get(`/api/v1/letters/${letter.id}/pdf`)).status).toBe(404);
      const refused = await (await as(VOIRIE_AGENT)).post(`/api/v1/letters/${letter.id}/sent`).send({});
      expect(refused.status).toBe(404);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((await letters(t.id))[0]!.state).toBe('to_send');
      expect((await (await as(EV_AGENT)).get('/api/v1/letters/not-a-uuid/pdf')).status).toBe(404);
      expect((await (await as(EV_AGENT)).get('/api/v1/letters').query({ state: 'lost' })).status).toBe(400);
      // the ticket page's panel: nothing of another department's request either
      expect((await (await as(VOIRIE_AGENT)).get('/api/v1/letters').query({ ticketId: t.id }).expect(200)).body).toEqual([]);
      const bad = await (await as(EV_AGENT)).get('/api/v1/letters').query({ ticketId: 'GRC-1' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('ticketId');
    });

    it('marks it sent: on the timeline, audited, listed as sent with who posted it; a second time is a 409', async () => {
      const before = await version(t.id);
      const sent: Letter = (await (await as(EV_AGENT)).post(`/api/v1/letters/${letter.id}/sent`).send({}).expect(200)).body;
      expect(sent).toMatchObject({ id: letter.id, state: 'sent', sentBy: { displayName: expect.any(String) } });
      expect(sent.sentAt).not.toBeNull();
      expect(await version(t.id)).toBe(before + 1);
      const detail: TicketDetail = (await (await as(EV_AGENT)).get(`/api/v1/tickets/${t.id}`).expect(200)).body;
      const event = detail.timeline.find((e) => e.kind === 'letter_sent');
      expect(event).toMatchObject({ data: { letterId: letter.id }, actor: { id: await d.agent(EV_AGENT) } });
      const [audit] = await ctx.db.query(
        `SELECT changes FROM audit_events WHERE action = 'ticket.letter_sent' AND entity_id = $1 ORDER BY id DESC LIMIT 1`,
        [t.id],
      );
      expect(audit.changes.letter).toEqual({ before: 'to_send', after: 'sent' });
      const again = await (await as(EV_AGENT)).post(`/api/v1/letters/${letter.id}/sent`).send({});
      expect(again.status).toBe(409);
      expect(again.body.errors[0]).toMatchObject({ code: 'letter.already_sent', field: 'state' });
      expect(await version(t.id)).toBe(before + 1);
      const toSend: Letter[] = (await (await as(EV_AGENT)).get('/api/v1/letters').expect(200)).body;
      expect(toSend.some((l) => l.id === letter.id)).toBe(false);
      const posted: Letter[] = (await (await as(EV_AGENT)).get('/api/v1/letters').query({ state: 'sent' }).expect(200)).body;
      expect(posted.find((l) => l.id === letter.id)).toMatchObject({ state: 'sent' });
      // the ticket page's panel lists the request's letters whatever their state
      const ofTicket: Letter[] = (await (await as(EV_AGENT)).get('/api/v1/letters').query({ ticketId: t.id }).expect(200)).body;
      expect(ofTicket.map((l) => [l.id, l.state])).toEqual([[letter.id, 'sent']]);
      expect((await (await as(EV_AGENT)).get('/api/v1/letters').query({ ticketId: t.id, state: 'to_send' }).expect(200)).body).toEqual([]);
    });
  });

  describe('the delivery mode of a direct reply (no circuit)', () => {
    const reply = async (t: TicketDetail) =>
      (await as(VOIRIE_AGENT))
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ kind: 'reply', body: 'Le trou sera rebouché demain.', version: await version(t.id) })
        .expect(201);

    it('a letter for a request received by post, even from a citizen with an e-mail; the agent signs', async () => {
      const t = await newTicket(VOIRIE_AGENT, 'nid-de-poule', 'mail', { ...ADDRESS, email: `lettre${n}@citoyens.example` });
      await reply(t);
      expect(await letters(t.id)).toHaveLength(1);
      expect(await replyMails(t.id)).toBe(0);
      const [row] = await ctx.db.query(`SELECT signatory_title FROM ticket_letters WHERE ticket_id = $1`, [t.id]);
      expect(row.signatory_title).toBe((await ctx.db.query(`SELECT name FROM departments WHERE code = 'voirie'`))[0].name);
    });

    it('a letter for a phone request from a citizen without e-mail; an e-mail (no letter) when there is one', async () => {
      const post = await newTicket(VOIRIE_AGENT, 'nid-de-poule', 'phone', ADDRESS);
      await reply(post);
      expect(await letters(post.id)).toHaveLength(1);
      const mail = await newTicket(VOIRIE_AGENT, 'nid-de-poule', 'phone', { ...ADDRESS, email: `tel${n}@citoyens.example` });
      await reply(mail);
      expect(await letters(mail.id)).toEqual([]);
      expect(await replyMails(mail.id)).toBe(1);
    });

    it('nothing for a counter request without a postal address: e-mailed when it can be', async () => {
      const t = await newTicket(VOIRIE_AGENT, 'nid-de-poule', 'counter', { email: `guichet${n}@citoyens.example` });
      await reply(t);
      expect(await letters(t.id)).toEqual([]);
      expect(await replyMails(t.id)).toBe(1);
    });
  });

  describe('reply templates per department and category', () => {
    it('proposes the templates written for the ticket first (the demo pack ships them), the other services’ last', async () => {
      const t = await newTicket(VOIRIE_AGENT, 'nid-de-poule', 'phone', ADDRESS);
      const list: ReplyTemplate[] = (
        await (await as(VOIRIE_AGENT)).get('/api/v1/mail/reply-templates').query({ ticketId: t.id }).expect(200)
      ).body;
      expect(list.length).toBeGreaterThanOrEqual(12);
      expect(list[0]).toMatchObject({ name: 'Nid-de-poule constaté', fit: 'exact', departmentId: await d.department('voirie') });
      const fits = list.map((x) => x.fit);
      const rank = { exact: 0, category: 1, department: 2, general: 3, other: 4 } as const;
      expect(fits.map((f) => rank[f!])).toEqual([...fits.map((f) => rank[f!])].sort((a, b) => a - b));
      expect(list.find((x) => x.name === 'Accusé de prise en charge')?.fit).toBe('general');
      expect(list.find((x) => x.name === 'Rendez-vous de collecte des encombrants')?.fit).toBe('other');
      // without a ticket: the plain list, no ranking
      const plain: ReplyTemplate[] = (await (await as(VOIRIE_AGENT)).get('/api/v1/mail/reply-templates').expect(200)).body;
      expect(plain.every((x) => x.fit === undefined)).toBe(true);
      // another department's ticket: 404, as the ticket is
      const theirs = await newTicket(EV_AGENT, 'aire-de-jeux', 'phone', ADDRESS);
      expect((await (await as(VOIRIE_AGENT)).get('/api/v1/mail/reply-templates').query({ ticketId: theirs.id })).status).toBe(404);
    });

    it('lets the administrator scope a template; an unknown department or category is a 400 naming the field', async () => {
      const admin = await as(ADMIN);
      const created: ReplyTemplate = (
        await admin
          .post('/api/v1/mail/reply-templates')
          .send({ name: `Éclairage ${n}`, body: 'Bonjour {{citizenName}}', categoryId: await d.category('lampadaire-en-panne') })
          .expect(201)
      ).body;
      expect(created).toMatchObject({ departmentId: null, categoryId: await d.category('lampadaire-en-panne') });
      const updated: ReplyTemplate = (
        await admin
          .put(`/api/v1/mail/reply-templates/${created.id}`)
          .send({ name: created.name, body: created.body, departmentId: await d.department('eclairage'), categoryId: null })
          .expect(200)
      ).body;
      expect(updated).toMatchObject({ departmentId: await d.department('eclairage'), categoryId: null });
      const bad = await admin
        .put(`/api/v1/mail/reply-templates/${created.id}`)
        .send({ name: created.name, body: created.body, departmentId: '00000000-0000-4000-8000-000000000000' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ field: 'departmentId' });
      const notUuid = await admin.post('/api/v1/mail/reply-templates').send({ name: `X${n}`, body: 'x', categoryId: 'lampadaire' });
      expect(notUuid.status).toBe(400);
      const [row] = await ctx.db.query(`SELECT department_id FROM mail_reply_templates WHERE id = $1`, [created.id]);
      expect(row.department_id).toBe(await d.department('eclairage'));
      const [audit] = await ctx.db.query(
        `SELECT changes FROM audit_events WHERE action = 'mail.reply_template.update' AND entity_id = $1 ORDER BY id DESC LIMIT 1`,
        [created.id],
      );
      expect(audit.changes.departmentId.after).toBe(await d.department('eclairage'));
      await admin.delete(`/api/v1/mail/reply-templates/${created.id}`).expect(204);
    });
  });
});
