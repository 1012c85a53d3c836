import { analyseDefinition } from './analyse';
import { parseWorkflowDefinition, WorkflowDefinition, WorkflowDefinitionInput } from './schema';
import { apply, availableActions, start } from '../engine/apply';
import { replay } from '../engine/replay';
import { agent, head, ok } from '../engine/test-helpers';
import type { TicketContext } from '../engine/state';
import { publish, emptyRegistry } from '../versioning';

const parse = (input: WorkflowDefinitionInput): WorkflowDefinition => {
  const r = parseWorkflowDefinition(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.definition;
};
const deadlocks = (d: WorkflowDefinitionInput) =>
  analyseDefinition(parse(d))
    .problems.filter((p) => p.code === 'self_approval_deadlock')
    .map((p) => `${p.severity}@${p.path}`);

/** A head may write, and only "a head of the ticket's department" may approve: a single head is stuck. */
const headWritesHeadApproves = (): WorkflowDefinitionInput => ({
  id: 'w',
  name: 'W',
  initial: 'redaction',
  steps: {
    redaction: {
      kind: 'draft',
      writers: { roles: ['agent', 'head'], departments: ['$ticket'] },
      transitions: [{ on: 'submitted', to: 'n' }],
    },
    n: { kind: 'notify', to: [{ kind: 'draft_author' }], template: 't', transitions: [{ on: 'done', to: 'chef' }] },
    chef: {
      kind: 'approval',
      mode: 'one',
      approvers: [{ role: 'head', department: '$ticket' }],
      transitions: [{ on: 'approved', to: 'fin' }],
    },
    fin: { kind: 'end' },
  },
});

describe('static analysis: self-approval deadlocks', () => {
  it('refuses an approval whose only eligible approver may be the author, naming the route', () => {
    const r = analyseDefinition(parse(headWritesHeadApproves()));
    expect(r.ok).toBe(false);
    const p = r.problems.find((x) => x.code === 'self_approval_deadlock')!;
    expect(p).toMatchObject({ severity: 'error', path: 'steps.chef.approvers[0]' });
    expect(p.message).toContain('redaction → n → chef');
    expect(p.message).toContain('head');
  });

  it('accepts the circuit when a head who writes is routed elsewhere, or self-approval is allowed, or another approver may approve', () => {
    const routed = headWritesHeadApproves();
    routed.steps['redaction'] = {
      ...routed.steps['redaction'],
      transitions: [
        { on: 'submitted', to: 'fin', guard: { roles: ['head'] } },
        { on: 'submitted', to: 'n' },
      ],
    } as never;
    expect(deadlocks(routed)).toEqual([]);
    const allowed = headWritesHeadApproves();
    (allowed.steps['chef'] as { allowSelfApproval?: boolean }).allowSelfApproval = true;
    expect(deadlocks(allowed)).toEqual([]);
    const any = headWritesHeadApproves();
    any.steps['chef'] = {
      kind: 'approval',
      mode: 'any',
      approvers: [
        { role: 'head', department: '$ticket' },
        { role: 'head', department: 'dgs' },
      ],
      transitions: [{ on: 'approved', to: 'fin' }],
    };
    expect(deadlocks(any)).toEqual([]);
  });

  it('in mode all, one slot the author fills is enough to block', () => {
    const d = headWritesHeadApproves();
    d.steps['chef'] = {
      kind: 'approval',
      mode: 'all',
      approvers: [
        { role: 'head', department: 'dgs' },
        { role: 'head', department: '$ticket' },
      ],
      transitions: [{ on: 'approved', to: 'fin' }],
    };
    expect(deadlocks(d)).toEqual(['error@steps.chef.approvers[1]']);
  });

  it('a writer of a named department blocks a slot of that department only', () => {
    const d = headWritesHeadApproves();
    d.steps['redaction'] = {
      kind: 'draft',
      writers: { roles: ['head'], departments: ['espaces-verts'] },
      transitions: [{ on: 'submitted', to: 'chef' }],
    };
    d.steps['chef'] = {
      kind: 'approval',
      mode: 'all',
      approvers: [
        { role: 'head', department: 'espaces-verts' },
        { role: 'head', department: 'urbanisme' },
      ],
      transitions: [{ on: 'approved', to: 'fin' }],
    };
    expect(deadlocks(d)).toEqual(['error@steps.chef.approvers[0]']);
  });

  it('publishing refuses it', () => {
    const r = publish(emptyRegistry(), headWritesHeadApproves());
    expect(r.ok).toBe(false);
  });
});

describe('runtime way out: the parent department’s head approves in place of the author', () => {
  // a circuit published before the analysis knew about deadlocks (still running on tickets)
  const def = { ...parse(headWritesHeadApproves()), version: 1 };
  const tk: TicketContext = { ticketId: 't-1', departmentId: 'espaces-verts', parentDepartments: { 'espaces-verts': 'dst', dst: 'dgs' } };
  const claire = head('claire', 'espaces-verts');
  const philippe = head('philippe', 'dst');
  const T0 = '2026-03-02T08:00:00.000Z';

  const submitted = () => {
    const s0 = ok(start(def, tk, claire, T0));
    return ok(apply(def, s0.state, { type: 'submit_draft', text: 'Décision.' }, claire, T0, tk));
  };

  it('tells the parent head, offers him the approval, records it as a stand-in; the author stays refused', () => {
    const s1 = submitted();
    expect(s1.effects).toContainEqual({
      type: 'notify',
      to: { kind: 'role', role: 'head', departmentId: 'dst' },
      template: 'workflow.approval_stand_in',
    });
    expect(s1.state.current.departmentId).toBe('espaces-verts');
    expect(apply(def, s1.state, { type: 'approve' }, claire, T0, tk)).toMatchObject({ ok: false, code: 'self_approval' });
    expect(availableActions(def, s1.state, philippe, T0, tk).map((a) => a.type)).toEqual(['approve', 'reject', 'cancel']);
    const s2 = ok(apply(def, s1.state, { type: 'approve' }, philippe, T0, tk));
    expect(s2.state.status).toBe('completed');
    expect(replay(def, s2.state.history)).toEqual({ ok: true, state: s2.state });
    const filled = ok(apply(def, s1.state, { type: 'approve' }, philippe, T0, tk)).state.history.at(-1)!;
    expect(filled).toMatchObject({ actor: { id: 'philippe' }, toStepId: 'fin' });
  });

  it('his delegate may stand in on his behalf; a head of another branch may not', () => {
    const s1 = submitted();
    const deputy = agent('deputy', 'dst', {
      delegations: [
        {
          fromAgentId: 'philippe',
          fromRole: 'head',
          fromDepartmentIds: ['dst'],
          from: '2026-01-01T00:00:00.000Z',
          to: '2027-01-01T00:00:00.000Z',
        },
      ],
    });
    const r = ok(apply(def, s1.state, { type: 'approve' }, deputy, T0, tk));
    expect(r.state.history.at(-1)).toMatchObject({ onBehalfOf: 'philippe' });
    expect(apply(def, s1.state, { type: 'approve' }, head('sophie', 'etat-civil'), T0, tk)).toMatchObject({
      ok: false,
      code: 'not_an_approver',
    });
  });

  it('an agent’s draft is approved by the department’s own head as before (no stand-in offered)', () => {
    const s0 = ok(start(def, tk, claire, T0));
    const s1 = ok(apply(def, s0.state, { type: 'submit_draft', text: 'Décision.' }, agent('antoine', 'espaces-verts'), T0, tk));
    expect(s1.effects.some((e) => e.type === 'notify' && e.template === 'workflow.approval_stand_in')).toBe(false);
    expect(apply(def, s1.state, { type: 'approve' }, philippe, T0, tk)).toMatchObject({ ok: false, code: 'not_an_approver' });
    const s2 = ok(apply(def, s1.state, { type: 'approve' }, claire, T0, tk));
    expect(s2.state.status).toBe('completed');
  });
});
