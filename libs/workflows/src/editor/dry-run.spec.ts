import type { Priority } from '@grc/domain';
import { apply, start } from '../engine/apply';
import { SYSTEM_ACTOR, type Actor } from '../engine/actors';
import type { TicketContext, WorkflowInstanceState } from '../engine/state';
import { demo } from '../engine/test-helpers';
import type { PublishedDefinition, Step, WorkflowRole } from '../definition/schema';
import { blankDefinition, replaceStep, setTransitions } from './editor-model';
import { dryRun, type DryRunSample } from './dry-run';

const path = (r: ReturnType<typeof dryRun>) => r.steps.map((s) => s.stepId);

describe('dry run of the demo circuits', () => {
  it('sensitive reply, a complaint: head, then DGS (priority raised to high), then the élu, the author told', () => {
    const r = dryRun(demo('reponse-sensible-urbanisme'), { department: 'urbanisme', category: 'reclamation-urbanisme' });
    expect(r.status).toBe('finished');
    expect(r.end).toBe('envoi');
    expect(path(r)).toEqual(['redaction', 'validation_chef', 'visa_dgs', 'signature_elu', 'information_redacteur', 'envoi']);
    expect(r.steps[0]!.actors).toEqual([{ kind: 'roles', roles: ['agent'], departments: ['urbanisme'] }]);
    expect(r.steps[1]!.actors).toEqual([{ kind: 'role', role: 'head', department: 'urbanisme' }]);
    expect(r.steps[1]!.transition).toBe(0);
    expect(r.steps[2]!.priority).toBe('high');
    expect(r.steps[3]!.actors).toEqual([{ kind: 'role', role: 'elected', department: null }]);
    expect(r.steps[4]!.notified).toEqual([{ kind: 'draft_author' }]);
  });

  it('sensitive reply, another category: DGS or élu (any of), through the fallback transition', () => {
    const r = dryRun(demo('reponse-sensible-urbanisme'), { department: 'urbanisme', category: 'declaration-prealable' });
    expect(path(r)).toEqual(['redaction', 'validation_chef', 'visa_dgs_ou_elu', 'information_redacteur', 'envoi']);
    expect(r.steps[1]!.transition).toBe(1);
    expect(r.steps[2]!.mode).toBe('any');
    expect(r.steps[2]!.actors).toHaveLength(2);
  });

  it('the same category made urgent takes the DGS then élu route', () => {
    const r = dryRun(demo('reponse-sensible-urbanisme'), {
      department: 'urbanisme',
      category: 'declaration-prealable',
      priority: 'urgent',
    });
    expect(path(r)).toContain('visa_dgs');
  });

  it('simple reply: an agent drafting goes to the head, a head drafting sends directly', () => {
    expect(path(dryRun(demo('reponse-simple'), { department: 'enfance' }))).toEqual(['redaction', 'validation_chef', 'envoi']);
    expect(path(dryRun(demo('reponse-simple'), { department: 'enfance', author: { role: 'head' } }))).toEqual(['redaction', 'envoi']);
  });

  it('tree felling: citizen, three opinions with their due time, decision, joint approval of both heads', () => {
    const r = dryRun(demo('avis-abattage-arbre'), { department: 'espaces-verts', category: 'elagage' });
    expect(path(r)).toEqual(['precisions_citoyen', 'avis_services', 'redaction_decision', 'validation_conjointe', 'envoi_decision']);
    expect(r.steps[0]!.actors).toEqual([{ kind: 'citizen' }]);
    expect(r.steps[0]!.dueInMinutes).toBe(10080);
    expect(r.steps[1]!.actors.map((a) => (a.kind === 'department' ? a.department : a.kind))).toEqual([
      'espaces-verts',
      'voirie',
      'urbanisme',
    ]);
    expect(r.steps[1]!.dueInMinutes).toBe(14400);
    expect(r.steps[3]!.mode).toBe('all');
  });
});

