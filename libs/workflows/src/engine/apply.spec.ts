import { apply, availableActions, start } from './apply';
import { SYSTEM_ACTOR } from './actors';
import { agent, demo, elected, head, ok, ticket } from './test-helpers';
import { timerKey } from './state';

const T0 = '2026-03-02T08:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

describe('simple circuit: agent → head', () => {
  const def = demo('reponse-simple');
  const tk = ticket('voirie', { category: 'nid-de-poule', priority: 'normal' });
  const karim = agent('karim', 'voirie');
  const thierry = head('thierry', 'voirie');

  it('drafts, approves and sends, with effects and a full history', () => {
    const s0 = ok(start(def, tk, karim, T0));
    expect(s0.state.current.stepId).toBe('redaction');
    expect(s0.effects).toEqual([
      { type: 'assign', to: { kind: 'department', departmentId: 'voirie' } },
      {
        type: 'schedule_timer',
        key: timerKey(s0.state, 1, 'redaction', 'sla'),
        kind: 'sla',
        stepId: 'redaction',
        dueInMinutes: 2880,
        dueAt: '2026-03-04T08:00:00.000Z',
      },
    ]);
    const s1 = ok(apply(def, s0.state, { type: 'submit_draft', text: 'Bonjour, le trou sera rebouché lundi.' }, karim, at(10), tk));
    expect(s1.state.current).toMatchObject({ stepId: 'validation_chef', approvals: [{ role: 'head', departmentId: 'voirie' }] });
    expect(s1.effects).toEqual(
      expect.arrayContaining([
        { type: 'cancel_timer', key: timerKey(s0.state, 1, 'redaction', 'sla') },
        { type: 'assign', to: { kind: 'role', role: 'head', departmentId: 'voirie' } },
      ]),
    );
    const s2 = ok(apply(def, s1.state, { type: 'approve', comment: 'OK' }, thierry, at(60), tk));
    expect(s2.state.status).toBe('completed');
    expect(s2.state.outcome).toBe('reply_sent');
    expect(s2.effects).toEqual(
      expect.arrayContaining([
        { type: 'send_reply', text: 'Bonjour, le trou sera rebouché lundi.', revision: 1, authorId: 'karim' },
        { type: 'workflow_finished', status: 'completed', outcome: 'reply_sent' },
      ]),
    );
    expect(s2.state.history.map((h) => [h.action.type, h.actor.id, h.fromStepId, h.toStepId, h.version, h.comment])).toEqual([
      ['start', 'karim', null, 'redaction', 1, undefined],
      ['submit_draft', 'karim', 'redaction', 'validation_chef', 1, undefined],
      ['approve', 'thierry', 'validation_chef', 'envoi', 1, 'OK'],
    ]);
    expect(apply(def, s2.state, { type: 'approve' }, thierry, at(61), tk)).toMatchObject({ ok: false, code: 'finished', httpStatus: 409 });
  });

  it('a head drafting sends directly (role guard on the transition)', () => {
    const s0 = ok(start(def, tk, thierry, T0));
    const s1 = ok(apply(def, s0.state, { type: 'submit_draft', text: 'Réponse' }, thierry, at(1), tk));
    expect(s1.state.status).toBe('completed');
  });

  it('refuses with typed reasons: wrong role, wrong department, wrong step, missing comment, self-approval', () => {
    const s0 = ok(start(def, tk, karim, T0)).state;
    expect(apply(def, s0, { type: 'submit_draft', text: 'x' }, elected('maire'), at(1), tk)).toMatchObject({
      code: 'forbidden_role',
      httpStatus: 403,
    });
    expect(apply(def, s0, { type: 'submit_draft', text: 'x' }, agent('eve', 'proprete'), at(1), tk)).toMatchObject({
      code: 'forbidden_department',
      httpStatus: 403,
    });
    expect(apply(def, s0, { type: 'submit_draft', text: '  ' }, karim, at(1), tk)).toMatchObject({
      code: 'text_required',
      httpStatus: 422,
      field: 'text',
    });
    expect(apply(def, s0, { type: 'approve' }, thierry, at(1), tk)).toMatchObject({ code: 'wrong_step', httpStatus: 409 });
    const s1 = ok(apply(def, s0, { type: 'submit_draft', text: 'x' }, karim, at(1), tk)).state;
    expect(apply(def, s1, { type: 'reject', comment: '' }, thierry, at(2), tk)).toMatchObject({
      code: 'comment_required',
      httpStatus: 422,
    });
    expect(apply(def, s1, { type: 'approve' }, head('other', 'proprete'), at(2), tk)).toMatchObject({
      code: 'not_an_approver',
      httpStatus: 403,
    });
    const selfDrafted = ok(apply(def, s0, { type: 'submit_draft', text: 'x' }, { ...thierry, role: 'agent' }, at(1), tk)).state;
    expect(apply(def, selfDrafted, { type: 'approve' }, thierry, at(2), tk)).toMatchObject({ code: 'self_approval', httpStatus: 403 });
  });

  it('rejection returns the draft to its author with the comment; resubmission bumps the revision', () => {
    const s0 = ok(start(def, tk, karim, T0)).state;
    const s1 = ok(apply(def, s0, { type: 'submit_draft', text: 'v1' }, karim, at(1), tk)).state;
    const r = ok(apply(def, s1, { type: 'reject', comment: 'Préciser la date' }, thierry, at(2), tk));
    expect(r.state.current.stepId).toBe('redaction');
    expect(r.effects).toEqual(
      expect.arrayContaining([
        {
          type: 'notify',
          to: { kind: 'agent', agentId: 'karim' },
          template: 'workflow.draft_rejected',
          data: { comment: 'Préciser la date' },
        },
        { type: 'assign', to: { kind: 'agent', agentId: 'karim' } },
      ]),
    );
    expect(r.state.history.at(-1)).toMatchObject({ comment: 'Préciser la date', actor: { id: 'thierry' } });
    const s3 = ok(apply(def, r.state, { type: 'submit_draft', text: 'v2' }, karim, at(3), tk)).state;
    expect(s3.draft).toMatchObject({ text: 'v2', revision: 2 });
  });

  it('edit-and-approve where configured', () => {
    const s0 = ok(start(def, tk, karim, T0)).state;
    const s1 = ok(apply(def, s0, { type: 'submit_draft', text: 'v1' }, karim, at(1), tk)).state;
    const s2 = ok(apply(def, s1, { type: 'edit_and_approve', text: 'v1 corrigée' }, thierry, at(2), tk));
    expect(s2.effects).toContainEqual({ type: 'send_reply', text: 'v1 corrigée', revision: 2, authorId: 'karim' });
    expect(s2.state.draft?.editedBy).toBe('thierry');
  });

  it('SLA timer: escalates once, stale keys refused, only the system may fire timers', () => {
    const s0 = ok(start(def, tk, karim, T0)).state;
    const s1 = ok(apply(def, s0, { type: 'submit_draft', text: 'v1' }, karim, at(1), tk)).state;
    const key = timerKey(s1, s1.current.visit, 'validation_chef', 'sla');
    expect(apply(def, s1, { type: 'sla_elapsed', timerKey: key }, thierry, at(2000), tk)).toMatchObject({
      code: 'system_only',
      httpStatus: 403,
    });
    expect(
      apply(def, s1, { type: 'sla_elapsed', timerKey: timerKey(s0, 1, 'redaction', 'sla') }, SYSTEM_ACTOR, at(3000), tk),
    ).toMatchObject({ code: 'stale_timer' });
    const e = ok(apply(def, s1, { type: 'sla_elapsed', timerKey: key }, SYSTEM_ACTOR, at(2000), tk));
    expect(e.effects).toEqual([
      {
        type: 'notify',
        to: { kind: 'role', role: 'head', departmentId: 'dgs' },
        template: 'workflow.sla_elapsed',
        data: { stepId: 'validation_chef' },
      },
    ]);
    expect(e.state.current.slaBreached).toBe(true);
    expect(apply(def, e.state, { type: 'sla_elapsed', timerKey: key }, SYSTEM_ACTOR, at(2001), tk)).toMatchObject({ code: 'stale_timer' });
    // leaving a breached step does not cancel its (already fired) SLA timer
    const done = ok(apply(def, e.state, { type: 'approve' }, thierry, at(2002), tk));
    expect(done.effects.filter((x) => x.type === 'cancel_timer')).toEqual([]);
  });

  it('cancel: heads only, comment mandatory, timers cancelled', () => {
    const s0 = ok(start(def, tk, karim, T0)).state;
    expect(apply(def, s0, { type: 'cancel', comment: 'doublon' }, karim, at(1), tk)).toMatchObject({ code: 'forbidden_role' });
    expect(apply(def, s0, { type: 'cancel', comment: ' ' }, thierry, at(1), tk)).toMatchObject({ code: 'comment_required' });
    const c = ok(apply(def, s0, { type: 'cancel', comment: 'doublon' }, thierry, at(1), tk));
    expect(c.state.status).toBe('cancelled');
    expect(c.effects).toEqual([
      { type: 'cancel_timer', key: timerKey(s0, 1, 'redaction', 'sla') },
      { type: 'workflow_finished', status: 'cancelled' },
    ]);
  });

  it('availableActions lists what the actor may do', () => {
    const s0 = ok(start(def, tk, karim, T0)).state;
    const s1 = ok(apply(def, s0, { type: 'submit_draft', text: 'v1' }, karim, at(1), tk)).state;
    expect(availableActions(def, s1, thierry, at(2), tk).map((a) => a.type)).toEqual(['approve', 'edit_and_approve', 'reject', 'cancel']);
    expect(availableActions(def, s1, karim, at(2), tk)).toEqual([]);
  });

  it('does not mutate its inputs and is deterministic', () => {
    const s0 = ok(start(def, tk, karim, T0)).state;
    const frozen = JSON.stringify(s0);
    const a = apply(def, s0, { type: 'submit_draft', text: 'v1' }, karim, at(1), tk);
    const b = apply(def, s0, { type: 'submit_draft', text: 'v1' }, karim, at(1), tk);
    expect(JSON.stringify(s0)).toBe(frozen);
    expect(a).toEqual(b);
  });
});

