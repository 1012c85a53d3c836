import { analyseDefinition } from './analyse';
import { parseWorkflowDefinition, WorkflowDefinition, WorkflowDefinitionInput } from './schema';

const parse = (input: WorkflowDefinitionInput): WorkflowDefinition => {
  const r = parseWorkflowDefinition(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.definition;
};
const codes = (d: WorkflowDefinitionInput, ctx = {}) =>
  analyseDefinition(parse(d), ctx).problems.map((p) => `${p.severity}:${p.code}@${p.path}`);

const base = (): WorkflowDefinitionInput => ({
  id: 'w',
  name: 'W',
  initial: 'draft',
  steps: {
    draft: { kind: 'draft', writers: { roles: ['agent'] }, transitions: [{ on: 'submitted', to: 'ok' }] },
    ok: {
      kind: 'approval',
      mode: 'one',
      approvers: [{ role: 'head', department: '$ticket' }],
      transitions: [{ on: 'approved', to: 'end' }],
    },
    end: { kind: 'end' },
  },
});

describe('analyseDefinition', () => {
  it('accepts a sound circuit with no problem', () => {
    expect(analyseDefinition(parse(base()))).toEqual({ ok: true, problems: [] });
  });

  it('finds unknown steps, unreachable steps and dead ends', () => {
    const d = base();
    d.steps['orphan'] = { kind: 'notify', to: [{ kind: 'citizen' }], template: 't', transitions: [{ on: 'done', to: 'nowhere' }] };
    d.steps['ok'] = { kind: 'approval', mode: 'one', approvers: [{ role: 'head' }], transitions: [] };
    expect(codes(d)).toEqual(
      expect.arrayContaining([
        'error:unknown_step@steps.orphan.transitions[0].to',
        'error:unreachable@steps.orphan',
        'error:dead_end@steps.ok.transitions',
      ]),
    );
  });

  it('finds cycles without exit and automatic loops', () => {
    const d = base();
    d.steps['ok'] = { kind: 'approval', mode: 'one', approvers: [{ role: 'head' }], transitions: [{ on: 'approved', to: 'n1' }] };
    d.steps['n1'] = { kind: 'notify', to: [{ kind: 'citizen' }], template: 't', transitions: [{ on: 'done', to: 'n2' }] };
    d.steps['n2'] = { kind: 'notify', to: [{ kind: 'citizen' }], template: 't', transitions: [{ on: 'done', to: 'n1' }] };
    const c = codes(d);
    expect(c).toEqual(expect.arrayContaining(['error:cycle_without_exit@steps.draft', 'error:automatic_loop@steps.n1']));
    expect(c).toContain('error:unreachable@steps.end');
  });

  it('finds transitions no actor could take and outcomes left without fallback', () => {
    const d = base();
    d.steps['draft'] = {
      kind: 'draft',
      writers: { roles: ['agent', 'head'] },
      transitions: [
        { on: 'submitted', to: 'end', guard: { roles: ['elected'] } },
        { on: 'submitted', to: 'ok', guard: { roles: ['agent'] } },
      ],
    };
    d.steps['ok'] = {
      kind: 'approval',
      mode: 'one',
      approvers: [{ role: 'head' }],
      transitions: [{ on: 'approved', to: 'end', guard: { when: { field: 'priority', op: 'eq', value: 'high' } } }],
    };
    expect(codes(d)).toEqual(
      expect.arrayContaining([
        'error:transition_without_actor@steps.draft.transitions[0].guard',
        'error:no_transition_for_actor@steps.draft.transitions',
        'error:no_fallback@steps.ok.transitions',
      ]),
    );
  });

  it('refuses role guards on automatic outcomes and rejections to non-draft steps', () => {
    const d = base();
    d.steps['ok'] = {
      kind: 'approval',
      mode: 'one',
      approvers: [{ role: 'head' }],
      rejectTo: 'end',
      transitions: [{ on: 'approved', to: 'n' }],
    };
    d.steps['n'] = {
      kind: 'notify',
      to: [{ kind: 'citizen' }],
      template: 't',
      transitions: [{ on: 'done', to: 'end', guard: { roles: ['head'] } }],
    };
    expect(codes(d)).toEqual(
      expect.arrayContaining(['error:reject_not_draft@steps.ok.rejectTo', 'error:guard_on_automatic_outcome@steps.n.transitions[0].guard']),
    );
  });

  it('requires a draft before an approval that has no rejectTo, and an end step', () => {
    const c = codes({
      id: 'w',
      name: 'W',
      initial: 'a',
      steps: { a: { kind: 'approval', mode: 'one', approvers: [{ role: 'head' }], transitions: [{ on: 'approved', to: 'a' }] } },
    });
    expect(c).toEqual(
      expect.arrayContaining(['error:no_end@steps', 'error:no_draft_to_reject_to@steps.a.rejectTo', 'error:cycle_without_exit@steps.a']),
    );
  });

  it('checks references against the town’s data when given', () => {
    const d = base();
    d.appliesTo = { categories: ['elagage', 'licorne'] };
    d.steps['ok'] = {
      kind: 'approval',
      mode: 'any',
      approvers: [{ role: 'head', department: 'voirie' }, { agentId: 'ghost' }],
      transitions: [
        { on: 'approved', to: 'end', guard: { when: { field: 'category', op: 'in', value: ['elagage', 'dragon'] } } },
        { on: 'approved', to: 'end' },
      ],
    };
    d.steps['o'] = {
      kind: 'opinion',
      departments: ['voirie', 'mars', 'voirie'],
      dueInMinutes: 60,
      transitions: [{ on: 'completed', to: 'end' }],
    };
    d.steps['draft'] = { kind: 'draft', writers: { roles: ['agent'] }, transitions: [{ on: 'submitted', to: 'o' }] };
    d.steps['o'].transitions = [{ on: 'completed', to: 'ok' }];
    expect(codes(d, { departments: ['voirie'], categories: ['elagage'], agents: ['a1'] })).toEqual(
      expect.arrayContaining([
        'error:unknown_category@appliesTo.categories[1]',
        'error:unknown_category@steps.ok.transitions[0].guard.when.value[1]',
        'error:unknown_agent@steps.ok.approvers[1].agentId',
        'error:unknown_department@steps.o.departments[1]',
        'error:duplicate_department@steps.o.departments[2]',
      ]),
    );
  });

  it('warns about shadowed transitions and single-approver groups without blocking', () => {
    const d = base();
    d.steps['ok'] = {
      kind: 'approval',
      mode: 'all',
      approvers: [{ role: 'head' }],
      transitions: [
        { on: 'approved', to: 'end' },
        { on: 'approved', to: 'draft' },
      ],
    };
    const r = analyseDefinition(parse(d));
    expect(r.ok).toBe(true);
    expect(r.problems.map((p) => p.code).sort()).toEqual(['shadowed_transition', 'single_approver_group']);
  });
});