describe('dry run stops where the circuit would', () => {
  it('stuck when no transition applies (only conditional ones)', () => {
    const d = setTransitions(blankDefinition('c', 'C'), 'validation', [
      { on: 'approved', to: 'fin', guard: { when: { field: 'priority', op: 'eq', value: 'urgent' } } },
    ]);
    const r = dryRun(d, { department: 'voirie' });
    expect(r).toMatchObject({ status: 'stuck', reason: 'no_transition', end: null });
    expect(r.steps.at(-1)!.stepId).toBe('validation');
  });

  it('stuck with guard_refused when the acting profile may not take any transition', () => {
    const blank = blankDefinition('c', 'C');
    const d = setTransitions(
      replaceStep(blank, 'redaction', { ...blank.steps['redaction']!, writers: { roles: ['agent', 'head'] } } as Step),
      'redaction',
      [{ on: 'submitted', to: 'validation', guard: { roles: ['head'] } }],
    );
    expect(dryRun(d, { department: 'voirie' })).toMatchObject({ status: 'stuck', reason: 'guard_refused' });
    // an author whose role may not write this draft: the step's first role drafts
    expect(dryRun(d, { department: 'voirie', author: { role: 'elected' } })).toMatchObject({ status: 'stuck', reason: 'guard_refused' });
    expect(dryRun(d, { department: 'voirie', author: { role: 'head' } }).status).toBe('finished');
  });

  it('a loop of steps is reported, not walked forever; an unknown step is stuck', () => {
    let d = setTransitions(blankDefinition('c', 'C'), 'validation', [{ on: 'approved', to: 'redaction' }]);
    expect(dryRun(d, { department: 'voirie' }).status).toBe('loop');
    d = setTransitions(d, 'validation', [{ on: 'approved', to: 'absente' }]);
    expect(dryRun(d, { department: 'voirie' })).toMatchObject({ status: 'stuck', reason: 'unknown_step' });
  });
});

/**
 * The dry run must say what the engine does: drive the engine with actors matching each step's
 * expected actors and compare the steps it waits in and where it ends.
 */
describe('dry run = the engine, on every demo circuit and a range of samples', () => {
  const now = '2026-03-03T09:00:00.000Z';
  const samples: Array<[string, DryRunSample]> = [];
  for (const category of ['reclamation-urbanisme', 'declaration-prealable', 'elagage', 'autre'])
    for (const priority of ['low', 'normal', 'urgent'] as Priority[])
      for (const author of [undefined, { role: 'head' as WorkflowRole }])
        samples.push([`${category}/${priority}/${author?.role ?? 'default'}`, { department: 'espaces-verts', category, priority, author }]);

  const drive = (def: PublishedDefinition, sample: DryRunSample): { waited: string[]; end: string | null } => {
    let priority: Priority = sample.priority ?? 'normal';
    const ticket = (): TicketContext => ({
      ticketId: 't',
      departmentId: sample.department,
      fields: { category: sample.category ?? undefined, priority, department: sample.department },
    });
    const follow = (r: ReturnType<typeof start>): WorkflowInstanceState => {
      if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
      for (const e of r.effects) if (e.type === 'set_priority') priority = e.priority;
      return r.state;
    };
    const dep = (d: string | undefined) => (d === undefined ? [] : [d === '$ticket' ? sample.department : d]);
    let state = follow(start(def, ticket(), SYSTEM_ACTOR, now));
    const waited: string[] = [];
    for (let n = 0; state.status === 'active' && n < 20; n++) {
      const step = def.steps[state.current.stepId]!;
      waited.push(state.current.stepId);
      if (step.kind === 'draft') {
        const role =
          sample.author && (step.writers.roles as readonly string[]).includes(sample.author.role)
            ? sample.author.role
            : step.writers.roles[0]!;
        const author: Actor = { id: 'author', role, departmentIds: dep(step.writers.departments?.[0]) };
        state = follow(apply(def, state, { type: 'submit_draft', text: 'Projet' }, author, now, ticket()));
      } else if (step.kind === 'approval') {
        const slots = step.mode === 'all' ? step.approvers : [step.approvers[0]!];
        slots.forEach((s, i) => {
          const a: Actor = { id: s.agentId ?? `approver-${i}`, role: s.role ?? 'head', departmentIds: dep(s.department) };
          state = follow(apply(def, state, { type: 'approve' }, a, now, ticket()));
        });
      } else if (step.kind === 'opinion') {
        for (const d of step.departments) {
          const a: Actor = { id: `avis-${d}`, role: step.respondents?.[0] ?? 'agent', departmentIds: dep(d) };
          state = follow(
            apply(def, state, { type: 'give_opinion', departmentId: dep(d)[0]!, verdict: 'favourable', comment: 'ok' }, a, now, ticket()),
          );
        }
      } else if (step.kind === 'wait_for_citizen') {
        state = follow(apply(def, state, { type: 'citizen_replied' }, SYSTEM_ACTOR, now, ticket()));
      } else throw new Error(`unexpected wait in ${step.kind}`);
    }
    return { waited, end: state.status === 'completed' ? state.current.stepId : null };
  };

  for (const id of ['reponse-simple', 'reponse-sensible-urbanisme', 'avis-abattage-arbre'])
    it.each(samples)(`${id}: %s`, (_label, sample) => {
      const def = demo(id);
      const r = dryRun(def, sample);
      const engine = drive(def, sample);
      expect(r.status).toBe('finished');
      expect(r.steps.filter((s) => s.kind !== 'notify' && s.kind !== 'end').map((s) => s.stepId)).toEqual(engine.waited);
      expect(r.end).toBe(engine.end);
    });
});
