import type { TicketDetail, TicketWorkflowView, WorkflowInbox } from '@grc/domain';
import { REPONSE_SIMPLE } from '@grc/workflows';
import { TimersService } from '../src/modules/timers/timers.service';
import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, ids, DGS, ELU, EV_AGENT, EV_HEAD, URBA_AGENT, URBA_HEAD, URBA_OTHER, VOIRIE_AGENT } from './support/demo';

/**
 * Validation circuits through the API, real PostgreSQL: each circuit of the demo pack, rejection,
 * delegation, concurrent approvals of an any-of step, a version published mid-flight, invalid
 * definitions, actions out of turn.
 */
describe('workflows: validation circuits through the API', () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  const as = (email: string) => ctx.as(email);
  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
  });
  afterAll(() => ctx.close());

  const newTicket = async (email: string, category: string, extra: Record<string, unknown> = {}): Promise<TicketDetail> => {
    const res = await (await as(email)).post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: await d.category(category),
      subject: `Demande ${category}`,
      description: 'Demande de test des circuits de validation.',
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const view = async (email: string, ticketId: string): Promise<TicketWorkflowView> => {
    const res = await (await as(email)).get(`/api/v1/tickets/${ticketId}/workflow`);
    expect(res.status).toBe(200);
    return res.body;
  };
  /** One action with the ticket's current version; returns the raw response. */
  const act = async (email: string, ticketId: string, body: Record<string, unknown>) => {
    const v = (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [ticketId]))[0].version;
    return (await as(email)).post(`/api/v1/tickets/${ticketId}/workflow/actions`).send({ version: v, ...body });
  };
  const ok = async (email: string, ticketId: string, body: Record<string, unknown>): Promise<TicketWorkflowView> => {
    const res = await act(email, ticketId, body);
    if (res.status !== 201) throw new Error(`${email} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const timeline = async (ticketId: string) =>
    (await ctx.db.query(`SELECT kind, body, data, actor_id FROM ticket_events WHERE ticket_id = $1 ORDER BY id`, [ticketId])) as Array<{
      kind: string;
      body: string | null;
      data: Record<string, unknown>;
      actor_id: string | null;
    }>;
  const snapshot = async (ticketId: string) => ({
    ticket: (await ctx.db.query(`SELECT version, status, assignee_id, priority FROM tickets WHERE id = $1`, [ticketId]))[0],
    workflow: (await ctx.db.query(`SELECT state FROM ticket_workflows WHERE ticket_id = $1`, [ticketId]))[0] ?? null,
    events: (await ctx.db.query(`SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1`, [ticketId]))[0].n,
    audit: (await ctx.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE entity_id = $1`, [ticketId]))[0].n,
  });

  describe('reponse-simple (espaces verts): draft, rejection with comment, revision, edit and approve, sent', () => {
    it('runs the circuit and records every step in the timeline and the audit trail', async () => {
      const t = await newTicket(EV_AGENT, 'entretien-espaces-verts');
      expect(t.department.code).toBe('espaces-verts');
      let v = await view(EV_AGENT, t.id);
      expect(v.bound).toMatchObject({ code: 'reponse-simple', version: 1, initialKind: 'draft' });
      expect(v.instance).toBeNull();
      expect(v.actions.map((a) => a.type)).toEqual(['submit_draft']);

      // the direct reply is closed on a ticket with a circuit
      const direct = await (
        await as(EV_AGENT)
      )
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ version: t.version, kind: 'reply', body: 'Réponse directe' });
      expect(direct.status).toBe(409);
      expect(direct.body.detail).toMatch(/circuit de validation/);

      v = await ok(EV_AGENT, t.id, { type: 'submit_draft', text: 'Bonjour, la tonte aura lieu lundi.' });
      expect(v.instance).toMatchObject({
        definitionCode: 'reponse-simple',
        version: 1,
        status: 'active',
        current: { stepId: 'validation_chef', kind: 'approval' },
      });
      expect(v.actions).toEqual([]); // the author cannot approve

      // the head sees it in the inbox
      const inbox: WorkflowInbox = (await (await as(EV_HEAD)).get('/api/v1/workflows/inbox').expect(200)).body;
      expect(inbox.items.find((i) => i.ticketId === t.id)).toMatchObject({
        reason: 'approval',
        stepId: 'validation_chef',
        onBehalfOf: null,
      });
      expect(inbox.counts.approvals).toBeGreaterThanOrEqual(1);
      expect((await view(EV_HEAD, t.id)).actions.map((a) => a.type).sort()).toEqual(['approve', 'cancel', 'edit_and_approve', 'reject']);

      // rejection needs a comment: 422, nothing changes
      const before = await snapshot(t.id);
      const noComment = await act(EV_HEAD, t.id, { type: 'reject' });
      expect(noComment.status).toBe(422);
      expect(noComment.body.errors[0]).toMatchObject({ field: 'comment', code: 'comment_required' });
      expect(await snapshot(t.id)).toEqual(before);

      v = await ok(EV_HEAD, t.id, { type: 'reject', comment: 'Précisez l’horaire.' });
      expect(v.instance?.current.stepId).toBe('redaction');
      const rejected = (await timeline(t.id)).find((e) => e.kind === 'workflow_step' && e.data['action'] === 'reject')!;
      expect(rejected.body).toBe('Précisez l’horaire.');
      expect(rejected.data).toMatchObject({ step: 'validation_chef', to: 'redaction', definitionCode: 'reponse-simple', version: 1 });
      expect(rejected.actor_id).toBe(await d.agent(EV_HEAD));
      // sent back to its author, who finds it in their inbox
      expect((await ctx.db.query(`SELECT assignee_id FROM tickets WHERE id = $1`, [t.id]))[0].assignee_id).toBe(await d.agent(EV_AGENT));
      const agentInbox: WorkflowInbox = (await (await as(EV_AGENT)).get('/api/v1/workflows/inbox').expect(200)).body;
      expect(agentInbox.items.find((i) => i.ticketId === t.id)?.reason).toBe('draft');

      await ok(EV_AGENT, t.id, { type: 'submit_draft', text: 'Bonjour, la tonte aura lieu lundi à 8 h.' });
      v = await ok(EV_HEAD, t.id, {
        type: 'edit_and_approve',
        text: 'Bonjour, la tonte aura lieu lundi à 8 heures.',
        comment: 'Heure en toutes lettres',
      });
      expect(v.instance).toMatchObject({ status: 'completed', outcome: 'reply_sent' });
      expect(v.instance!.revisions.map((r) => [r.revision, r.action])).toEqual([
        [1, 'submit_draft'],
        [2, 'submit_draft'],
        [3, 'edit_and_approve'],
      ]);

      const events = await timeline(t.id);
      expect(events.map((e) => e.kind)).toEqual([
        'created',
        'workflow_started',
        'draft_submitted',
        'workflow_step',
        'assigned',
        'draft_submitted',
        'workflow_step',
        'reply',
        'status_changed',
        'workflow_finished',
      ]);
      const reply = events.find((e) => e.kind === 'reply')!;
      expect(reply.body).toBe('Bonjour, la tonte aura lieu lundi à 8 heures.');
      expect(reply.data).toMatchObject({ sent: true, viaWorkflow: true, revision: 3 });
      const detail: TicketDetail = (await (await as(EV_AGENT)).get(`/api/v1/tickets/${t.id}`).expect(200)).body;
      expect(detail.status).toBe('open');

      const audit = await ctx.db.query(
        `SELECT action, actor_label, changes FROM audit_events WHERE entity_id = $1 AND action LIKE 'workflow.%' ORDER BY id`,
        [t.id],
      );
      expect(audit.map((a: { action: string }) => a.action)).toEqual([
        'workflow.submit_draft',
        'workflow.reject',
        'workflow.submit_draft',
        'workflow.edit_and_approve',
      ]);
      expect(audit[1].changes).toMatchObject({
        comment: { after: 'Précisez l’horaire.' },
        workflow: { after: 'reponse-simple v1' },
        step: { before: 'validation_chef', after: 'redaction' },
      });
    });

    it('refuses actions out of turn with the reason (403/409) and changes nothing', async () => {
      const t = await newTicket(EV_AGENT, 'entretien-espaces-verts');
      // nothing to approve before a draft exists
      const early = await act(EV_HEAD, t.id, { type: 'approve' });
      expect(early.status).toBe(409);
      expect(early.body.errors[0].code).toBe('not_started');
      await ok(EV_AGENT, t.id, { type: 'submit_draft', text: 'Projet.' });
      const before = await snapshot(t.id);
      const self = await act(EV_AGENT, t.id, { type: 'approve' });
      expect(self.status).toBe(403);
      expect(self.body.detail).toMatch(/approbation attendue de : un head du service espaces-verts/i);
      const wrongStep = await act(EV_AGENT, t.id, { type: 'submit_draft', text: 'encore' });
      expect(wrongStep.status).toBe(409);
      expect(wrongStep.body.errors[0].code).toBe('wrong_step');
      const otherHead = await act(URBA_HEAD, t.id, { type: 'approve' });
      expect(otherHead.status).toBe(404); // another department's ticket, not involved: it does not exist for them
      const stale = await (
        await as(EV_HEAD)
      )
        .post(`/api/v1/tickets/${t.id}/workflow/actions`)
        .send({ type: 'approve', version: before.ticket.version - 1 });
      expect(stale.status).toBe(409);
      expect(stale.body.errors[0].code).toBe('stale_version');
      expect(await snapshot(t.id)).toEqual(before);
    });
  });

  describe('reponse-sensible-urbanisme: agent, head, DGS and élu', () => {
    it('a complaint goes head → DGS → élu → sent; each approval in history with its version', async () => {
      const t = await newTicket(URBA_AGENT, 'reclamation-urbanisme');
      await ok(URBA_AGENT, t.id, { type: 'submit_draft', text: 'Madame, votre réclamation a été examinée.' });
      // the élu cannot sign before the head
      const early = await act(ELU, t.id, { type: 'approve' });
      expect(early.status).toBe(403);
      expect(early.body.errors[0].code).toBe('not_an_approver');
      let v = await ok(URBA_HEAD, t.id, { type: 'approve', comment: 'Bon pour visa' });
      expect(v.instance?.current.stepId).toBe('visa_dgs');
      expect((await ctx.db.query(`SELECT priority FROM tickets WHERE id = $1`, [t.id]))[0].priority).toBe(2); // onEnter set_priority high
      const eluInbox: WorkflowInbox = (await (await as(ELU)).get('/api/v1/workflows/inbox').expect(200)).body;
      expect(eluInbox.items.some((i) => i.ticketId === t.id)).toBe(false);
      v = await ok(DGS, t.id, { type: 'approve' });
      expect(v.instance?.current.stepId).toBe('signature_elu');
      const eluInbox2: WorkflowInbox = (await (await as(ELU)).get('/api/v1/workflows/inbox').expect(200)).body;
      expect(eluInbox2.items.find((i) => i.ticketId === t.id)).toMatchObject({ reason: 'approval', stepId: 'signature_elu' });
      v = await ok(ELU, t.id, { type: 'approve', comment: 'Signé' });
      expect(v.instance).toMatchObject({ status: 'completed', outcome: 'reply_sent' });
      expect(v.instance!.history.map((h) => [h.action, h.actor?.displayName, h.version])).toEqual([
        ['start', 'Emma Clarke', 1],
        ['submit_draft', 'Emma Clarke', 1],
        ['approve', 'Olivier Chevalier', 1],
        ['approve', 'Hélène Marchand', 1],
        ['approve', "Bernard Lucas (élu délégué à l'urbanisme)", 1],
      ]);
      expect((await timeline(t.id)).filter((e) => e.kind === 'reply')).toHaveLength(1);
    });

    it('concurrent approvals by the DGS and the élu of an any-of step: exactly one wins, the other gets a clear 409', async () => {
      const t = await newTicket(URBA_AGENT, 'declaration-prealable');
      await ok(URBA_AGENT, t.id, { type: 'submit_draft', text: 'Votre déclaration est complète.' });
      const v = await ok(URBA_HEAD, t.id, { type: 'approve' });
      expect(v.instance?.current).toMatchObject({ stepId: 'visa_dgs_ou_elu' });
      expect(v.instance?.current.approvals.map((a) => a.expected)).toEqual(['Responsable — Direction générale des services', 'Élu']);
      const version = v.ticketVersion;
      const [a, b] = await Promise.all([
        (await as(DGS)).post(`/api/v1/tickets/${t.id}/workflow/actions`).send({ type: 'approve', version }),
        (await as(ELU)).post(`/api/v1/tickets/${t.id}/workflow/actions`).send({ type: 'approve', version }),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.detail).toMatch(/modifié par quelqu'un d'autre/);
      expect(loser.body.errors[0].code).toBe('stale_version');
      const state = (await ctx.db.query(`SELECT state FROM ticket_workflows WHERE ticket_id = $1`, [t.id]))[0].state;
      expect(state.status).toBe('completed');
      expect(state.history.filter((h: { action: { type: string } }) => h.action.type === 'approve')).toHaveLength(2); // head + the winner
      expect((await timeline(t.id)).filter((e) => e.kind === 'reply')).toHaveLength(1);
      // the loser retrying with the new version is told the circuit is over
      const retry = await act(a.status === 409 ? DGS : ELU, t.id, { type: 'approve' });
      expect(retry.status).toBe(409);
      expect(retry.body.errors[0].code).toBe('finished');
    });

    it('delegation: the head names a delegate for a period; approvals during it are recorded on his behalf', async () => {
      const t = await newTicket(URBA_AGENT, 'certificat-urbanisme');
      await ok(URBA_AGENT, t.id, { type: 'submit_draft', text: 'Le certificat vous sera adressé.' });
      const notYet = await act(URBA_OTHER, t.id, { type: 'approve' });
      expect(notYet.status).toBe(403);

      const head = await as(URBA_HEAD);
      const fatimaId = await d.agent(URBA_OTHER);
      // an agent may not delegate; a head delegates only for himself
      expect(
        (
          await (
            await as(URBA_AGENT)
          )
            .post('/api/v1/workflows/delegations')
            .send({ toAgentId: fatimaId, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3600e3).toISOString() })
        ).status,
      ).toBe(403);
      expect(
        (
          await head.post('/api/v1/workflows/delegations').send({
            fromAgentId: await d.agent(DGS),
            toAgentId: fatimaId,
            startsAt: new Date().toISOString(),
            endsAt: new Date(Date.now() + 3600e3).toISOString(),
          })
        ).status,
      ).toBe(403);
      const bad = await head.post('/api/v1/workflows/delegations').send({
        toAgentId: fatimaId,
        startsAt: new Date(Date.now() + 7200e3).toISOString(),
        endsAt: new Date(Date.now() + 3600e3).toISOString(),
      });
      expect(bad.status).toBe(400);
      const del = await head.post('/api/v1/workflows/delegations').send({
        toAgentId: fatimaId,
        startsAt: new Date(Date.now() - 60e3).toISOString(),
        endsAt: new Date(Date.now() + 7 * 86400e3).toISOString(),
      });
      expect(del.status).toBe(201);
      expect(del.body).toMatchObject({ active: true, from: { displayName: 'Olivier Chevalier' }, to: { displayName: 'Fatima El Amrani' } });

      const inbox: WorkflowInbox = (await (await as(URBA_OTHER)).get('/api/v1/workflows/inbox').expect(200)).body;
      expect(inbox.items.find((i) => i.ticketId === t.id)).toMatchObject({
        reason: 'approval',
        onBehalfOf: { displayName: 'Olivier Chevalier' },
      });
      const v0 = await view(URBA_OTHER, t.id);
      expect(v0.actions.find((a) => a.type === 'approve')?.onBehalfOf?.displayName).toBe('Olivier Chevalier');

      const v = await ok(URBA_OTHER, t.id, { type: 'approve', comment: 'Pour M. Chevalier, absent' });
      expect(v.instance?.current.stepId).toBe('visa_dgs_ou_elu');
      const h = v.instance!.history.at(-1)!;
      expect(h).toMatchObject({
        action: 'approve',
        actor: { displayName: 'Fatima El Amrani' },
        onBehalfOf: { displayName: 'Olivier Chevalier' },
        comment: 'Pour M. Chevalier, absent',
        version: 1,
      });
      const step = (await timeline(t.id)).filter((e) => e.kind === 'workflow_step').at(-1)!;
      expect(step.actor_id).toBe(fatimaId);
      expect(step.data).toMatchObject({
        onBehalfOf: await d.agent(URBA_HEAD),
        onBehalfOfName: 'Olivier Chevalier',
        version: 1,
        definitionCode: 'reponse-sensible-urbanisme',
      });
      const [audit] = await ctx.db.query(
        `SELECT actor_label, changes FROM audit_events WHERE entity_id = $1 AND action = 'workflow.approve'`,
        [t.id],
      );
      expect(audit).toMatchObject({ actor_label: URBA_OTHER, changes: { onBehalfOf: { after: await d.agent(URBA_HEAD) } } });

      // revoked: the delegate is no longer an approver
      expect((await head.delete(`/api/v1/workflows/delegations/${del.body.id}`)).status).toBe(200);
      const t2 = await newTicket(URBA_AGENT, 'certificat-urbanisme');
      await ok(URBA_AGENT, t2.id, { type: 'submit_draft', text: 'Projet 2.' });
      expect((await act(URBA_OTHER, t2.id, { type: 'approve' })).status).toBe(403);
      const list = (await head.get('/api/v1/workflows/delegations').expect(200)).body;
      expect(list.find((x: { id: string }) => x.id === del.body.id)).toMatchObject({ active: false });
    });
  });

  describe('avis-abattage-arbre: parallel opinions of other departments, then a joint decision', () => {
    it('consulted departments see it in their inbox, answer; the requester sees who answered', async () => {
      const t = await newTicket(EV_AGENT, 'elagage');
      let v = await view(EV_AGENT, t.id);
      expect(v.bound).toMatchObject({ code: 'avis-abattage-arbre', initialKind: 'wait_for_citizen' });
      expect(v.actions.map((a) => a.type)).toEqual(['start']);
      const refused = await act(EV_AGENT, t.id, { type: 'submit_draft', text: 'x' });
      expect(refused.status).toBe(409);
      await ok(EV_AGENT, t.id, { type: 'start' });
      v = await ok(EV_AGENT, t.id, { type: 'citizen_replied', comment: 'Photos reçues' });
      expect(v.instance?.current).toMatchObject({ stepId: 'avis_services', kind: 'opinion' });
      expect(v.instance?.current.opinions.map((o) => [o.department.code, o.status, o.late])).toEqual([
        ['espaces-verts', 'pending', false],
        ['voirie', 'pending', false],
        ['urbanisme', 'pending', false],
      ]);
      expect((await timeline(t.id)).find((e) => e.kind === 'opinion_requested')?.data).toMatchObject({
        departments: ['espaces-verts', 'voirie', 'urbanisme'],
      });

      // voirie cannot see espaces-verts tickets, but the consultation brings the ticket to its inbox and page
      const inbox: WorkflowInbox = (await (await as(VOIRIE_AGENT)).get('/api/v1/workflows/inbox').expect(200)).body;
      expect(inbox.items.find((i) => i.ticketId === t.id)).toMatchObject({ reason: 'opinion', opinionDepartment: 'voirie' });
      expect((await (await as(VOIRIE_AGENT)).get(`/api/v1/tickets/${t.id}`)).status).toBe(404);
      expect((await (await as(VOIRIE_AGENT)).get(`/api/v1/tickets/${t.id}/workflow/ticket`)).status).toBe(200);
      // one cannot answer for another department
      const wrong = await act(VOIRIE_AGENT, t.id, {
        type: 'give_opinion',
        department: 'espaces-verts',
        verdict: 'favourable',
        comment: 'ok',
      });
      expect(wrong.status).toBe(403);
      expect(wrong.body.errors[0].code).toBe('forbidden_department');
      await ok(VOIRIE_AGENT, t.id, {
        type: 'give_opinion',
        department: 'voirie',
        verdict: 'reserved',
        comment: 'Prévoir la fermeture de la rue.',
      });
      const again = await act(VOIRIE_AGENT, t.id, { type: 'give_opinion', department: 'voirie', verdict: 'favourable', comment: 'x' });
      expect(again.status).toBe(409);
      await ok(URBA_AGENT, t.id, {
        type: 'give_opinion',
        department: 'urbanisme',
        verdict: 'favourable',
        comment: 'Hors périmètre protégé.',
      });
      v = await view(EV_AGENT, t.id);
      expect(v.instance?.current.opinions.map((o) => [o.department.code, o.status, o.verdict, o.by?.displayName ?? null])).toEqual([
        ['espaces-verts', 'pending', null, null],
        ['voirie', 'given', 'reserved', 'Julie Lefebvre'],
        ['urbanisme', 'given', 'favourable', 'Emma Clarke'],
      ]);
      const given = (await timeline(t.id)).filter((e) => e.kind === 'opinion_given');
      expect(given.map((e) => [e.data['department'], e.data['verdict'], e.body])).toEqual([
        ['voirie', 'reserved', 'Prévoir la fermeture de la rue.'],
        ['urbanisme', 'favourable', 'Hors périmètre protégé.'],
      ]);
      v = await ok(EV_HEAD, t.id, { type: 'give_opinion', department: 'espaces-verts', verdict: 'favourable', comment: 'Arbre malade.' });
      expect(v.instance?.current.stepId).toBe('redaction_decision');
      v = await ok(EV_AGENT, t.id, { type: 'submit_draft', text: 'L’abattage est autorisé.' });
      expect(v.instance?.current).toMatchObject({ stepId: 'validation_conjointe' });
      v = await ok(EV_HEAD, t.id, { type: 'approve' });
      expect(v.instance?.current.stepId).toBe('validation_conjointe'); // mode all: urbanisme still to approve
      expect(v.instance?.current.approvals.map((a) => a.approvedBy?.displayName ?? null)).toEqual(['Claire Bonnet', null]);
      const urbaInbox: WorkflowInbox = (await (await as(URBA_HEAD)).get('/api/v1/workflows/inbox').expect(200)).body;
      expect(urbaInbox.items.find((i) => i.ticketId === t.id)?.reason).toBe('approval');
      v = await ok(URBA_HEAD, t.id, { type: 'approve' });
      expect(v.instance).toMatchObject({ status: 'completed', outcome: 'decision' });
      // answers stay visible after the step
      expect(v.instance?.current.opinions.filter((o) => o.status === 'given')).toHaveLength(3);
    });

    it('flags a consulted department that is late', async () => {
      const t = await newTicket(EV_AGENT, 'elagage');
      await ok(EV_AGENT, t.id, { type: 'start' });
      await ok(EV_AGENT, t.id, { type: 'citizen_replied' });
      await ctx.db.query(
        `UPDATE ticket_workflows SET state = jsonb_set(state, '{current,dueAt}', to_jsonb($2::text)) WHERE ticket_id = $1`,
        [t.id, new Date(Date.now() - 60e3).toISOString()],
      );
      const v = await view(EV_AGENT, t.id);
      expect(v.instance?.current.opinions.every((o) => o.late)).toBe(true);
      const inbox: WorkflowInbox = (await (await as(VOIRIE_AGENT)).get('/api/v1/workflows/inbox').expect(200)).body;
      expect(inbox.items.find((i) => i.ticketId === t.id)?.late).toBe(true);
      expect(inbox.counts.late).toBeGreaterThanOrEqual(1);

      // the opinion timer (a durable timer of modules/timers) fires: unanswered opinions expire, the circuit moves on
      const [timer] = await ctx.db.query(
        `SELECT key FROM timers WHERE ticket_id = $1 AND kind = 'workflow.timer' AND state = 'pending' AND payload->>'kind' = 'opinion_due'`,
        [t.id],
      );
      expect(timer).toBeDefined();
      await ctx.db.query(`UPDATE timers SET due_at = now() - interval '1 second' WHERE key = $1`, [timer.key]);
      expect(await ctx.app.get(TimersService).fireOne(timer.key)).toEqual({ result: 'fired' });
      const after = await view(EV_AGENT, t.id);
      expect(after.instance?.current.stepId).toBe('redaction_decision');
      expect(after.instance?.history.at(-1)).toMatchObject({ action: 'opinion_timeout', actor: { displayName: 'Système' } });
      const kinds = (await timeline(t.id)).map((e) => [e.kind, e.data['action'] ?? null]);
      expect(kinds).toContainEqual(['workflow_step', 'opinion_timeout']);
      const notified = await ctx.db.query(
        `SELECT data FROM notifications WHERE ticket_id = $1 AND data->>'template' = 'workflow.opinions_missing'`,
        [t.id],
      );
      expect(notified).toHaveLength(1);
    });
  });

  describe('definitions: validate, save, publish, version, import/export, bindings', () => {
    it('refuses an invalid definition with every error listed (path, reason) and saves nothing', async () => {
      const admin = await as(ADMIN);
      const count = async () => (await ctx.db.query(`SELECT count(*)::int AS n FROM workflow_definitions`))[0].n;
      const n = await count();
      const source = [
        'id: circuit-faux',
        'name: Circuit faux',
        'initial: redaction',
        'steps:',
        '  redaction:',
        '    kind: draft',
        '    writers: { roles: [agent, maire], departments: [$ticket] }',
        '    transitions: [{ on: submitted, to: validation }]',
        '  validation:',
        '    kind: approval',
        '    mode: one',
        '    approvers: [{ role: head, department: service-inconnu }]',
        '    transitions: [{ on: approved, to: nulle-part }]',
      ].join('\n');
      const res = await admin.post('/api/v1/workflows/definitions').send({ source });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'steps.redaction.writers.roles[1]', message: expect.stringMatching(/rôle inconnu/) }),
        ]),
      );
      // fix the schema error: the analysis then lists every remaining problem
      const res2 = await admin.post('/api/v1/workflows/definitions').send({ source: source.replace('agent, maire', 'agent') });
      expect(res2.status).toBe(422);
      const fields = res2.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['steps.validation.transitions[0].to', 'steps.validation.approvers[0].department']));
      expect(res2.body.errors.every((e: { message: string }) => e.message.length > 0)).toBe(true);
      const validation = (
        await admin
          .post('/api/v1/workflows/definitions/validate')
          .send({ source: source.replace('agent, maire', 'agent') })
          .expect(200)
      ).body;
      expect(validation.ok).toBe(false);
      expect(validation.errors.length).toBe(res2.body.errors.length);
      const syntax = await admin.post('/api/v1/workflows/definitions').send({ source: 'id: [unclosed' });
      expect(syntax.status).toBe(422);
      expect(syntax.body.errors[0].message).toMatch(/YAML invalide/);
      expect(await count()).toBe(n);
    });

    it('a definition published mid-flight: running tickets stay on their version, new ones take the new one', async () => {
      const admin = await as(ADMIN);
      const v1 = { ...REPONSE_SIMPLE, id: 'circuit-essai', name: 'Circuit d’essai' };
      let res = await admin.post('/api/v1/workflows/definitions/import').send({ definition: v1, publish: true });
      expect(res.status).toBe(201);
      expect(res.body[0]).toMatchObject({ code: 'circuit-essai', version: 1, status: 'published' });
      // neither category nor department: town-wide only when said so (it silently was)
      const bindings = async () => Number((await ctx.db.query(`SELECT count(*) AS n FROM workflow_bindings`))[0].n);
      const before = await bindings();
      res = await admin.post('/api/v1/workflows/bindings').send({ definitionCode: 'circuit-essai' });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['townWide']);
      expect(await bindings()).toBe(before);
      res = await admin
        .post('/api/v1/workflows/bindings')
        .send({ categoryId: await d.category('aire-de-jeux'), definitionCode: 'circuit-essai' });
      expect(res.status).toBe(201);

      const running = await newTicket(EV_AGENT, 'aire-de-jeux');
      await ok(EV_AGENT, running.id, { type: 'submit_draft', text: 'Réparation prévue.' });

      // v2: the head's validation is followed by the DGS's
      const steps = JSON.parse(JSON.stringify(REPONSE_SIMPLE.steps));
      steps.validation_chef.transitions = [{ on: 'approved', to: 'visa_dgs' }];
      steps.visa_dgs = {
        kind: 'approval',
        label: 'Visa DGS',
        mode: 'one',
        approvers: [{ role: 'head', department: 'dgs' }],
        transitions: [{ on: 'approved', to: 'envoi' }],
      };
      res = await admin.post('/api/v1/workflows/definitions').send({ source: JSON.stringify({ ...v1, steps }), format: 'json' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ version: 2, status: 'draft' });
      res = await admin.post('/api/v1/workflows/definitions/circuit-essai/publish');
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ version: 2, status: 'published' });
      const list = (await admin.get('/api/v1/workflows/definitions').expect(200)).body;
      expect(list.find((x: { code: string }) => x.code === 'circuit-essai')).toMatchObject({
        publishedVersion: 2,
        draftVersion: null,
        running: 1,
        bindings: 1,
        versions: [
          expect.objectContaining({ version: 1, status: 'archived' }),
          expect.objectContaining({ version: 2, status: 'published' }),
        ],
      });

      // the running ticket finishes on v1: the head's approval sends it
      const done = await ok(EV_HEAD, running.id, { type: 'approve' });
      expect(done.instance).toMatchObject({ version: 1, status: 'completed' });
      // a new ticket runs v2
      const fresh = await newTicket(EV_AGENT, 'aire-de-jeux');
      await ok(EV_AGENT, fresh.id, { type: 'submit_draft', text: 'Réparation prévue.' });
      const v = await ok(EV_HEAD, fresh.id, { type: 'approve' });
      expect(v.instance).toMatchObject({ version: 2, status: 'active', current: { stepId: 'visa_dgs' } });
      expect((await timeline(fresh.id)).find((e) => e.kind === 'workflow_started')?.data).toMatchObject({ version: 2 });
      await ok(DGS, fresh.id, { type: 'approve' });

      // export and re-import round trip
      const yaml = await admin.get('/api/v1/workflows/definitions/circuit-essai/export?format=yaml&version=1');
      expect(yaml.status).toBe(200);
      expect(yaml.headers['content-disposition']).toMatch(/circuit-essai-v1\.yaml/);
      expect(yaml.text).toMatch(/^id: circuit-essai$/m);
      const json = await admin.get('/api/v1/workflows/definitions/circuit-essai/export?format=json');
      expect(JSON.parse(json.text).steps.visa_dgs.label).toBe('Visa DGS');
      const again = await admin.post('/api/v1/workflows/definitions/validate').send({ source: yaml.text });
      expect(again.body).toMatchObject({ ok: true, errors: [], code: 'circuit-essai' });
      expect(again.body.diagram.steps.map((s: { id: string }) => s.id)).toEqual(['redaction', 'envoi', 'validation_chef']);

      // publishing without a draft: 409; unbinding the category
      expect((await admin.post('/api/v1/workflows/definitions/circuit-essai/publish')).status).toBe(409);
      const binding = (await admin.get('/api/v1/workflows/bindings').expect(200)).body.find(
        (b: { definitionCode: string }) => b.definitionCode === 'circuit-essai',
      );
      expect((await admin.delete(`/api/v1/workflows/bindings/${binding.id}`)).status).toBe(204);
      expect((await view(EV_AGENT, (await newTicket(EV_AGENT, 'aire-de-jeux')).id)).bound?.code).toBe('reponse-simple'); // the department's default
    });

    it('keeps the direct reply for tickets without a circuit', async () => {
      const t = await newTicket(VOIRIE_AGENT, 'nid-de-poule');
      expect((await view(VOIRIE_AGENT, t.id)).bound).toBeNull();
      const res = await (
        await as(VOIRIE_AGENT)
      )
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ version: t.version, kind: 'reply', body: 'Réponse directe' });
      expect(res.status).toBe(201);
      expect((await act(VOIRIE_AGENT, t.id, { type: 'submit_draft', text: 'x' })).status).toBe(409);
    });
  });
});
