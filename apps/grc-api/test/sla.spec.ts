import { addBusinessMinutes, addWorkingDays, type BusinessCalendar, type TicketSlaDto } from '@grc/domain';
import { TimersProcessor } from '../src/modules/timers/timers.processor';
import { ADMIN, ids, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

type Client = Awaited<ReturnType<TestContext['loginAs']>>;

/** SLA engine through the real API, PostgreSQL and Redis: clocks, pauses, recomputes, escalations, admin. */
describe('SLA', () => {
  let ctx: TestContext;
  let agent: Client;
  let admin: Client;
  let d: Awaited<ReturnType<typeof ids>>;

  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
    agent = await ctx.loginAs(VOIRIE_AGENT);
    admin = await ctx.loginAs(ADMIN);
  });
  afterAll(() => ctx.close());

  const create = async (category: string, extra: Record<string, unknown> = {}) => {
    const res = await agent.post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: await d.category(category),
      subject: 'Demande SLA',
      description: 'Test des délais.',
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; version: number; createdAt: string };
  };
  const sla = async (id: string, client: Client = agent): Promise<TicketSlaDto> =>
    (await client.get(`/api/v1/tickets/${id}/sla`).expect(200)).body;
  const version = async (id: string): Promise<number> => (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [id]))[0].version;
  const timers = (
    ticketId: string,
  ): Promise<Array<{ key: string; state: string; due_at: Date; payload: { target: string; generation: number } }>> =>
    ctx.db.query(`SELECT key, state, due_at, payload FROM timers WHERE ticket_id = $1 ORDER BY key`, [ticketId]);

  it('starts the clocks of the matching demo policy on creation, with exact business-time deadlines and escalation timers', async () => {
    const t = await create('nid-de-poule');
    const view = await sla(t.id);
    expect(view.clocks.map((c) => [c.target, c.policyId, c.status])).toEqual([
      ['firstResponse', 'securite-voirie', 'running'],
      ['resolution', 'securite-voirie', 'running'],
    ]);
    // voirie is under the DST: its calendar (services techniques) applies, counted from the creation
    const [cal] = await ctx.db.query(`SELECT data FROM sla_calendars c JOIN departments d ON d.id = c.department_id WHERE d.code = 'dst'`);
    expect(view.calendar.name).toBe('Services techniques');
    const started = new Date(view.clocks[0].startedAt);
    expect(view.clocks[0].deadline).toBe(addWorkingDays(cal.data as BusinessCalendar, started, 1).toISOString());
    expect(view.clocks[1].deadline).toBe(addWorkingDays(cal.data as BusinessCalendar, started, 5).toISOString());
    expect(view.dueAt).toBe(view.clocks[0].deadline);
    // the inbox's summary was written with the row (prepared before the insert, not updated after it): the
    // nearest running deadline, counted from the row's own created_at, as refreshSla computes it from ticket_sla
    const [row] = await ctx.db.query(
      `SELECT t.sla_due_at, t.sla_breached, t.created_at,
         (SELECT min(deadline) FROM ticket_sla s WHERE s.ticket_id = t.id AND s.status = 'running') AS nearest
       FROM tickets t WHERE t.id = $1`,
      [t.id],
    );
    expect(started.toISOString()).toBe(row.created_at.toISOString());
    expect(row.sla_due_at.toISOString()).toBe(view.clocks[0].deadline);
    expect(row.sla_due_at.toISOString()).toBe(row.nearest.toISOString());
    expect(row.sla_breached).toBe(false);
    const rows = await timers(t.id);
    expect(rows).toHaveLength(6); // 2 clocks × 3 ladder steps
    expect(rows.every((r) => r.state === 'pending')).toBe(true);
    expect(rows.map((r) => r.key)).toContain(`${t.id}:resolution:125:0`);
  });

  it('stops first response on the first public reply; pauses while waiting for the citizen and resumes after, recording the pause', async () => {
    const t = await create('trottoir-degrade');
    await agent
      .post(`/api/v1/tickets/${t.id}/messages`)
      .send({ kind: 'reply', body: 'Bonjour, nous regardons.', version: await version(t.id) })
      .expect(201);
    let view = await sla(t.id);
    expect(view.clocks.find((c) => c.target === 'firstResponse')).toMatchObject({ status: 'stopped', outcome: 'met_on_time' });
    const before = view.clocks.find((c) => c.target === 'resolution')!.deadline;

    await agent
      .post(`/api/v1/tickets/${t.id}/status`)
      .send({ status: 'waiting_citizen', version: await version(t.id) })
      .expect(201);
    view = await sla(t.id);
    const paused = view.clocks.find((c) => c.target === 'resolution')!;
    expect(paused.status).toBe('paused');
    expect(paused.deadline).toBeNull();
    expect((await timers(t.id)).filter((r) => r.payload.target === 'resolution').every((r) => r.state === 'cancelled')).toBe(true);
    expect(view.dueAt).toBeNull();

    await new Promise((r) => setTimeout(r, 50));
    await agent
      .post(`/api/v1/tickets/${t.id}/status`)
      .send({ status: 'open', version: await version(t.id) })
      .expect(201);
    view = await sla(t.id);
    const resumed = view.clocks.find((c) => c.target === 'resolution')!;
    expect(resumed.status).toBe('running');
    expect(resumed.pauses).toHaveLength(1);
    expect(resumed.pauses[0]).toMatchObject({ reason: 'awaiting_citizen' });
    expect(resumed.pauses[0].to).not.toBeNull();
    expect(new Date(resumed.deadline!).getTime()).toBeGreaterThanOrEqual(new Date(before!).getTime());
    expect(resumed.history.map((h) => h.cause)).toEqual(['started', 'paused', 'resumed']);
    // the same keys are pending again (generation unchanged)
    const res = (await timers(t.id)).filter((r) => r.payload.target === 'resolution');
    expect(res.every((r) => r.state === 'pending' && r.payload.generation === 0)).toBe(true);
    const events = (await agent.get(`/api/v1/tickets/${t.id}`).expect(200)).body.timeline.filter(
      (e: { kind: string }) => e.kind === 'sla_changed',
    );
    expect(events.map((e: { data: { cause: string } }) => e.data.cause)).toEqual(['paused', 'resumed']);
  });

  it('recomputes from the start on a priority change (new generation, old timers cancelled) and explains the move in the timeline', async () => {
    const t = await create('trottoir-degrade');
    const before = await sla(t.id);
    expect(before.clocks[0].policyId).toBe('standard');
    await agent
      .patch(`/api/v1/tickets/${t.id}`)
      .send({ priority: 'urgent', version: await version(t.id) })
      .expect(200);
    const after = await sla(t.id);
    const fr = after.clocks.find((c) => c.target === 'firstResponse')!;
    expect(fr).toMatchObject({ policyId: 'urgent', generation: 1, duration: { amount: 4, unit: 'business_hours' } });
    const [cal] = await ctx.db.query(`SELECT data FROM sla_calendars c JOIN departments d ON d.id = c.department_id WHERE d.code = 'dst'`);
    expect(fr.deadline).toBe(addBusinessMinutes(cal.data as BusinessCalendar, new Date(fr.startedAt), 240).toISOString());
    expect(fr.history.map((h) => h.cause)).toEqual(['started', 'recomputed']);
    expect(fr.history[1].reason).toBe('priority_changed');
    // codes and parameters, worded by the console; no sentence
    expect(fr.history.map((h) => [h.code, h.params])).toEqual([
      ['sla.history.started', { amount: 2, unit: 'working_days' }],
      [
        'sla.history.recomputed',
        { reason: 'priority_changed', amount: 4, unit: 'business_hours', fromAmount: 2, fromUnit: 'working_days' },
      ],
    ]);
    expect(fr.history.some((h) => 'message' in h)).toBe(false);
    // an entry stored before codes (a French sentence, no code) is still read: a code from its cause, never the text
    await ctx.db.query(`UPDATE ticket_sla SET past_history = $2::jsonb WHERE ticket_id = $1 AND target = 'firstResponse'`, [
      t.id,
      JSON.stringify([
        {
          at: '2026-01-05T08:00:00.000Z',
          cause: 'stopped',
          reason: 'met',
          previous: '2026-01-05T07:00:00.000Z',
          deadline: '2026-01-05T07:00:00.000Z',
          generation: 0,
          message: 'Objectif atteint en retard.',
        },
      ]),
    ]);
    const legacy = (await sla(t.id)).clocks.find((c) => c.target === 'firstResponse')!.history[0];
    expect(legacy).toEqual({
      at: '2026-01-05T08:00:00.000Z',
      cause: 'stopped',
      reason: 'met',
      previous: '2026-01-05T07:00:00.000Z',
      deadline: '2026-01-05T07:00:00.000Z',
      generation: 0,
      code: 'sla.history.met_late',
      params: {},
    });
    const rows = await timers(t.id);
    expect(rows.filter((r) => r.payload.generation === 0).every((r) => r.state === 'cancelled')).toBe(true);
    expect(rows.filter((r) => r.payload.generation === 1).every((r) => r.state === 'pending')).toBe(true);
    const timeline = (await agent.get(`/api/v1/tickets/${t.id}`).expect(200)).body.timeline as Array<{
      kind: string;
      body: string;
      data: Record<string, unknown>;
    }>;
    const moved = timeline.filter((e) => e.kind === 'sla_changed');
    expect(moved).toHaveLength(2);
    expect(moved[0].body).toContain('priorité modifiée');
    expect(moved[0].data).toMatchObject({
      cause: 'recomputed',
      reason: 'priority_changed',
      code: 'sla.history.recomputed',
      params: { reason: 'priority_changed' },
    });
  });

  it('fires the ladder once when due (reconciler), as the system: warns, marks breached, notifies the head, unassigns and raises priority', async () => {
    const t = await create('trottoir-degrade');
    const me = await d.agent(VOIRIE_AGENT);
    await agent
      .post(`/api/v1/tickets/${t.id}/assign`)
      .send({ assigneeId: me, version: await version(t.id) })
      .expect(201);
    await ctx.db.query(
      `UPDATE timers SET due_at = now() - interval '5 seconds' WHERE ticket_id = $1 AND payload->>'target' = 'resolution'`,
      [t.id],
    );
    const processor = ctx.app.get(TimersProcessor);
    await processor.reconcile(false);
    await processor.reconcile(false); // a second pass acts on nothing
    const rows = await timers(t.id);
    expect(rows.filter((r) => r.payload.target === 'resolution').map((r) => r.state)).toEqual(['fired', 'fired', 'fired']);
    const detail = (await admin.get(`/api/v1/tickets/${t.id}`).expect(200)).body;
    const kinds = detail.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k === 'sla_warning')).toHaveLength(1);
    expect(kinds.filter((k: string) => k === 'sla_breached')).toHaveLength(1);
    expect(kinds.filter((k: string) => k === 'sla_escalated')).toHaveLength(1);
    expect(detail.assignee).toBeNull();
    expect(detail.priority).toBe('high');
    const sys = detail.timeline.filter((e: { kind: string }) => e.kind.startsWith('sla_w') || e.kind === 'sla_breached');
    expect(sys.every((e: { actor: unknown }) => e.actor === null)).toBe(true);
    const notes = await ctx.db.query(
      `SELECT recipient_agent_id, recipient_role, kind FROM notifications WHERE ticket_id = $1 ORDER BY id`,
      [t.id],
    );
    expect(notes).toHaveLength(2);
    expect(notes).toEqual(
      expect.arrayContaining([
        { recipient_agent_id: me, recipient_role: null, kind: 'sla.sla_warning' },
        { recipient_agent_id: null, recipient_role: 'head', kind: 'sla.sla_breached' },
      ]),
    );
    const view = await sla(t.id);
    expect(view.breached).toBe(true);
    // the raise by the ladder did not restart the clock
    expect(view.clocks.find((c) => c.target === 'resolution')!.generation).toBe(0);
    const audit = await ctx.db.query(`SELECT actor_label FROM audit_events WHERE entity_id = $1 AND action = 'ticket.sla_escalation'`, [
      t.id,
    ]);
    expect(audit).toHaveLength(3);
    expect(audit[0].actor_label).toBe('system:sla');

    // inbox: breached filter and due-soonest sort; heads see the department's breaches
    const inbox = (await admin.get('/api/v1/tickets').query({ breached: 'true', limit: 200 }).expect(200)).body;
    expect(inbox.items.map((i: { id: string }) => i.id)).toContain(t.id);
    expect(inbox.items.every((i: { sla: { breached: boolean } }) => i.sla.breached)).toBe(true);
    const sorted = (await admin.get('/api/v1/tickets').query({ sort: 'due_asc', limit: 30 }).expect(200)).body.items as Array<{
      sla: { dueAt: string | null };
    }>;
    const dues = sorted.map((i) => i.sla.dueAt).filter((x): x is string => x !== null);
    expect(dues.length).toBeGreaterThan(0);
    expect([...dues].sort()).toEqual(dues);
    const next = await admin.get('/api/v1/tickets').query({ sort: 'due_asc', limit: 2 }).expect(200);
    if (next.body.nextCursor)
      await admin.get('/api/v1/tickets').query({ sort: 'due_asc', limit: 2, cursor: next.body.nextCursor }).expect(200);
    const head = await ctx.loginAs(await d.emailOf('voirie', 'head'));
    const breaches = (await head.get('/api/v1/sla/breaches').expect(200)).body;
    expect(breaches.total).toBeGreaterThan(0);
    expect(breaches.departments[0].items[0]).toHaveProperty('reference');
    await agent.get('/api/v1/sla/breaches').expect(403);
  });

  it('refuses an impossible policy with problem+json and field paths; edits policies and calendars with versions and audit', async () => {
    const bad = await admin.post('/api/v1/sla/policies').send({
      id: 'impossible',
      name: 'Impossible',
      match: { priorities: ['critique'] },
      targets: { firstResponse: { amount: -3, unit: 'business_hours' }, resolution: { amount: 1.5, unit: 'working_days' } },
      ladder: [
        { atPercent: 100, actions: [{ type: 'notify', to: 'mayor' }] },
        { atPercent: 50, actions: [] },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'match.priorities[0]',
        'targets.firstResponse.amount',
        'targets.resolution.amount',
        'ladder[0].actions[0].to',
        'ladder[1].atPercent',
        'ladder[1].actions',
      ]),
    );

    // strict bodies: `match: "x"` (stored as a string, it matched every ticket) and unknown fields are refused, nothing stored
    const policies = async () => Number((await ctx.db.query(`SELECT count(*) AS n FROM sla_policies`))[0].n);
    const count = await policies();
    const loose = await admin.post('/api/v1/sla/policies').send({
      id: 'loose-test',
      name: 'Trop large',
      match: 'x',
      targets: { resolution: { amount: 1, unit: 'days' }, extra: 1 },
      ladder: [],
      colour: 'red',
    });
    expect(loose.status).toBe(400);
    expect(loose.body.errors.map((e: { field: string }) => e.field)).toEqual(['match', 'targets.extra', 'colour']);
    expect(await policies()).toBe(count);

    const created = await admin
      .post('/api/v1/sla/policies')
      .send({
        id: 'espaces-verts-test',
        name: 'Espaces verts',
        match: { categoryCodes: ['elagage'] },
        targets: { resolution: { amount: 15, unit: 'working_days' } },
        ladder: [{ atPercent: 100, actions: [{ type: 'mark_breached' }] }],
      })
      .expect(201);
    expect(created.body.version).toBe(1);
    await admin
      .put('/api/v1/sla/policies/espaces-verts-test')
      .send({ ...created.body, name: 'Élagage', version: 1 })
      .expect(200);
    const stale = await admin.put('/api/v1/sla/policies/espaces-verts-test').send({ ...created.body, version: 1 });
    expect(stale.status).toBe(409);
    await admin
      .post('/api/v1/sla/policies')
      .send({ ...created.body })
      .expect(409);
    const unknownCat = await admin
      .post('/api/v1/sla/policies')
      .send({ ...created.body, id: 'x-y', match: { categoryCodes: ['inconnue'] } });
    expect(unknownCat.status).toBe(400);
    expect(unknownCat.body.errors[0].field).toBe('match.categoryCodes[0]');

    const cals = (await admin.get('/api/v1/sla/calendars').expect(200)).body as Array<{
      id: string;
      departmentId: string | null;
      version: number;
      name: string;
      calendar: BusinessCalendar;
    }>;
    const def = cals.find((c) => c.departmentId === null)!;
    const badCal = await admin.put(`/api/v1/sla/calendars/${def.id}`).send({
      name: def.name,
      version: def.version,
      calendar: {
        ...def.calendar,
        weeklyHours: { monday: ['12:00-08:00'] },
        closures: [{ from: '2026-02-30', to: '2026-03-01', label: '' }],
      },
    });
    expect(badCal.status).toBe(400);
    expect(badCal.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['calendar.weeklyHours.monday[0]', 'calendar.closures[0].from', 'calendar.closures[0].label']),
    );
    const ok = await admin
      .put(`/api/v1/sla/calendars/${def.id}`)
      .send({
        name: def.name,
        version: def.version,
        calendar: { ...def.calendar, holidays: { france: true, alsaceMoselle: true } },
      })
      .expect(200);
    expect(ok.body.version).toBe(def.version + 1);
    const staleCal = await admin
      .put(`/api/v1/sla/calendars/${def.id}`)
      .send({ name: def.name, version: def.version, calendar: def.calendar });
    expect(staleCal.status).toBe(409);
    const dup = await admin.post('/api/v1/sla/calendars').send({ name: 'Autre défaut', calendar: def.calendar });
    expect(dup.status).toBe(409);
    const audit = await ctx.db.query(`SELECT action FROM audit_events WHERE action LIKE 'sla.%' ORDER BY id`);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['sla.policy.create', 'sla.policy.update', 'sla.calendar.update']),
    );
    await agent.get('/api/v1/sla/policies').expect(403);
  });

  it('moves a department calendar to another department that has none (409 when taken, never to or from the town default)', async () => {
    const cals = (await admin.get('/api/v1/sla/calendars').expect(200)).body as Array<{
      id: string;
      departmentId: string | null;
      version: number;
      name: string;
      calendar: BusinessCalendar;
    }>;
    const def = cals.find((c) => c.departmentId === null)!;
    const [enfance, education, dst] = await Promise.all([d.department('enfance'), d.department('education'), d.department('dst')]);
    const created = await admin
      .post('/api/v1/sla/calendars')
      .send({ name: 'Accueil périscolaire', departmentId: enfance, calendar: def.calendar })
      .expect(201);
    try {
      const moved = await admin
        .put(`/api/v1/sla/calendars/${created.body.id}`)
        .send({ name: 'Direction éducation', departmentId: education, calendar: def.calendar, version: 1 })
        .expect(200);
      expect(moved.body).toMatchObject({ departmentId: education, name: 'Direction éducation', version: 2 });
      const kept = await admin
        .put(`/api/v1/sla/calendars/${created.body.id}`)
        .send({ name: 'Direction éducation', calendar: def.calendar, version: 2 })
        .expect(200);
      expect(kept.body.departmentId).toBe(education);
      const taken = await admin
        .put(`/api/v1/sla/calendars/${created.body.id}`)
        .send({ name: 'x', departmentId: dst, calendar: def.calendar, version: 3 });
      expect(taken.status).toBe(409);
      expect(taken.body.errors[0]).toMatchObject({ field: 'departmentId', code: 'duplicate_calendar' });
      const toDefault = await admin
        .put(`/api/v1/sla/calendars/${created.body.id}`)
        .send({ name: 'x', departmentId: null, calendar: def.calendar, version: 3 });
      expect(toDefault.status).toBe(409);
      expect(toDefault.body.errors[0].field).toBe('departmentId');
      const current = (await admin.get('/api/v1/sla/calendars').expect(200)).body.find((c: { id: string }) => c.id === def.id);
      const fromDefault = await admin
        .put(`/api/v1/sla/calendars/${def.id}`)
        .send({ name: def.name, departmentId: enfance, calendar: current.calendar, version: current.version });
      expect(fromDefault.status).toBe(409);
      const unknown = await admin
        .put(`/api/v1/sla/calendars/${created.body.id}`)
        .send({ name: 'x', departmentId: '00000000-0000-4000-8000-000000000000', calendar: def.calendar, version: 3 });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors[0].field).toBe('departmentId');
      const audit = await ctx.db.query(
        `SELECT changes FROM audit_events WHERE action = 'sla.calendar.update' AND entity_id = $1 ORDER BY id`,
        [created.body.id],
      );
      expect(audit[0].changes.departmentId).toEqual({ before: enfance, after: education });
      expect(audit[1].changes.departmentId).toBeUndefined();
    } finally {
      await admin.delete(`/api/v1/sla/calendars/${created.body.id}`).expect(204);
    }
  });

  it('hides a ticket’s SLA outside the agent’s departments (404)', async () => {
    const t = await create('acte-naissance');
    await agent.get(`/api/v1/tickets/${t.id}/sla`).expect(404);
    const view = await sla(t.id, admin);
    expect(view.clocks[0].policyId).toBe('etat-civil');
  });
});
