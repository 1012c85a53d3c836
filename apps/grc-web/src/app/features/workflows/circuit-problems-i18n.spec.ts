import { TestBed } from '@angular/core/testing';
import { PROBLEM_CODES, SCHEMA_PROBLEM_CODES, analyseDefinition, parseWorkflowDefinition } from '@grc/workflows';
import { provideTestI18n } from '../../../testing/i18n';
import { I18n } from '../../core/i18n';
import { CIRCUIT_PROBLEMS_EN, CIRCUIT_PROBLEMS_FR, circuitProblemText } from './circuit-problems-i18n';

/** The circuits' analysis problems in the agent's language, from their code (the French sentence is not shown in English). */
describe('circuit problems wording', () => {
  let i18n: I18n;
  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestI18n('en') });
    i18n = TestBed.inject(I18n);
    await i18n.ready();
  });

  it('words an analysed circuit’s problems in English, and a problem without a worded code generically', () => {
    const parsed = parseWorkflowDefinition({
      id: 'c',
      name: 'C',
      initial: 'redaction',
      steps: {
        redaction: { kind: 'draft', writers: { roles: ['agent'] }, transitions: [{ on: 'submitted', to: 'nulle_part' }] },
        fin: { kind: 'end' },
      },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const problems = analyseDefinition(parsed.definition).problems;
    expect(problems.map((p) => p.code)).toContain('unknown_step');
    const texts = problems.map((p) => circuitProblemText(p, i18n));
    expect(texts).toContain('this step does not exist');
    expect(texts.join('\n')).not.toMatch(/[éèêàùçô«»]/);
    expect(circuitProblemText({ code: 'syntax', message: 'YAML illisible' }, i18n)).toBe(
      'the circuit does not match the expected format (docs/workflows.md)',
    );
  });

  it('in French: the code’s words, and the own sentence of a problem without a worded code', async () => {
    i18n.lang.set('fr');
    await i18n.ready();
    expect(circuitProblemText({ code: 'unreachable', message: '…' }, i18n)).toBe('étape inaccessible depuis l’étape initiale');
    expect(circuitProblemText({ code: 'syntax', message: 'YAML illisible' }, i18n)).toBe('YAML illisible');
  });

  it('has words for every code of the analysis and of the schema, and none for a code neither has (both ways)', () => {
    const codes: string[] = [...PROBLEM_CODES, ...SCHEMA_PROBLEM_CODES, 'other'];
    expect(codes.filter((c) => !(`wf.problem.${c}` in CIRCUIT_PROBLEMS_FR))).toEqual([]);
    expect(Object.keys(CIRCUIT_PROBLEMS_FR).filter((k) => !codes.includes(k.slice('wf.problem.'.length)))).toEqual([]);
    expect(Object.keys(CIRCUIT_PROBLEMS_EN).sort()).toEqual(Object.keys(CIRCUIT_PROBLEMS_FR).sort());
  });

  it('words the schema’s errors in English from their codes and parameters, without French', () => {
    const parsed = parseWorkflowDefinition({
      id: 'Mauvais Id',
      name: 'C',
      initial: 'redaction',
      steps: {
        redaction: { kind: 'brouillon' },
        chef: { kind: 'approval', mode: 'one', approvers: [], inconnu: 1 },
        cond: { kind: 'notify', to: [{ kind: 'citizen' }], template: 't', transitions: [{ on: 'approved', to: 'fin' }] },
        fin: { kind: 'end' },
      },
    });
    if (parsed.ok) throw new Error('expected errors');
    const texts = parsed.errors.map((e) => `${e.path}: ${circuitProblemText({ ...e, code: e.code }, i18n)}`);
    expect(texts).toEqual(
      expect.arrayContaining([
        'id: identifier expected: lowercase letters, digits, “-” or “_”, starting with a letter',
        'steps.redaction.kind: unknown type (expected: draft, approval, opinion, notify, wait_for_citizen, end)',
        'steps.chef.approvers: at least 1 item',
        'steps.chef: unknown property: inconnu',
      ]),
    );
    expect(texts.join('\n')).not.toMatch(/[éèêàùçô«»]|attendu|étape/);
    expect(parsed.errors.every((e) => e.code.startsWith('schema.'))).toBe(true);
  });
});
