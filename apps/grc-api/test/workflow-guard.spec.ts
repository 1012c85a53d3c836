import type { TicketDetail, TicketWorkflowView } from '@grc/domain';
import { REPONSE_SIMPLE } from '@grc/workflows';
import { TrackingService } from '../src/modules/public/tracking.service';
import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, ids, DST_HEAD, EV_AGENT, EV_HEAD, URBA_AGENT, VOIRIE_AGENT, VOIRIE_HEAD } from './support/demo';

/** an agent of état civil only: sees none of the technical services' tickets */
const ETAT_CIVIL_AGENT = 'lea.dubois@saint-aubin.fr';

/**
 * Circuits that cannot be walked around (issue 9): no text reaches the citizen while a circuit runs
 * except through it; resolving needs the circuit cancelled (with a reason); a circuit that could
 * deadlock is refused; wait-for-citizen asks the citizen and their answer moves it on; another
 * department neither reads nor moves a ticket's circuit, and a consulted department only gives its opinion.
 */
describe('workflows: the circuit is the only way to the citizen, within its department', () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  const as = (email: string) => ctx.as(email);
  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
  });
  afterAll(() => ctx.close());

  let n = 0;
  const newTicket = async (email: string, category: string): Promise<TicketDetail> => {
    const res = await (await as(email)).post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: await d.category(category),
      subject: `Demande ${category}`,
      description: 'Demande de test des circuits.',
      newCitizen: { kind: 'resident', lastName: `Garde${++n}`, email: `garde${n}@citoyens.example` },
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const version = async (id: string): Promise<number> => (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [id]))[0].version;
  const act = async (email: string, id: string, body: Record<string, unknown>) =>
    (await as(email)).post(`/api/v1/tickets/${id}/workflow/actions`).send({ version: await version(id), ...body });
  const ok = async (email: string, id: string, body: Record<string, unknown>): Promise<TicketWorkflowView> => {
    const res = await act(email, id, body);
    if (res.status !== 201) throw new Error(`${email} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const outbox = async (id: string) =>
    (await ctx.db.query(`SELECT kind, text FROM mail_outbox WHERE ticket_id = $1 ORDER BY created_at, id`, [id])) as Array<{
      kind: string;
      text: string;
    }>;
  const snapshot = async (id: string) => ({
    ticket: (await ctx.db.query(`SELECT version, status, assignee_id FROM tickets WHERE id = $1`, [id]))[0],
    workflow: (await ctx.db.query(`SELECT status, step_id, state FROM ticket_workflows WHERE ticket_id = $1`, [id]))[0] ?? null,
    events: (await ctx.db.query(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1`, [id]))[0].n,
    mails: (await ctx.db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE ticket_id = $1`, [id]))[0].n,
  });

  describe('circuit bypass', () => {
    it('a status change with a comment under a running circuit is refused (409 naming the circuit and the step), nothing is e-mailed', async () => {
      const t = await newTicket(EV_AGENT, 'entretien-espaces-verts');
      await ok(EV_AGENT, t.id, { type: 'submit_draft', text: 'Projet de réponse en attente du responsable.' });
      const before = await snapshot(t.id);
      const res = await (
        await as(EV_AGENT)
      )
        .post(`/api/v1/tickets/${t.id}/status`)
        .send({ status: 'resolved', comment: 'La tonte est faite, bonne journée.', version: await version(t.id) });
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.detail).toMatch(/Réponse simple.*Validation par le responsable du service/);
      expect(res.body.errors[0]).toMatchObject({
        field: 'status',
        code: 'workflow_running',
        params: {
          circuit: 'reponse-simple',
          circuitName: REPONSE_SIMPLE.name,
          step: 'validation_chef',
          stepLabel: 'Validation par le responsable du service',
        },
      });
      expect(await snapshot(t.id)).toEqual(before);
      expect((await outbox(t.id)).some((m) => m.text.includes('La tonte est faite'))).toBe(false);

      // a comment on any status change, a direct reply (or a reply template's text) are refused the same way
      const waiting = await (
        await as(EV_AGENT)
      )
        .post(`/api/v1/tickets/${t.id}/status`)
        .send({ status: 'waiting_citizen', comment: 'Pouvez-vous préciser ?', version: await version(t.id) });
      expect(waiting.status).toBe(409);
      expect(waiting.body.errors[0]).toMatchObject({ field: 'comment', code: 'workflow_running' });
      const [template] = await ctx.db.query(`SELECT id FROM mail_reply_templates WHERE active LIMIT 1`);
      const rendered = template
        ? (await (await as(EV_AGENT)).post(`/api/v1/mail/reply-templates/${template.id}/render`).send({ ticketId: t.id }).expect(200)).body
            .text
        : 'Bonjour, votre demande est traitée.';
      const reply = await (
        await as(EV_AGENT)
      )
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ kind: 'reply', body: rendered, version: await version(t.id) });
      expect(reply.status).toBe(409);
      expect(reply.body.errors[0]).toMatchObject({ code: 'workflow_running', params: { step: 'validation_chef' } });
      // a public note is published (Open311 status_notes): the same refusal
      const publicNote = await (
        await as(EV_AGENT)
      )
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ kind: 'public_note', body: 'Tonte faite.', version: await version(t.id) });
      expect(publicNote.status).toBe(409);
      expect(publicNote.body.errors[0]).toMatchObject({ field: 'kind', code: 'workflow_running' });
      expect(await snapshot(t.id)).toEqual(before);
      // an internal note is not for the citizen: allowed
      await (
        await as(EV_AGENT)
      )
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ kind: 'note', body: 'Relancer le chef.', version: await version(t.id) })
        .expect(201);
    });

    it('resolving or closing under a running circuit is refused until it is cancelled with a reason (audited); the view then shows it finished', async () => {
      const t = await newTicket(EV_AGENT, 'entretien-espaces-verts');
      await ok(EV_AGENT, t.id, { type: 'submit_draft', text: 'Projet.' });
      const resolve = await (
        await as(EV_HEAD)
      )
        .post(`/api/v1/tickets/${t.id}/status`)
        .send({ status: 'resolved', version: await version(t.id) });
      expect(resolve.status).toBe(409);
      expect(resolve.body.errors[0]).toMatchObject({ field: 'status', code: 'workflow_running', params: { step: 'validation_chef' } });
      const noReason = await act(EV_HEAD, t.id, { type: 'cancel' });
      expect(noReason.status).toBe(422);
      expect(noReason.body.errors[0]).toMatchObject({ field: 'comment', code: 'comment_required' });
      const v = await ok(EV_HEAD, t.id, { type: 'cancel', comment: 'Traité sur place avec le demandeur.' });
      expect(v.instance).toMatchObject({
        status: 'cancelled',
        finishedAt: expect.any(String),
        finished: { status: 'cancelled', reason: 'Traité sur place avec le demandeur.', by: { displayName: 'Claire Bonnet' } },
      });
      expect(v.actions.map((a) => a.type)).toEqual(['submit_draft']); // only a new circuit, from a new draft
      const [audit] = await ctx.db.query(`SELECT changes FROM audit_events WHERE entity_id = $1 AND action = 'workflow.cancel'`, [t.id]);
      expect(audit.changes).toMatchObject({
        comment: { after: 'Traité sur place avec le demandeur.' },
        status: { before: 'active', after: 'cancelled' },
      });
      await (
        await as(EV_HEAD)
      )
        .post(`/api/v1/tickets/${t.id}/status`)
        .send({ status: 'resolved', version: await version(t.id) })
        .expect(201);
    });

    it('a completed circuit shows as finished with its outcome', async () => {
      const t = await newTicket(EV_AGENT, 'entretien-espaces-verts');
      await ok(EV_AGENT, t.id, { type: 'submit_draft', text: 'Bonjour, c’est prévu lundi.' });
      const v = await ok(EV_HEAD, t.id, { type: 'approve' });
      expect(v.instance).toMatchObject({
        status: 'completed',
        outcome: 'reply_sent',
        finished: { status: 'completed', outcome: 'reply_sent', reason: null, by: { displayName: 'Claire Bonnet' } },
      });
      expect(v.instance!.current.approvals).toEqual([]);
      expect((await outbox(t.id)).filter((m) => m.kind === 'reply').map((m) => m.text)).toEqual([
        expect.stringContaining('c’est prévu lundi'),
      ]);
    });
  });

  describe('circuit deadlock', () => {
    it('publishing a circuit where a head writes and only the head may approve is refused with the path at fault; nothing saved', async () => {
      const admin = await as(ADMIN);
      const count = async () => (await ctx.db.query(`SELECT count(*)::int AS n FROM workflow_definitions`))[0].n;
      const before = await count();
      const steps = JSON.parse(JSON.stringify(REPONSE_SIMPLE.steps));
      steps.redaction.transitions = [{ on: 'submitted', to: 'validation_chef' }]; // no more "a head who writes sends directly"
      const res = await admin
        .post('/api/v1/workflows/definitions/import')
        .send({ definition: { ...REPONSE_SIMPLE, id: 'circuit-bloquant', steps }, publish: true });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            field: 'steps.validation_chef.approvers[0]',
            code: 'self_approval_deadlock',
            message: expect.stringContaining('redaction → validation_chef'),
          }),
        ]),
      );
      expect(await count()).toBe(before);
    });

    it('a head of espaces verts who writes the tree-felling decision is approved by the direction (the parent department), not stuck', async () => {
      const t = await newTicket(EV_AGENT, 'elagage');
      await ok(EV_AGENT, t.id, { type: 'start' });
      await ok(EV_AGENT, t.id, { type: 'citizen_replied' });
      for (const [who, dep] of [
        [EV_HEAD, 'espaces-verts'],
        [VOIRIE_AGENT, 'voirie'],
        [URBA_AGENT, 'urbanisme'],
      ] as const)
        await ok(who, t.id, { type: 'give_opinion', department: dep, verdict: 'favourable', comment: 'Favorable.' });
      let v = await ok(EV_HEAD, t.id, { type: 'submit_draft', text: 'L’abattage est autorisé.' });
      expect(v.instance?.current.stepId).toBe('validation_direction');
      expect((await act(EV_HEAD, t.id, { type: 'approve' })).status).toBe(403);
      v = await ok(DST_HEAD, t.id, { type: 'approve' });
      expect(v.instance?.current.approvals.map((a) => a.approvedBy?.displayName ?? null)).toEqual(['Philippe Garnier', null]);
    });
  });

  describe('wait-for-citizen', () => {
    it('asks the citizen by e-mail with the tracking link; the answer from the tracking page moves the step on', async () => {
      const t = await newTicket(EV_AGENT, 'elagage');
      await ok(EV_AGENT, t.id, { type: 'start' });
      const asked = (await outbox(t.id)).filter((m) => m.kind === 'information_request');
      expect(asked).toHaveLength(1);
      expect(asked[0].text).toMatch(/Précisions et photos demandées au demandeur/);
      // the tracking link is sealed in the row and put in at send time (never stored in clear: mail.spec)
      expect(asked[0].text).toMatch(/\[\[lien:[0-9a-f-]{36}\]\]/);
      const [sealed] = await ctx.db.query(`SELECT sealed_link FROM mail_outbox WHERE ticket_id = $1 AND kind = 'information_request'`, [
        t.id,
      ]);
      expect(sealed.sealed_link).toBeTruthy();
      const [event] = await ctx.db.query(`SELECT data FROM ticket_events WHERE ticket_id = $1 AND kind = 'information_requested'`, [t.id]);
      expect(event.data).toMatchObject({ step: 'precisions_citoyen', definitionCode: 'avis-abattage-arbre' });

      const { reference, key } = await ctx.db.transaction((m) => ctx.app.get(TrackingService).issueKey(m, t.id));
      await ctx.http
        .post(`/api/v1/public/requests/${reference}/messages`)
        .set('X-Requested-With', 'grc')
        .field('k', key)
        .field('body', 'Voici les photos de l’arbre penché.')
        .expect(200);
      const [wf] = await ctx.db.query(`SELECT step_id, state FROM ticket_workflows WHERE ticket_id = $1`, [t.id]);
      expect(wf.step_id).toBe('avis_services');
      expect(wf.state.history.at(-1)).toMatchObject({
        action: { type: 'citizen_replied' },
        actor: { id: 'system' },
        fromStepId: 'precisions_citoyen',
      });
    });
  });

  describe('cross-department read and change', () => {
    it('an agent of état civil neither reads nor moves another department’s circuit (404), nothing changes', async () => {
      const t = await newTicket(EV_AGENT, 'elagage');
      await ok(EV_AGENT, t.id, { type: 'start' });
      const before = await snapshot(t.id);
      const other = await as(ETAT_CIVIL_AGENT);
      expect((await other.get(`/api/v1/tickets/${t.id}/workflow`)).status).toBe(404);
      expect((await other.get(`/api/v1/tickets/${t.id}/workflow/ticket`)).status).toBe(404);
      const moved = await other
        .post(`/api/v1/tickets/${t.id}/workflow/actions`)
        .send({ type: 'citizen_replied', version: before.ticket.version });
      expect(moved.status).toBe(404);
      expect(await snapshot(t.id)).toEqual(before);
    });

    it('a consulted head of another department sees what the opinion needs, may only give it, may not cancel', async () => {
      const t = await newTicket(EV_AGENT, 'elagage');
      await ok(EV_AGENT, t.id, { type: 'start' });
      await ok(EV_AGENT, t.id, { type: 'citizen_replied', comment: 'Photos reçues' });
      await (
        await as(EV_AGENT)
      )
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ kind: 'note', body: 'Note interne des espaces verts.', version: await version(t.id) })
        .expect(201);
      const head = await as(VOIRIE_HEAD);
      const v: TicketWorkflowView = (await head.get(`/api/v1/tickets/${t.id}/workflow`).expect(200)).body;
      expect(v.actions.map((a) => a.type)).toEqual(['give_opinion']);
      expect(v.actions[0]).toMatchObject({ department: 'voirie' });
      expect(v.instance?.current.opinions.map((o) => o.department.code)).toEqual(['voirie']);
      expect(v.instance?.history.every((h) => h.comment === null)).toBe(true);
      const detail: TicketDetail = (await head.get(`/api/v1/tickets/${t.id}/workflow/ticket`).expect(200)).body;
      expect(detail.description).toBe('Demande de test des circuits.');
      expect(detail.citizen).toBeNull();
      expect(detail.timeline.some((e) => e.kind === 'note')).toBe(false);
      const before = await snapshot(t.id);
      const cancel = await act(VOIRIE_HEAD, t.id, { type: 'cancel', comment: 'Pas d’avis.' });
      expect(cancel.status).toBe(403);
      expect(cancel.body.errors[0]).toMatchObject({ code: 'participant_only' });
      expect(await snapshot(t.id)).toEqual(before);
      // the ticket's own department may still cancel
      expect(v.actions.some((a) => a.type === 'cancel')).toBe(false);
      expect(
        (await (await as(EV_HEAD)).get(`/api/v1/tickets/${t.id}/workflow`).expect(200)).body.actions.map((a: { type: string }) => a.type),
      ).toContain('cancel');
      await ok(VOIRIE_HEAD, t.id, { type: 'give_opinion', department: 'voirie', verdict: 'favourable', comment: 'Rien à signaler.' });
    });
  });

  describe('step deadlines', () => {
    // the SLA engine does not read it yet (its step clocks still count on the ticket's calendar): see the report
    it('each step records the department whose business calendar is to count it', async () => {
      const t = await newTicket(URBA_AGENT, 'certificat-urbanisme');
      await ok(URBA_AGENT, t.id, { type: 'submit_draft', text: 'Votre certificat est en cours.' });
      const [wf] = await ctx.db.query(`SELECT state FROM ticket_workflows WHERE ticket_id = $1`, [t.id]);
      expect(wf.state.current.departmentId).toBe('urbanisme');
    });
  });
});