describe('delegation', () => {
  const def = demo('reponse-simple');
  const tk = ticket('voirie');
  const karim = agent('karim', 'voirie');
  const delegation = {
    fromAgentId: 'thierry',
    fromRole: 'head' as const,
    fromDepartmentIds: ['voirie'],
    from: '2026-03-01T00:00:00Z',
    to: '2026-03-15T00:00:00Z',
  };
  const sophie = agent('sophie', 'voirie', { delegations: [delegation] });

  it('the delegate approves during the period, recorded on behalf of the head', () => {
    const s1 = ok(apply(def, ok(start(def, tk, karim, T0)).state, { type: 'submit_draft', text: 'v1' }, karim, at(1), tk)).state;
    const r = ok(apply(def, s1, { type: 'approve', comment: 'pour T. Moreau' }, sophie, at(2), tk));
    expect(r.state.history.at(-1)).toMatchObject({ actor: { id: 'sophie' }, onBehalfOf: 'thierry', comment: 'pour T. Moreau', version: 1 });
  });

  it('outside the period the delegate is refused', () => {
    const s1 = ok(apply(def, ok(start(def, tk, karim, T0)).state, { type: 'submit_draft', text: 'v1' }, karim, at(1), tk)).state;
    expect(apply(def, s1, { type: 'approve' }, sophie, '2026-03-15T00:00:00.000Z', tk)).toMatchObject({
      code: 'not_an_approver',
      httpStatus: 403,
    });
  });

  it('the delegator’s own draft cannot be approved by their delegate on their behalf', () => {
    const s0 = ok(start(def, tk, karim, T0)).state;
    const s1 = ok(
      apply(def, s0, { type: 'submit_draft', text: 'v1' }, { id: 'thierry', role: 'agent', departmentIds: ['voirie'] }, at(1), tk),
    ).state;
    expect(apply(def, s1, { type: 'approve' }, sophie, at(2), tk)).toMatchObject({ code: 'self_approval' });
  });
});

