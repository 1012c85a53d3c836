import { addWorkingDays, businessMinutesBetween, countdownMinutes, type BusinessCalendar, type TicketSlaDto } from '@grc/domain';
import { ids, DGS, EV_AGENT, URBA_AGENT, URBA_HEAD, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

/** SLA clocks that follow the ticket's department (transfers) and its validation circuit (per-step targets). */
describe('SLA: transfers and circuit steps', () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  const as = (email: string) => ctx.as(email);

  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
  });
  afterAll(() => ctx.close());

  const version = async (id: string): Promise<number> => (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [id]))[0].version;
  const sla = async (email: string, id: string): Promise<TicketSlaDto> =>
    (await (await as(email)).get(`/api/v1/tickets/${id}/sla`).expect(200)).body;
  const calendar = async (department: string | null): Promise<BusinessCalendar> =>
    (
      await ctx.db.query(
        department
          ? `SELECT data FROM sla_calendars c JOIN departments d ON d.id = c.department_id WHERE d.code = $1`
          : `SELECT data FROM sla_calendars WHERE department_id IS NULL`,
        department ? [department] : [],
      )
    )[0].data;
  const create = async (email: string, category: string) => {
    const res = await (await as(email)).post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: await d.category(category),
      subject: `Délais ${category}`,
      description: 'Test des délais.',
    });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const act = async (email: string, id: string, body: Record<string, unknown>) => {
    const res = await (await as(email)).post(`/api/v1/tickets/${id}/workflow/actions`).send({ version: await version(id), ...body });
    if (res.status !== 201) throw new Error(`${email} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const pendingKeys = async (id: string, target: string): Promise<string[]> =>
    (
      await ctx.db.query(`SELECT key FROM timers WHERE ticket_id = $1 AND state = 'pending' AND payload->>'target' = $2 ORDER BY key`, [
        id,
        target,
      ])
    ).map((r: { key: string }) => r.key);

  it('a transfer recomputes every running clock on the new department’s calendar, with a new generation and the reason in the timeline', async () => {
    const t = await create(VOIRIE_AGENT, 'trottoir-degrade');
    const before = await sla(VOIRIE_AGENT, t.id);
    expect(before.calendar.name).toBe('Services techniques');
    const started = new Date(before.clocks[0].startedAt);
    expect(before.clocks.find((c) => c.target === 'resolution')!.deadline).toBe(
      addWorkingDays(await calendar('dst'), started, 10).toISOString(),
    );

    const res = await (
      await as(VOIRIE_AGENT)
    )
      .post(`/api/v1/tickets/${t.id}/transfer`)
      .send({ departmentId: await d.department('etat-civil'), reason: 'Relève de l’état civil', version: await version(t.id) });
    expect(res.status).toBe(201);

    // the voirie agent no longer sees it: read the clocks as the town's admin
    const after = await sla('admin@saint-aubin.fr', t.id);
    expect(after.calendar.name).toBe('Hôtel de ville');
    const town = await calendar(null);
    const resolution = after.clocks.find((c) => c.target === 'resolution')!;
    const first = after.clocks.find((c) => c.target === 'firstResponse')!;
    expect(resolution.deadline).toBe(addWorkingDays(town, started, 10).toISOString());
    expect(first.deadline).toBe(addWorkingDays(town, started, 2).toISOString());
    expect(resolution).toMatchObject({ generation: 1, status: 'running' });
    expect(resolution.history.map((h) => [h.cause, h.reason])).toEqual([
      ['started', null],
      ['recomputed', 'department_changed'],
    ]);
    // escalation timers follow: generation 0 cancelled, generation 1 pending at the new times
    expect((await pendingKeys(t.id, 'resolution')).every((k) => k.endsWith(':1'))).toBe(true);
    expect(await pendingKeys(t.id, 'resolution')).toHaveLength(3);
    const moved = await ctx.db.query(`SELECT body, data FROM ticket_events WHERE ticket_id = $1 AND kind = 'sla_changed' ORDER BY id`, [
      t.id,
    ]);
    expect(moved).toHaveLength(2);
    expect(moved[0].body).toContain('demande transférée');
    expect(moved[0].data).toMatchObject({ cause: 'recomputed', reason: 'department_changed' });
  });

  it('a transfer between departments on the same calendar leaves the clocks as they are', async () => {
    const t = await create(VOIRIE_AGENT, 'trottoir-degrade');
    const before = await sla(VOIRIE_AGENT, t.id);
    await (
      await as(VOIRIE_AGENT)
    )
      .post(`/api/v1/tickets/${t.id}/transfer`)
      .send({ departmentId: await d.department('espaces-verts'), reason: 'Racines d’arbre', version: await version(t.id) })
      .expect(201);
    const after = await sla('admin@saint-aubin.fr', t.id);
    expect(after.calendar.name).toBe('Services techniques');
    expect(after.clocks.map((c) => [c.target, c.generation, c.deadline])).toEqual(before.clocks.map((c) => [c.target, 0, c.deadline]));
    expect(await ctx.db.query(`SELECT 1 FROM ticket_events WHERE ticket_id = $1 AND kind = 'sla_changed'`, [t.id])).toEqual([]);
  });

  it('a policy edited "for open requests too" recomputes their running clocks (audited, explained); without it they keep their terms', async () => {
    const admin = await as('admin@saint-aubin.fr');
    // a policy of its own, so that no other spec's request runs under it
    const created = await admin
      .post('/api/v1/sla/policies')
      .send({
        id: 'aires-de-jeux-comptoir',
        name: 'Aires de jeux (accueil)',
        match: { categoryCodes: ['aire-de-jeux'], priorities: ['low'], channels: ['counter'] },
        targets: { firstResponse: { amount: 1, unit: 'working_days' }, resolution: { amount: 10, unit: 'working_days' } },
        ladder: [{ atPercent: 100, actions: [{ type: 'mark_breached' }] }],
      })
      .expect(201);
    const open = async () => {
      const res = await (
        await as(EV_AGENT)
      )
        .post('/api/v1/tickets')
        .send({
          channel: 'counter',
          priority: 'low',
          categoryId: await d.category('aire-de-jeux'),
          subject: 'Balançoire cassée',
          description: 'La chaîne a cédé.',
        })
        .expect(201);
      return res.body.id as string;
    };
    const [a, b] = [await open(), await open()];
    const resolvedB = async () => (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [b]))[0].version;
    await (
      await as(EV_AGENT)
    )
      .post(`/api/v1/tickets/${b}/status`)
      .send({ status: 'resolved', version: await resolvedB() })
      .expect(201);
    const before = await sla('admin@saint-aubin.fr', a);
    expect(before.clocks.map((c) => c.policyId)).toEqual(['aires-de-jeux-comptoir', 'aires-de-jeux-comptoir']);
    const cal = await calendar('dst');
    const started = new Date(before.clocks[0].startedAt);
    const edit = (extra: Record<string, unknown>, version: number, days: number) =>
      admin.put('/api/v1/sla/policies/aires-de-jeux-comptoir').send({
        id: 'aires-de-jeux-comptoir',
        name: 'Aires de jeux (accueil)',
        match: created.body.match,
        ladder: created.body.ladder,
        targets: { firstResponse: { amount: 1, unit: 'working_days' }, resolution: { amount: days, unit: 'working_days' } },
        version,
        ...extra,
      });

    // bad input changes nothing
    const bad = await edit({ applyToOpen: 'oui' }, created.body.version, 15).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'applyToOpen' })]);

    const versionOfA = async () => (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [a]))[0].version as number;
    const aBefore = await versionOfA();
    const applied = await edit({ applyToOpen: true }, created.body.version, 15).expect(200);
    expect(applied.body).toMatchObject({ version: created.body.version + 1, reappliedTo: 1 });
    // a change of the ticket like any other (TicketsService.mutateIn): its version moves, an open console sees it
    expect(await versionOfA()).toBe(aBefore + 1);
    const after = await sla('admin@saint-aubin.fr', a);
    const res = after.clocks.find((c) => c.target === 'resolution')!;
    expect(res).toMatchObject({ generation: 1, duration: { amount: 15, unit: 'working_days' } });
    expect(res.deadline).toBe(addWorkingDays(cal, started, 15).toISOString());
    expect(res.history.map((h) => [h.cause, h.reason])).toEqual([
      ['started', null],
      ['recomputed', 'policy_changed'],
    ]);
    expect((await pendingKeys(a, 'resolution')).every((k) => k.endsWith(':1'))).toBe(true);
    const [audit] = await ctx.db.query(`SELECT actor_id FROM audit_events WHERE action = 'ticket.sla_recompute' AND entity_id = $1`, [a]);
    expect(audit.actor_id).toBe(await d.agent('admin@saint-aubin.fr'));
    const [moved] = await ctx.db.query(
      `SELECT body FROM ticket_events WHERE ticket_id = $1 AND kind = 'sla_changed' AND data->>'target' = 'resolution'`,
      [a],
    );
    expect(moved.body).toContain('politique modifiée');
    // the resolved request keeps the terms it was met under
    expect((await sla('admin@saint-aubin.fr', b)).clocks.every((c) => c.generation === 0 && c.status === 'stopped')).toBe(true);

    // terms that put the request past its escalation points: recorded, not acted upon; past the deadline: breached
    const [{ version: v2 }] = await ctx.db.query(`SELECT version FROM sla_policies WHERE id = 'aires-de-jeux-comptoir'`);
    await ctx.db.query(
      `UPDATE ticket_sla SET events = jsonb_set(events, '{0,at}', to_jsonb((now() - interval '30 days')::text)) WHERE ticket_id = $1`,
      [a],
    );
    const tightened = await edit({ applyToOpen: true }, v2, 1).expect(200);
    expect(tightened.body.reappliedTo).toBe(1);
    const late = (await sla('admin@saint-aubin.fr', a)).clocks.find((c) => c.target === 'resolution')!;
    expect(late).toMatchObject({ generation: 2, breached: true });
    expect(late.escalations).toEqual([expect.objectContaining({ atPercent: 100, state: 'cancelled', firedAt: null })]);
    expect(await ctx.db.query(`SELECT 1 FROM notifications WHERE ticket_id = $1`, [a])).toEqual([]);
    expect(
      await ctx.db.query(`SELECT 1 FROM ticket_events WHERE ticket_id = $1 AND kind IN ('sla_breached', 'sla_warning', 'sla_escalated')`, [
        a,
      ]),
    ).toEqual([]);
    expect((await ctx.db.query(`SELECT sla_breached FROM tickets WHERE id = $1`, [a]))[0].sla_breached).toBe(true);

    // an edit for new requests only leaves the open one as it is
    const later = await edit({}, tightened.body.version, 20).expect(200);
    expect(later.body.reappliedTo).toBeUndefined();
    expect((await sla('admin@saint-aubin.fr', a)).clocks.find((c) => c.target === 'resolution')).toMatchObject({
      generation: 2,
      deadline: late.deadline,
    });
    await admin
      .put('/api/v1/sla/policies/aires-de-jeux-comptoir')
      .send({ ...created.body, active: false, version: later.body.version })
      .expect(200);
  });

  it('runs one clock per circuit step with a target: stops it when the step is left, starts the next, restarts a step entered again', async () => {
    const t = await create(URBA_AGENT, 'certificat-urbanisme');
    expect((await sla(URBA_AGENT, t.id)).clocks.map((c) => c.target)).toEqual(['firstResponse', 'resolution']);
    const cal = await calendar('dst'); // urbanisme is under the technical services

    // submitted: redaction entered and left in the same action, validation_chef (2 working days) starts
    await act(URBA_AGENT, t.id, { type: 'submit_draft', text: 'Votre certificat est en cours d’instruction.' });
    let view = await sla(URBA_AGENT, t.id);
    let step = view.clocks.find((c) => c.target === 'step:validation_chef')!;
    expect(step).toMatchObject({
      policyId: 'urbanisme',
      status: 'running',
      duration: { amount: 2, unit: 'working_days' },
      stepLabel: 'Validation par le responsable du service',
    });
    expect(step.deadline).toBe(addWorkingDays(cal, new Date(step.startedAt), 2).toISOString());
    expect(view.clocks.some((c) => c.target === 'step:redaction')).toBe(false);
    expect(await pendingKeys(t.id, 'step:validation_chef')).toHaveLength(2); // the urbanisme ladder: 75 %, 100 %

    // approved by the head: the step is met; visa_dgs_ou_elu has no target here, no clock
    await act(URBA_HEAD, t.id, { type: 'approve' });
    view = await sla(URBA_AGENT, t.id);
    step = view.clocks.find((c) => c.target === 'step:validation_chef')!;
    expect(step).toMatchObject({ status: 'stopped', outcome: 'met_on_time' });
    expect(await pendingKeys(t.id, 'step:validation_chef')).toEqual([]);
    expect(view.clocks.map((c) => c.target)).toEqual(['firstResponse', 'resolution', 'step:validation_chef']);

    // sent back to redaction by the DGS: the redaction step (3 working days) starts
    await act(DGS, t.id, { type: 'reject', comment: 'Préciser la référence cadastrale.' });
    view = await sla(URBA_AGENT, t.id);
    const redaction = view.clocks.find((c) => c.target === 'step:redaction')!;
    expect(redaction).toMatchObject({ status: 'running', duration: { amount: 3, unit: 'working_days' } });

    // submitted again: redaction met, validation_chef starts a new cycle (new generation, the first kept in its history)
    await act(URBA_AGENT, t.id, { type: 'submit_draft', text: 'Votre certificat, parcelle AB 12, est en cours d’instruction.' });
    view = await sla(URBA_AGENT, t.id);
    expect(view.clocks.find((c) => c.target === 'step:redaction')).toMatchObject({ status: 'stopped', outcome: 'met_on_time' });
    step = view.clocks.find((c) => c.target === 'step:validation_chef')!;
    expect(step.status).toBe('running');
    expect(step.generation).toBeGreaterThan(0);
    expect(step.history.map((h) => h.cause)).toEqual(['started', 'stopped', 'started']);
    expect((await pendingKeys(t.id, 'step:validation_chef')).every((k) => k.endsWith(`:${step.generation}`))).toBe(true);
    // the ticket's nearest deadline accounts for the step's
    expect(new Date(view.dueAt!).getTime()).toBeLessThanOrEqual(new Date(step.deadline!).getTime());
  });

  it('counts a step’s deadline on the business calendar of the step’s department, not the ticket’s', async () => {
    const admin = await as('admin@saint-aubin.fr');
    // the DGS on hours of its own (Monday and Wednesday mornings only): the visa step of a planning
    // complaint is the DGS's, the complaint itself the urbanisme's (technical services' calendar)
    const dgsCalendar: BusinessCalendar = {
      timeZone: 'Europe/Paris',
      weeklyHours: { monday: ['09:00-12:00'], wednesday: ['09:00-12:00'] },
      holidays: { france: true },
    };
    const cal = await admin
      .post('/api/v1/sla/calendars')
      .send({ name: 'Direction générale', departmentId: await d.department('dgs'), calendar: dgsCalendar })
      .expect(201);
    const policy = await admin
      .post('/api/v1/sla/policies')
      .send({
        id: 'reclamations-urbanisme-visa',
        name: 'Réclamations d’urbanisme (visa)',
        match: { categoryCodes: ['reclamation-urbanisme'] },
        targets: {
          resolution: { amount: 1, unit: 'calendar_months' },
          steps: { validation_chef: { amount: 2, unit: 'working_days' }, visa_dgs: { amount: 2, unit: 'working_days' } },
        },
        ladder: [{ atPercent: 100, actions: [{ type: 'mark_breached' }] }],
      })
      .expect(201);
    try {
      const t = await create(URBA_AGENT, 'reclamation-urbanisme');
      await act(URBA_AGENT, t.id, { type: 'submit_draft', text: 'Votre réclamation est en cours d’examen.' });
      // the head's validation is the urbanisme's: the ticket's calendar (technical services)
      let view = await sla(URBA_AGENT, t.id);
      const chef = view.clocks.find((c) => c.target === 'step:validation_chef')!;
      expect(chef.deadline).toBe(addWorkingDays(await calendar('dst'), new Date(chef.startedAt), 2).toISOString());

      await act(URBA_HEAD, t.id, { type: 'approve' });
      view = await sla(URBA_AGENT, t.id);
      expect(view.calendar.name).toBe('Services techniques');
      const visa = view.clocks.find((c) => c.target === 'step:visa_dgs')!;
      expect(visa).toMatchObject({ status: 'running', duration: { amount: 2, unit: 'working_days' } });
      const expected = addWorkingDays(dgsCalendar, new Date(visa.startedAt), 2);
      expect(visa.deadline).toBe(expected.toISOString());
      expect(expected.getTime()).not.toBe(addWorkingDays(await calendar('dst'), new Date(visa.startedAt), 2).getTime());
      // each clock says the calendar it counts on: the console's countdown uses it (libs/domain countdownMinutes)
      expect(visa.calendar.name).toBe('Direction générale');
      for (const c of view.clocks.filter((c) => !c.target.startsWith('step:'))) expect(c.calendar.name).toBe('Services techniques');
      expect(countdownMinutes(view, visa, new Date(visa.startedAt))).toBe(
        businessMinutesBetween(dgsCalendar, new Date(visa.startedAt), expected),
      );
      // its escalation timer is due at that deadline too
      const [timer] = await ctx.db.query(
        `SELECT due_at FROM timers WHERE ticket_id = $1 AND state = 'pending' AND payload->>'target' = 'step:visa_dgs'`,
        [t.id],
      );
      expect(new Date(timer.due_at).toISOString()).toBe(expected.toISOString());
      // the ticket's own clocks stay on its department's calendar; each step's clock keeps its department's
      expect(
        await ctx.db.query(
          `SELECT s.target, d.code FROM ticket_sla s LEFT JOIN departments d ON d.id = s.calendar_department_id WHERE s.ticket_id = $1 ORDER BY s.target`,
          [t.id],
        ),
      ).toEqual([
        { target: 'resolution', code: null },
        { target: 'step:validation_chef', code: 'urbanisme' },
        { target: 'step:visa_dgs', code: 'dgs' },
      ]);
    } finally {
      await admin
        .put(`/api/v1/sla/policies/${policy.body.id}`)
        .send({ ...policy.body, active: false })
        .expect(200);
      await admin.delete(`/api/v1/sla/calendars/${cal.body.id}`).expect(204);
    }
  });
});
