import { encodeCursor, type NotificationItem, type NotificationPage } from '@grc/domain';
import { TimersProcessor } from '../src/modules/timers/timers.processor';
import {
  ADMIN,
  ids,
  DST_HEAD,
  ECLAIRAGE_HEAD,
  ELU,
  EV_AGENT,
  EV_HEAD,
  VOIRIE_AGENT,
  VOIRIE_ECLAIRAGE_AGENT,
  VOIRIE_HEAD,
} from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

/**
 * The agents' notifications through the API, real PostgreSQL: rows written by a real SLA escalation
 * (timers fired by the reconciler) and a real validation circuit, then who sees what (assignee, head,
 * the department's other agents, other departments, the direction above), read state per agent for
 * shared rows, read-all, keyset pagination, bad input.
 */
describe('notifications', () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  const as = (email: string) => ctx.as(email);

  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
  });
  afterAll(() => ctx.close());

  /** Every notification the agent receives, walking all pages. */
  const all = async (email: string, query: Record<string, string | number> = {}): Promise<NotificationItem[]> => {
    const out: NotificationItem[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const res = await (await as(email)).get('/api/v1/notifications').query({ limit: 100, ...query, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      const page = res.body as NotificationPage;
      out.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) return out;
    }
    throw new Error('too many pages');
  };
  const ofTicket = async (email: string, ticketId: string) => (await all(email)).filter((n) => n.ticket?.id === ticketId);
  const unread = async (email: string): Promise<number> =>
    ((await (await as(email)).get('/api/v1/notifications/unread-count').expect(200)).body as { unread: number }).unread;
  const version = async (id: string): Promise<number> => (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [id]))[0].version;
  const createTicket = async (email: string, category: string, subject: string) => {
    const res = await (await as(email)).post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: await d.category(category),
      subject,
      description: 'Demande de test des notifications.',
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; reference: string; version: number; department: { id: string; code: string } };
  };
  /** A notification written the way the SLA engine writes one for a department (role null: the queue). */
  const insertShared = async (
    role: string | null,
    departmentCode: string,
    ticket: { id: string; reference: string },
    kind = 'sla.sla_escalated',
    atPercent = 125,
  ) => {
    const [row] = await ctx.db.query(
      `INSERT INTO notifications (recipient_role, recipient_department_id, ticket_id, kind, data) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [
        role,
        await d.department(departmentCode),
        ticket.id,
        kind,
        JSON.stringify({
          target: 'resolution',
          atPercent,
          generation: 0,
          deadline: '2026-03-12T16:00:00.000Z',
          actions: [],
          reference: ticket.reference,
          subject: 'Queue',
        }),
      ],
    );
    return String(row.id);
  };

  describe('a real SLA escalation (timers fired by the reconciler)', () => {
    let ticket: Awaited<ReturnType<typeof createTicket>>;
    let julieBefore: number;

    beforeAll(async () => {
      ticket = await createTicket(VOIRIE_AGENT, 'trottoir-degrade', 'Trottoir défoncé devant l’école');
      expect(ticket.department.code).toBe('voirie');
      const me = await d.agent(VOIRIE_AGENT);
      await (
        await as(VOIRIE_AGENT)
      )
        .post(`/api/v1/tickets/${ticket.id}/assign`)
        .send({ assigneeId: me, version: await version(ticket.id) })
        .expect(201);
      julieBefore = await unread(VOIRIE_AGENT);
      // the resolution ladder (standard policy): 75 % notify the assignee, 100 % notify the head + breached, 125 % back to the queue
      await ctx.db.query(
        `UPDATE timers SET due_at = now() - interval '5 seconds' WHERE ticket_id = $1 AND payload->>'target' = 'resolution'`,
        [ticket.id],
      );
      await ctx.app.get(TimersProcessor).reconcile(false);
      const fired = await ctx.db.query(`SELECT state FROM timers WHERE ticket_id = $1 AND payload->>'target' = 'resolution'`, [ticket.id]);
      expect(fired.map((r: { state: string }) => r.state)).toEqual(['fired', 'fired', 'fired']);
    });

    it('the assignee sees the 75 % warning, addressed to her, with a code and its facts (no sentence) and the ticket link', async () => {
      const mine = await ofTicket(VOIRIE_AGENT, ticket.id);
      expect(mine).toHaveLength(1);
      const [n] = mine;
      expect(n).toMatchObject({
        kind: 'sla.sla_warning',
        topic: 'sla_warning',
        readAt: null,
        audience: { kind: 'agent' },
        ticket: { id: ticket.id, reference: ticket.reference, subject: 'Trottoir défoncé devant l’école', accessible: true },
        details: { target: 'resolution', atPercent: 75 },
      });
      expect(n.id).toMatch(/^\d+$/);
      // the API sends a code and its facts, no sentence (the console words them: notification-words.ts)
      expect(n.code).toBe('notification.sla_warning');
      expect(n.params).toEqual({
        reference: ticket.reference,
        subject: 'Trottoir défoncé devant l’école',
        target: 'resolution',
        atPercent: 75,
        deadline: n.details.deadline,
        template: null,
        comment: null,
        kind: 'sla.sla_warning',
      });
      expect(n.params.deadline).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(n).not.toHaveProperty('message');
      expect(await unread(VOIRIE_AGENT)).toBe(julieBefore + 1);
    });

    it('the voirie head sees the breach, addressed to the heads of Voirie; not the assignee’s warning', async () => {
      const head = await ofTicket(VOIRIE_HEAD, ticket.id);
      expect(head.map((n) => n.kind)).toEqual(['sla.sla_breached']);
      expect(head[0]).toMatchObject({
        topic: 'sla_breached',
        readAt: null,
        audience: { kind: 'role', role: 'head', department: { code: 'voirie', name: expect.any(String) } },
        ticket: { reference: ticket.reference, accessible: true },
      });
      expect(head[0].code).toBe('notification.sla_breached');
      expect(head[0].params).toMatchObject({ reference: ticket.reference, target: 'resolution', deadline: expect.any(String) });
    });

    it('nobody else sees them: another voirie agent, the head of the direction above, another department, the admin, the élu', async () => {
      for (const email of [VOIRIE_ECLAIRAGE_AGENT, DST_HEAD, ECLAIRAGE_HEAD, EV_AGENT, EV_HEAD, ADMIN, ELU]) {
        expect({ email, seen: await ofTicket(email, ticket.id) }).toEqual({ email, seen: [] });
      }
    });

    it('a head’s read is his own: the assignee’s warning stays unread, and he cannot touch it (404)', async () => {
      const [breach] = await ofTicket(VOIRIE_HEAD, ticket.id);
      const [warning] = await ofTicket(VOIRIE_AGENT, ticket.id);
      const res = await (await as(VOIRIE_HEAD)).post(`/api/v1/notifications/${warning.id}/read`).send({});
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toBe('Notification introuvable.');
      const read = await (await as(VOIRIE_HEAD)).post(`/api/v1/notifications/${breach.id}/read`).send({}).expect(200);
      expect(read.body).toMatchObject({ id: breach.id, readAt: expect.any(String) });
      expect((await ofTicket(VOIRIE_AGENT, ticket.id))[0].readAt).toBeNull();
    });
  });

  describe('a real validation circuit (reponse-simple, espaces verts)', () => {
    it('asks the department’s head to approve, then tells the author the draft was sent back, with the comment', async () => {
      const t = await createTicket(EV_AGENT, 'entretien-espaces-verts', 'Tonte du square Pasteur');
      const submit = await (
        await as(EV_AGENT)
      )
        .post(`/api/v1/tickets/${t.id}/workflow/actions`)
        .send({ version: await version(t.id), type: 'submit_draft', text: 'Bonjour, la tonte aura lieu lundi.' });
      expect(submit.status).toBe(201);
      const head = await ofTicket(EV_HEAD, t.id);
      expect(head).toHaveLength(1);
      expect(head[0]).toMatchObject({
        kind: 'workflow',
        topic: 'workflow',
        details: { template: 'workflow.approval_requested' },
        audience: { kind: 'role', role: 'head', department: { code: 'espaces-verts' } },
        ticket: { reference: t.reference, subject: 'Tonte du square Pasteur', accessible: true },
      });
      expect(head[0].code).toBe('notification.workflow.approval_requested');
      expect(head[0].params).toMatchObject({ reference: t.reference, subject: 'Tonte du square Pasteur', comment: null });
      expect(await ofTicket(EV_AGENT, t.id)).toEqual([]);

      const reject = await (
        await as(EV_HEAD)
      )
        .post(`/api/v1/tickets/${t.id}/workflow/actions`)
        .send({ version: await version(t.id), type: 'reject', comment: 'Précisez l’horaire.' });
      expect(reject.status).toBe(201);
      const author = await ofTicket(EV_AGENT, t.id);
      expect(author).toHaveLength(1);
      expect(author[0]).toMatchObject({ audience: { kind: 'agent' }, details: { template: 'workflow.draft_rejected' } });
      expect(author[0].code).toBe('notification.workflow.draft_rejected');
      expect(author[0].params).toMatchObject({ reference: t.reference, comment: 'Précisez l’horaire.' });
      expect(author[0].details.comment).toBe('Précisez l’horaire.');
      for (const email of [VOIRIE_AGENT, VOIRIE_HEAD, ADMIN]) expect(await ofTicket(email, t.id)).toEqual([]);
    });
  });

  describe('shared notifications: read per agent', () => {
    let ticket: Awaited<ReturnType<typeof createTicket>>;
    let queueId: string;
    let eclairageId: string;

    beforeAll(async () => {
      ticket = await createTicket(VOIRIE_AGENT, 'trottoir-degrade', 'File de la voirie');
      queueId = await insertShared(null, 'voirie', ticket);
      eclairageId = await insertShared(null, 'eclairage', ticket, 'sla.sla_warning', 75);
    });

    it('a department’s queue reaches everybody in it (agents and head), and only them', async () => {
      const has = async (email: string, id: string) => (await all(email)).some((n) => n.id === id);
      expect(await has(VOIRIE_AGENT, queueId)).toBe(true);
      expect(await has(VOIRIE_ECLAIRAGE_AGENT, queueId)).toBe(true);
      expect(await has(VOIRIE_HEAD, queueId)).toBe(true);
      expect(await has(DST_HEAD, queueId)).toBe(false);
      expect(await has(EV_AGENT, queueId)).toBe(false);
      // an agent of two departments gets both queues; the other voirie agent only hers
      expect(await has(VOIRIE_ECLAIRAGE_AGENT, eclairageId)).toBe(true);
      expect(await has(ECLAIRAGE_HEAD, eclairageId)).toBe(true);
      expect(await has(VOIRIE_AGENT, eclairageId)).toBe(false);
      const item = (await all(VOIRIE_AGENT)).find((n) => n.id === queueId)!;
      expect(item.audience).toMatchObject({ kind: 'department', department: { code: 'voirie' } });
      expect(item).toMatchObject({ code: 'notification.sla_escalated', params: { atPercent: 125, target: 'resolution' } });
    });

    it('one agent reading it leaves it unread for the others; reading twice keeps the first time', async () => {
      const julie = await as(VOIRIE_AGENT);
      const karimBefore = await unread(VOIRIE_ECLAIRAGE_AGENT);
      const julieBefore = await unread(VOIRIE_AGENT);
      const first = (await julie.post(`/api/v1/notifications/${queueId}/read`).send({}).expect(200)).body as NotificationItem;
      expect(first.readAt).not.toBeNull();
      expect(await unread(VOIRIE_AGENT)).toBe(julieBefore - 1);
      const again = (await julie.post(`/api/v1/notifications/${queueId}/read`).send({}).expect(200)).body as NotificationItem;
      expect(again.readAt).toBe(first.readAt);
      expect(await unread(VOIRIE_ECLAIRAGE_AGENT)).toBe(karimBefore);
      expect((await all(VOIRIE_ECLAIRAGE_AGENT)).find((n) => n.id === queueId)!.readAt).toBeNull();
      expect((await all(VOIRIE_AGENT, { unread: 'true' })).some((n) => n.id === queueId)).toBe(false);
      expect((await all(VOIRIE_ECLAIRAGE_AGENT, { unread: 'true' })).some((n) => n.id === queueId)).toBe(true);
      // another department's agent cannot read it: it does not exist for him
      expect((await (await as(EV_AGENT)).post(`/api/v1/notifications/${queueId}/read`).send({})).status).toBe(404);
    });

    it('a ticket transferred away since stays listed (the department was told) but is no longer linked', async () => {
      const other = await createTicket(VOIRIE_AGENT, 'trottoir-degrade', 'Transférée ailleurs');
      const id = await insertShared(null, 'voirie', other);
      await ctx.db.query(`UPDATE tickets SET department_id = $1 WHERE id = $2`, [await d.department('espaces-verts'), other.id]);
      const item = (await all(VOIRIE_AGENT)).find((n) => n.id === id)!;
      expect(item.ticket).toMatchObject({ id: other.id, reference: other.reference, accessible: false });
    });
  });

  describe('pagination, unread filter and read-all', () => {
    const inserted: string[] = [];
    beforeAll(async () => {
      const t = await createTicket(VOIRIE_AGENT, 'trottoir-degrade', 'Pagination');
      const karim = await d.agent(VOIRIE_ECLAIRAGE_AGENT);
      // 7 personal ones, two pairs sharing their instant (the id breaks the tie), in the past so that they are the oldest
      const at = [
        '2020-01-01T10:00:00.123456Z',
        '2020-01-01T10:00:00.123456Z',
        '2020-01-01T11:00:00Z',
        '2020-01-01T12:00:00Z',
        '2020-01-01T12:00:00Z',
        '2020-01-01T13:00:00.000001Z',
        '2020-01-01T14:00:00Z',
      ];
      for (const createdAt of at) {
        const [row] = await ctx.db.query(
          `INSERT INTO notifications (recipient_agent_id, ticket_id, kind, data, created_at) VALUES ($1, $2, 'sla.sla_warning', $3, $4) RETURNING id`,
          [
            karim,
            t.id,
            JSON.stringify({ target: 'firstResponse', atPercent: 75, deadline: null, reference: t.reference, subject: 'Pagination' }),
            createdAt,
          ],
        );
        inserted.push(String(row.id));
      }
    });

    it('walks every page newest first without repeating or skipping, with the same items as one big page', async () => {
      const karim = await as(VOIRIE_ECLAIRAGE_AGENT);
      const whole = (await karim.get('/api/v1/notifications').query({ limit: 100 }).expect(200)).body as NotificationPage;
      const walked: NotificationItem[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await karim.get('/api/v1/notifications').query({ limit: 3, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        const page = res.body as NotificationPage;
        expect(page.items.length).toBeLessThanOrEqual(3);
        walked.push(...page.items);
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 50);
      expect(cursor).toBeNull();
      expect(whole.nextCursor).toBeNull();
      expect(walked.map((n) => n.id)).toEqual(whole.items.map((n) => n.id));
      expect(new Set(walked.map((n) => n.id)).size).toBe(walked.length);
      // newest first; same instant: higher id first
      for (let i = 1; i < walked.length; i++) {
        const [a, b] = [walked[i - 1], walked[i]];
        expect(a.createdAt >= b.createdAt).toBe(true);
        if (a.createdAt === b.createdAt) expect(BigInt(a.id) > BigInt(b.id)).toBe(true);
      }
      // ours are the oldest, in reverse order of insertion (ties by id)
      expect(walked.slice(-7).map((n) => n.id)).toEqual([...inserted].reverse());
      expect(walked.find((n) => n.id === inserted[5])!.createdAt).toBe('2020-01-01T13:00:00.000Z');
    });

    it('?unread=true lists only unread ones; read-all up to an id, then everything; other agents are untouched', async () => {
      const karim = await as(VOIRIE_ECLAIRAGE_AGENT);
      const julieBefore = await unread(VOIRIE_AGENT);
      await karim.post(`/api/v1/notifications/${inserted[6]}/read`).send({}).expect(200);
      const unreadOnly = await all(VOIRIE_ECLAIRAGE_AGENT, { unread: 'true' });
      expect(unreadOnly.every((n) => n.readAt === null)).toBe(true);
      expect(unreadOnly.map((n) => n.id)).not.toContain(inserted[6]);
      expect(unreadOnly.map((n) => n.id)).toContain(inserted[5]);
      const page = (await karim.get('/api/v1/notifications').query({ unread: 'true', limit: 2 }).expect(200)).body as NotificationPage;
      expect(page.unread).toBe(unreadOnly.length);
      expect(await unread(VOIRIE_ECLAIRAGE_AGENT)).toBe(unreadOnly.length);

      const upTo = await karim.post('/api/v1/notifications/read-all').send({ upToId: inserted[2] }).expect(200);
      expect(upTo.body.marked).toBeGreaterThanOrEqual(3);
      const left = await all(VOIRIE_ECLAIRAGE_AGENT, { unread: 'true' });
      expect(left.map((n) => n.id)).toEqual(expect.arrayContaining([inserted[3], inserted[4], inserted[5]]));
      expect(left.map((n) => n.id)).not.toEqual(expect.arrayContaining([inserted[0]]));
      expect(left.every((n) => BigInt(n.id) > BigInt(inserted[2]))).toBe(true);

      const rest = await karim.post('/api/v1/notifications/read-all').send({}).expect(200);
      expect(rest.body).toEqual({ marked: left.length, unread: 0 });
      expect(await unread(VOIRIE_ECLAIRAGE_AGENT)).toBe(0);
      expect(await all(VOIRIE_ECLAIRAGE_AGENT, { unread: 'true' })).toEqual([]);
      expect((await all(VOIRIE_ECLAIRAGE_AGENT)).every((n) => n.readAt !== null)).toBe(true);
      expect((await karim.post('/api/v1/notifications/read-all').send({}).expect(200)).body).toEqual({ marked: 0, unread: 0 });
      // the shared rows karim read are still unread for julie
      expect(await unread(VOIRIE_AGENT)).toBe(julieBefore);
    });
  });

  describe('bad input: clear problem+json', () => {
    const problem = (
      res: { status: number; headers: Record<string, string>; body: { errors?: Array<{ field: string }> } },
      status: number,
      field?: string,
    ) => {
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      if (field) expect(res.body.errors?.map((e) => e.field)).toContain(field);
    };

    it('refuses malformed cursors, limits, flags and unknown parameters', async () => {
      const julie = await as(VOIRIE_AGENT);
      const get = (query: Record<string, string>) => julie.get('/api/v1/notifications').query(query);
      const garbage = await get({ cursor: 'not a cursor!' });
      problem(garbage, 400, 'cursor');
      expect(garbage.body.detail).toMatch(/Curseur de pagination invalide/);
      problem(await get({ cursor: encodeCursor(['2026-01-01T00:00:00.000000Z']) }), 400, 'cursor');
      problem(await get({ cursor: encodeCursor(['yesterday', '12']) }), 400, 'cursor');
      problem(await get({ cursor: encodeCursor(['2026-01-01T00:00:00.000000Z', 12]) }), 400, 'cursor');
      problem(await get({ cursor: encodeCursor(['2026-01-01T00:00:00.000000Z', '-1']) }), 400, 'cursor');
      problem(await get({ limit: '0' }), 400, 'limit');
      problem(await get({ limit: '101' }), 400, 'limit');
      problem(await get({ limit: 'ten' }), 400, 'limit');
      problem(await get({ unread: 'maybe' }), 400, 'unread');
      problem(await get({ mine: 'true' }), 400, 'mine');
      problem(await julie.post('/api/v1/notifications/read-all').send({ upToId: 'abc' }), 400, 'upToId');
      problem(await julie.post('/api/v1/notifications/read-all').send({ everything: true }), 400, 'everything');
      // a well-formed cursor past the end: an empty page
      const past = await get({ cursor: encodeCursor(['1970-01-01T00:00:00.000000Z', '1']) }).expect(200);
      expect(past.body).toMatchObject({ items: [], nextCursor: null });
    });

    it('answers 404 for unknown and malformed ids, 401 without a session, 403 without the CSRF header', async () => {
      const julie = await as(VOIRIE_AGENT);
      for (const id of ['999999999999', 'abc', '0', '1e3', '12345678901234567890123']) {
        const res = await julie.post(`/api/v1/notifications/${id}/read`).send({});
        problem(res, 404);
        expect(res.body.detail).toBe('Notification introuvable.');
      }
      problem(await ctx.http.get('/api/v1/notifications'), 401);
      problem(await ctx.http.get('/api/v1/notifications/unread-count'), 401);
      const [any] = await all(VOIRIE_AGENT);
      problem(await julie.post(`/api/v1/notifications/${any.id}/read`).set('X-Requested-With', '').send({}), 403);
    });
  });
});