describe('sensitive circuit: agent → head → DGS → élu', () => {
  const def = demo('reponse-sensible-urbanisme');
  const karim = agent('karim', 'urbanisme');
  const chef = head('chef-urba', 'urbanisme');
  const dgs = head('helene', 'dgs');
  const maire = elected('maire-adjoint');

  it('a dispute goes through DGS then the élu, raising priority and informing the author', () => {
    const tk = ticket('urbanisme', { category: 'reclamation-urbanisme', priority: 'normal' });
    let s = ok(start(def, tk, karim, T0)).state;
    s = ok(apply(def, s, { type: 'submit_draft', text: 'Projet' }, karim, at(1), tk)).state;
    const toDgs = ok(apply(def, s, { type: 'approve' }, chef, at(2), tk));
    expect(toDgs.state.current.stepId).toBe('visa_dgs');
    expect(toDgs.effects).toContainEqual({ type: 'set_priority', priority: 'high' });
    expect(apply(def, toDgs.state, { type: 'approve' }, maire, at(3), tk)).toMatchObject({ code: 'not_an_approver' });
    const toElu = ok(apply(def, toDgs.state, { type: 'approve' }, dgs, at(3), tk)).state;
    expect(toElu.current.stepId).toBe('signature_elu');
    const rejected = ok(apply(def, toElu, { type: 'reject', comment: 'Ton trop sec' }, maire, at(4), tk)).state;
    expect(rejected.current.stepId).toBe('redaction');
    s = ok(apply(def, rejected, { type: 'submit_draft', text: 'Projet v2' }, karim, at(5), tk)).state;
    s = ok(apply(def, s, { type: 'approve' }, chef, at(6), tk)).state;
    s = ok(apply(def, s, { type: 'approve' }, dgs, at(7), tk)).state;
    const end = ok(apply(def, s, { type: 'approve' }, maire, at(8), tk));
    expect(end.state.status).toBe('completed');
    expect(end.state.history.at(-1)!.entered).toEqual(['information_redacteur', 'envoi']);
    expect(end.effects).toEqual(
      expect.arrayContaining([
        { type: 'notify', to: { kind: 'agent', agentId: 'karim' }, template: 'workflow.reply_approved' },
        { type: 'send_reply', text: 'Projet v2', revision: 2, authorId: 'karim' },
      ]),
    );
  });

  it('other urbanism requests need the DGS or an élu (any of the group)', () => {
    const tk = ticket('urbanisme', { category: 'certificat-urbanisme', priority: 'normal' });
    let s = ok(start(def, tk, karim, T0)).state;
    s = ok(apply(def, s, { type: 'submit_draft', text: 'Projet' }, karim, at(1), tk)).state;
    s = ok(apply(def, s, { type: 'approve' }, chef, at(2), tk)).state;
    expect(s.current.stepId).toBe('visa_dgs_ou_elu');
    expect(ok(apply(def, s, { type: 'approve' }, maire, at(3), tk)).state.status).toBe('completed');
    expect(ok(apply(def, s, { type: 'approve' }, dgs, at(3), tk)).state.status).toBe('completed');
  });
});

