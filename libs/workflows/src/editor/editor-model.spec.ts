import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseDefinition } from '../definition/analyse';
import { parseWorkflowDefinition, type Step, type WorkflowDefinition } from '../definition/schema';
import { REPONSE_SENSIBLE, DEMO_TOWN_WORKFLOWS } from '../examples/demo-town';
import {
  addStep,
  blankDefinition,
  conditionToForm,
  formToCondition,
  freeStepId,
  keepKeyOrder,
  moveStep,
  newStep,
  problemsByStep,
  removeStep,
  renameStep,
  replaceStep,
  setTransitions,
  stepOfPath,
} from './editor-model';
import { circuitGraph } from './circuit-graph';

const parsed = (input: unknown): WorkflowDefinition => {
  const r = parseWorkflowDefinition(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.definition;
};
/** every object's keys, depth first: two values with the same list have the same layout */
const keyPaths = (v: unknown, at = ''): string[] =>
  Array.isArray(v)
    ? v.flatMap((x, i) => keyPaths(x, `${at}[${i}]`))
    : v !== null && typeof v === 'object'
      ? Object.entries(v).flatMap(([k, x]) => [`${at}.${k}`, ...keyPaths(x, `${at}.${k}`)])
      : [];

describe('key order survives parsing and the editor', () => {
  const yaml = `name: Circuit écrit à la main
id: ordre-auteur
initial: ecrire
steps:
  ecrire:
    transitions:
      - to: valider
        on: submitted
    writers: { departments: [$ticket], roles: [agent] }
    label: "  Écrire  "
    kind: draft
  valider:
    approvers: [{ department: $ticket, role: head }]
    mode: one
    kind: approval
    transitions: [{ to: fin, on: approved }]
  fin: { outcome: reply_sent, kind: end }
`;

  it('the schema parser reorders keys (the bug this fixes)…', () => {
    const input = parse(yaml);
    expect(keyPaths(parsed(input))).not.toEqual(keyPaths(input));
  });

  it('…keepKeyOrder puts the author’s order back, values as parsed (trimmed)', () => {
    const input = parse(yaml);
    const kept = keepKeyOrder(parsed(input), input);
    expect(keyPaths(kept)).toEqual(keyPaths(input));
    expect(kept.steps['ecrire']!.label).toBe('Écrire');
    expect(stringify(kept)).toBe(stringify({ ...input, steps: { ...input.steps, ecrire: { ...input.steps.ecrire, label: 'Écrire' } } }));
  });

  it.each(DEMO_TOWN_WORKFLOWS.map((d) => [d.id, d] as const))('%s: YAML → parse → keep order → YAML is the same text', (_id, d) => {
    const text = stringify(d);
    const input = parse(text);
    expect(stringify(keepKeyOrder(parsed(input), input))).toBe(text);
  });

  it('the demo pack files keep their text through parse and keepKeyOrder (comments aside)', () => {
    const dir = join(__dirname, '../../examples');
    for (const f of ['reponse-simple.yaml', 'reponse-sensible-urbanisme.yaml', 'avis-abattage-arbre.yaml']) {
      const input = parse(readFileSync(join(dir, f), 'utf8'));
      expect(stringify(keepKeyOrder(parsed(input), input))).toBe(stringify(input));
    }
  });

  it('an edit through the editor keeps every other key where it was and appends new ones', () => {
    const input = parse(yaml);
    const def = keepKeyOrder(parsed(input), input);
    const ecrire = def.steps['ecrire']! as Extract<Step, { kind: 'draft' }>;
    const edited = replaceStep(def, 'ecrire', { ...ecrire, writers: { ...ecrire.writers, roles: ['agent', 'head'] }, slaMinutes: 60 });
    expect(Object.keys(edited.steps['ecrire']!)).toEqual(['transitions', 'writers', 'label', 'kind', 'slaMinutes']);
    expect(Object.keys(edited.steps)).toEqual(['ecrire', 'valider', 'fin']);
    expect(Object.keys(edited)).toEqual(Object.keys(input));
  });
});

describe('editor operations', () => {
  const base = blankDefinition('essai', 'Essai');

  it('a blank circuit is valid (draft → approval → end)', () => {
    expect(analyseDefinition(parsed(base)).ok).toBe(true);
  });

  it('the forms build a two-step circuit that the YAML would describe identically', () => {
    let d: WorkflowDefinition = { id: 'deux-etapes', name: 'Deux étapes', initial: 'x', steps: {} };
    d = addStep(d, 'redaction', newStep('draft', 'Rédaction'));
    d = addStep(d, 'validation', newStep('approval', 'Validation'));
    d = addStep(d, 'fin', newStep('end', 'Fin'));
    d = setTransitions(d, 'redaction', [{ on: 'submitted', to: 'validation' }]);
    d = setTransitions(d, 'validation', [{ on: 'approved', to: 'fin' }]);
    expect(d.initial).toBe('redaction');
    const yaml = `id: deux-etapes
name: Deux étapes
initial: redaction
steps:
  redaction:
    kind: draft
    label: Rédaction
    writers:
      roles: [agent]
      departments: [$ticket]
    transitions:
      - on: submitted
        to: validation
  validation:
    kind: approval
    label: Validation
    mode: one
    approvers:
      - role: head
        department: $ticket
    transitions:
      - on: approved
        to: fin
  fin:
    kind: end
    label: Fin
`;
    expect(stringify(d)).toBe(stringify(parse(yaml)));
    expect(analyseDefinition(parsed(d)).ok).toBe(true);
  });

  it('renames a step in place and every reference to it', () => {
    const d = renameStep(parsed(REPONSE_SENSIBLE), 'redaction', 'ecriture');
    expect(Object.keys(d.steps)[0]).toBe('ecriture');
    expect(d.initial).toBe('ecriture');
    expect((d.steps['visa_dgs'] as { rejectTo?: string }).rejectTo).toBe('ecriture');
    expect(analyseDefinition(d).ok).toBe(true);
    expect(() => renameStep(d, 'ecriture', 'visa_dgs')).toThrow();
    expect(() => renameStep(d, 'ecriture', 'Pas Bon')).toThrow();
  });

  it('removes a step, the transitions to it and a rejectTo naming it; the analysis then points at what is left open', () => {
    const d = removeStep(parsed(REPONSE_SENSIBLE), 'visa_dgs');
    expect(Object.keys(d.steps)).not.toContain('visa_dgs');
    expect(JSON.stringify(d)).not.toContain('"visa_dgs"');
    const r = analyseDefinition(d);
    expect(r.ok).toBe(false);
    expect(r.problems.find((p) => p.code === 'no_fallback' || p.code === 'unreachable')).toBeDefined();
    const d2 = removeStep(parsed(REPONSE_SENSIBLE), 'redaction');
    expect(d2.initial).toBe('validation_chef');
    expect((d2.steps['visa_dgs'] as { rejectTo?: string }).rejectTo).toBeUndefined();
  });

  it('moves steps up and down, not past the ends', () => {
    const d = moveStep(base, 'validation', -1);
    expect(Object.keys(d.steps)).toEqual(['validation', 'redaction', 'fin']);
    expect(moveStep(d, 'validation', -1)).toBe(d);
  });

  it('finds free ids from labels', () => {
    expect(freeStepId(base, 'Validation')).toBe('validation-2');
    expect(freeStepId(base, 'Avis des élus')).toBe('avis_des_elus');
    expect(freeStepId(base, '123')).toBe('etape');
  });

  it('refuses an end step transitions and unknown steps', () => {
    expect(() => setTransitions(base, 'fin', [])).toThrow();
    expect(() => replaceStep(base, 'nope', newStep('end'))).toThrow();
    expect(() => addStep(base, 'fin', newStep('end'))).toThrow();
  });
});

describe('conditions as form rows', () => {
  it('reads a single test, an any and an all, and writes them back identically', () => {
    const cases = [
      { field: 'priority', op: 'eq', value: 'urgent' },
      {
        any: [
          { field: 'category', op: 'eq', value: 'reclamation-urbanisme' },
          { field: 'priority', op: 'in', value: ['high', 'urgent'] },
        ],
      },
      {
        all: [
          { field: 'department', op: 'ne', value: 'dgs' },
          { field: 'channel', op: 'not_in', value: ['web'] },
        ],
      },
    ] as const;
    for (const c of cases) {
      const form = conditionToForm(c as never);
      expect(form).not.toBeNull();
      expect(formToCondition(form!)).toEqual(c);
    }
  });

  it('leaves what the rows cannot say to the YAML (nested, negated, numeric, unknown field)', () => {
    expect(conditionToForm({ not: { field: 'priority', op: 'eq', value: 'low' } })).toBeNull();
    expect(conditionToForm({ all: [{ any: [{ field: 'priority', op: 'eq', value: 'low' }] }] })).toBeNull();
    expect(conditionToForm({ field: 'attachments', op: 'gt', value: 2 })).toBeNull();
    expect(conditionToForm({ field: 'priority', op: 'exists' })).toBeNull();
  });

  it('no rows: no condition; undefined: an empty form', () => {
    expect(formToCondition({ match: 'all', rows: [] })).toBeUndefined();
    expect(conditionToForm(undefined)).toEqual({ match: 'all', rows: [] });
  });

  it('a condition written by the rows passes the schema', () => {
    const when = formToCondition({
      match: 'any',
      rows: [
        { field: 'category', op: 'in', values: ['elagage', 'voirie'] },
        { field: 'priority', op: 'eq', values: ['urgent'] },
      ],
    });
    const d = setTransitions(blankDefinition('c', 'C'), 'validation', [
      { on: 'approved', to: 'fin', guard: { when } },
      { on: 'approved', to: 'fin' },
    ]);
    expect(parseWorkflowDefinition(d).ok).toBe(true);
  });
});

describe('problems on the step at fault, graph', () => {
  it('maps paths to steps (imports prefix the file index)', () => {
    expect(stepOfPath('steps.chef.approvers[0].role')).toBe('chef');
    expect(stepOfPath('[2].steps.a-b.transitions')).toBe('a-b');
    expect(stepOfPath('initial')).toBeNull();
    const d = setTransitions(blankDefinition('c', 'C'), 'validation', [{ on: 'approved', to: 'nulle_part' }]);
    const byStep = problemsByStep(analyseDefinition(d).problems);
    expect(byStep.get('validation')?.map((p) => p.code)).toContain('unknown_step');
  });

  it('lists nodes in reading order, transitions and rejections as edges, dangling ones flagged', () => {
    const g = circuitGraph(parsed(REPONSE_SENSIBLE));
    expect(g.nodes.map((n) => n.id)).toEqual([
      'redaction',
      'validation_chef',
      'visa_dgs',
      'visa_dgs_ou_elu',
      'signature_elu',
      'information_redacteur',
      'envoi',
    ]);
    expect(g.edges.filter((e) => e.kind === 'reject').map((e) => `${e.from}>${e.to}`)).toEqual([
      'visa_dgs>redaction',
      'visa_dgs_ou_elu>redaction',
      'signature_elu>redaction',
    ]);
    expect(g.edges.find((e) => e.from === 'validation_chef' && e.index === 0)!.guarded).toBe(true);
    const broken = circuitGraph(setTransitions(blankDefinition('c', 'C'), 'validation', [{ on: 'approved', to: 'x' }]));
    expect(broken.edges.find((e) => e.to === 'x')!.dangling).toBe(true);
    expect(broken.nodes.find((n) => n.id === 'fin')!.reachable).toBe(false);
  });
});
