import { parseWorkflowDefinition, formatPath } from './schema';
import { REPONSE_SIMPLE } from '../examples/demo-town';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('parseWorkflowDefinition', () => {
  it('accepts a valid definition and returns it typed', () => {
    const r = parseWorkflowDefinition(REPONSE_SIMPLE);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.definition.steps['validation_chef']!.kind).toBe('approval');
  });

  it('lists every error with the path of the wrong value, in French', () => {
    const bad = clone(REPONSE_SIMPLE) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    bad.id = 'Réponse Simple';
    bad.steps.validation_chef.approvers[0].role = 'boss';
    bad.steps.validation_chef.mode = 'most';
    bad.steps.redaction.slaMinutes = -5;
    bad.steps.redaction.colour = 'blue';
    bad.steps.envoi = { kind: 'finish' };
    const r = parseWorkflowDefinition(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e.message]));
    expect(byPath['id']).toMatch(/identifiant attendu/);
    expect(byPath['steps.validation_chef.approvers[0].role']).toMatch(/rôle inconnu .*agent, head, admin, elected/);
    expect(byPath['steps.validation_chef.mode']).toMatch(/mode attendu/);
    expect(byPath['steps.redaction.slaMinutes']).toMatch(/positif/);
    expect(byPath['steps.redaction']).toMatch(/propriété inconnue : colour/);
    expect(byPath['steps.envoi.kind']).toMatch(/type d’étape \(kind\) inconnu/);
  });

  it('refuses an outcome the step kind cannot produce, and mode one with several approvers', () => {
    const bad = clone(REPONSE_SIMPLE) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    bad.steps.redaction.transitions[1].on = 'approved';
    bad.steps.validation_chef.approvers.push({ role: 'elected' });
    const r = parseWorkflowDefinition(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        {
          path: 'steps.redaction.transitions[1].on',
          code: 'schema.outcome_not_allowed',
          params: { on: 'approved', kind: 'draft', allowed: 'submitted' },
          message: expect.stringMatching(/issue « approved » impossible pour une étape draft/),
        },
        {
          path: 'steps.validation_chef.approvers',
          code: 'schema.one_needs_single_approver',
          message: 'le mode one attend exactement un approbateur',
        },
      ]),
    );
  });

  it('validates conditions (operator, value shape) and reports missing required fields', () => {
    const bad = clone(REPONSE_SIMPLE) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    bad.steps.redaction.transitions[0].guard = { when: { field: 'category', op: 'in', value: 'x' } };
    delete bad.initial;
    bad.steps.validation_chef.approvers[0] = { department: 'voirie' };
    const r = parseWorkflowDefinition(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain('initial');
    expect(r.errors.find((e) => e.path === 'initial')!.message).toBe('valeur obligatoire');
    expect(paths.some((p) => p.startsWith('steps.redaction.transitions[0].guard.when'))).toBe(true);
    expect(r.errors.find((e) => e.path === 'steps.validation_chef.approvers[0]')!.message).toMatch(/rôle \(role\) ou un agent nommé/);
  });

  it('refuses non-objects with a root error', () => {
    const r = parseWorkflowDefinition('nope');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors[0]).toEqual({
        path: '',
        code: 'schema.type',
        params: { expected: 'object', received: 'string' },
        message: 'type attendu : objet, reçu : texte',
      });
  });

  it('formats paths', () => {
    expect(formatPath(['steps', 'a', 'transitions', 2, 'to'])).toBe('steps.a.transitions[2].to');
    expect(formatPath([])).toBe('');
  });
});