describe('parallel opinion circuit: felling a tree', () => {
  const def = demo('avis-abattage-arbre');
  const tk = ticket('espaces-verts', { category: 'elagage' });
  const accueil = agent('accueil', 'etat-civil');
  const ev = agent('jardinier', 'espaces-verts');
  const voirie = agent('karim', 'voirie');
  const urba = agent('urba', 'urbanisme');
  const headEv = head('chef-ev', 'espaces-verts');
  const headUrba = head('chef-urba', 'urbanisme');

  const toOpinions = () => {
    const s0 = ok(start(def, tk, accueil, T0));
    expect(s0.effects).toContainEqual({ type: 'notify', to: { kind: 'citizen' }, template: 'workflow.tree_details_requested' });
    return ok(apply(def, s0.state, { type: 'citizen_replied', comment: 'photos reçues' }, SYSTEM_ACTOR, at(60), tk));
  };

  it('asks three departments in parallel and continues when all answered', () => {
    const r = toOpinions();
    expect(r.state.current.stepId).toBe('avis_services');
    expect(r.effects.filter((e) => e.type === 'notify').map((e) => (e as { to: unknown }).to)).toEqual([
      { kind: 'department', departmentId: 'espaces-verts' },
      { kind: 'department', departmentId: 'voirie' },
      { kind: 'department', departmentId: 'urbanisme' },
    ]);
    let s = r.state;
    expect(
      apply(def, s, { type: 'give_opinion', departmentId: 'voirie', verdict: 'favourable', comment: 'ok' }, urba, at(61), tk),
    ).toMatchObject({ code: 'forbidden_department' });
    expect(
      apply(def, s, { type: 'give_opinion', departmentId: 'police-municipale', verdict: 'favourable', comment: 'ok' }, voirie, at(61), tk),
    ).toMatchObject({ code: 'unknown_department', httpStatus: 422 });
    expect(
      apply(def, s, { type: 'give_opinion', departmentId: 'voirie', verdict: 'reserved', comment: '' }, voirie, at(61), tk),
    ).toMatchObject({ code: 'comment_required' });
    s = ok(
      apply(
        def,
        s,
        { type: 'give_opinion', departmentId: 'voirie', verdict: 'reserved', comment: 'Attention au réseau' },
        voirie,
        at(61),
        tk,
      ),
    ).state;
    expect(
      apply(def, s, { type: 'give_opinion', departmentId: 'voirie', verdict: 'favourable', comment: 'encore' }, voirie, at(62), tk),
    ).toMatchObject({ code: 'already_answered', httpStatus: 409 });
    s = ok(
      apply(
        def,
        s,
        { type: 'give_opinion', departmentId: 'espaces-verts', verdict: 'favourable', comment: 'Arbre malade' },
        ev,
        at(62),
        tk,
      ),
    ).state;
    const last = ok(
      apply(
        def,
        s,
        { type: 'give_opinion', departmentId: 'urbanisme', verdict: 'favourable', comment: 'Hors site classé' },
        urba,
        at(63),
        tk,
      ),
    );
    expect(last.state.current.stepId).toBe('redaction_decision');
    expect(last.effects).toContainEqual({
      type: 'cancel_timer',
      key: timerKey(r.state, r.state.current.visit, 'avis_services', 'opinion_due'),
    });
  });

  it('completes on timeout with missing opinions marked expired, then needs both heads (all-of)', () => {
    const r = toOpinions();
    let s = ok(
      apply(def, r.state, { type: 'give_opinion', departmentId: 'voirie', verdict: 'favourable', comment: 'ok' }, voirie, at(61), tk),
    ).state;
    const key = timerKey(s, s.current.visit, 'avis_services', 'opinion_due');
    const timedOut = ok(apply(def, s, { type: 'opinion_timeout', timerKey: key }, SYSTEM_ACTOR, at(14_460), tk));
    expect(timedOut.state.history.at(-1)!.entered).toEqual(['relance_avis_manquants', 'redaction_decision']);
    expect(timedOut.state.history.at(-1)!.action).toEqual({ type: 'opinion_timeout', timerKey: key });
    expect(timedOut.effects).toContainEqual({
      type: 'notify',
      to: { kind: 'role', role: 'head', departmentId: 'dst' },
      template: 'workflow.opinions_missing',
    });
    expect(timedOut.effects.some((e) => e.type === 'cancel_timer' && e.key === key)).toBe(false);
    s = ok(apply(def, timedOut.state, { type: 'submit_draft', text: 'Abattage autorisé' }, ev, at(14_500), tk)).state;
    s = ok(apply(def, s, { type: 'approve' }, headUrba, at(14_501), tk)).state;
    expect(s.current.stepId).toBe('validation_conjointe');
    expect(apply(def, s, { type: 'approve' }, headUrba, at(14_502), tk)).toMatchObject({ code: 'not_an_approver' });
    const end = ok(apply(def, s, { type: 'approve' }, headEv, at(14_503), tk));
    expect(end.state.outcome).toBe('decision');
  });

  it('a late timer after completion is refused as stale', () => {
    const r = toOpinions();
    const key = timerKey(r.state, r.state.current.visit, 'avis_services', 'opinion_due');
    let s = r.state;
    for (const [d, who] of [
      ['voirie', voirie],
      ['espaces-verts', ev],
      ['urbanisme', urba],
    ] as const)
      s = ok(apply(def, s, { type: 'give_opinion', departmentId: d, verdict: 'favourable', comment: 'ok' }, who, at(70), tk)).state;
    expect(apply(def, s, { type: 'opinion_timeout', timerKey: key }, SYSTEM_ACTOR, at(14_460), tk)).toMatchObject({
      code: 'stale_timer',
      httpStatus: 409,
    });
  });
});
