/**
 * Definition files: YAML or JSON text → plain object, checked by the engine's schema and static
 * analysis (every error with its path), and back to text for export. Also the read-only diagram.
 */
import { parseDocument, stringify } from 'yaml';
import {
  analyseDefinition,
  keepKeyOrder,
  parseWorkflowDefinition,
  type AnalysisContext,
  type Step,
  type WorkflowDefinition,
} from '@grc/workflows';
import type { WorkflowDefinitionProblem, WorkflowDiagram, WorkflowFileFormat, WorkflowValidation } from '@grc/domain';

export type ReadSource = { ok: true; value: unknown } | { ok: false; errors: WorkflowDefinitionProblem[] };

/** Parses YAML or JSON text (format guessed from the first character when not given). */
export function readSource(source: string, format?: WorkflowFileFormat): ReadSource {
  const text = source.replace(/^\uFEFF/, '');
  if (!text.trim()) return { ok: false, errors: [{ path: '', message: 'fichier vide', code: 'empty', severity: 'error' }] };
  const json = format === 'json' || (format === undefined && /^\s*[[{]/.test(text));
  if (json) {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (e) {
      return { ok: false, errors: [{ path: '', message: `JSON invalide : ${(e as Error).message}`, code: 'syntax', severity: 'error' }] };
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        path: '',
        code: 'syntax',
        severity: 'error' as const,
        message: `YAML invalide${e.linePos?.[0] ? ` (ligne ${e.linePos[0].line}, colonne ${e.linePos[0].col})` : ''} : ${e.message.split('\n')[0]}`,
      })),
    };
  }
  return { ok: true, value: doc.toJS() };
}

export interface CheckedDefinition {
  validation: WorkflowValidation;
  definition: WorkflowDefinition | null;
}

/** Schema then static analysis (given the town's codes); errors block saving, warnings do not. */
export function checkDefinition(input: unknown, context: AnalysisContext, prefix = ''): CheckedDefinition {
  const at = (p: string) => (prefix ? (p ? `${prefix}.${p}` : prefix) : p);
  const parsed = parseWorkflowDefinition(input);
  if (!parsed.ok) {
    const code =
      input && typeof input === 'object' && typeof (input as { id?: unknown }).id === 'string' ? (input as { id: string }).id : null;
    return {
      definition: null,
      validation: {
        ok: false,
        code,
        diagram: null,
        warnings: [],
        errors: parsed.errors.map((e) => ({
          path: at(e.path),
          message: e.message,
          code: e.code,
          ...(e.params ? { params: e.params } : {}),
          severity: 'error',
        })),
      },
    };
  }
  // the parser builds objects in the schema's key order: store them in the author's
  const definition = keepKeyOrder({ ...parsed.definition }, input);
  delete definition.version;
  const analysis = analyseDefinition(definition, context);
  const problems = analysis.problems.map((p) => ({ path: at(p.path), message: p.message, code: p.code, severity: p.severity }));
  return {
    definition,
    validation: {
      ok: analysis.ok,
      code: definition.id,
      errors: problems.filter((p) => p.severity === 'error'),
      warnings: problems.filter((p) => p.severity === 'warning'),
      diagram: diagramOf(definition),
    },
  };
}

/** A definition as a shareable file. */
export function exportDefinition(def: Record<string, unknown>, version: number, format: WorkflowFileFormat): string {
  const rest = { ...def };
  delete rest['version'];
  if (format === 'json') return `${JSON.stringify(rest, null, 2)}\n`;
  return (
    `# Circuit de validation « ${String(rest['name'] ?? rest['id'])} » — version ${version}, exporté de la GRC.\n` +
    `# Format : docs/workflows.md. Importez-le dans Administration › Circuits de validation.\n${stringify(rest, { lineWidth: 0 })}`
  );
}

const whoOf = (s: Step): string[] => {
  switch (s.kind) {
    case 'draft':
      return [`rédaction : ${s.writers.roles.join(', ')}${s.writers.departments?.length ? ` (${s.writers.departments.join(', ')})` : ''}`];
    case 'approval':
      return s.approvers
        .map((a) => (a.agentId ? `agent ${a.agentId}` : `${a.role}${a.department ? ` (${a.department})` : ''}`))
        .map((w, i) => `${i === 0 ? `${s.mode === 'all' ? 'tous' : s.mode === 'any' ? 'l’un de' : 'approbateur'} : ` : ''}${w}`);
    case 'opinion':
      return [`avis : ${s.departments.join(', ')}`, `délai : ${Math.round(s.dueInMinutes / 60)} h`];
    case 'notify':
      return [
        `notifie : ${s.to.map((r) => (r.kind === 'role' ? `${r.role}${r.department ? ` (${r.department})` : ''}` : r.kind === 'department' ? r.department : r.kind === 'agent' ? r.agentId : r.kind)).join(', ')}`,
      ];
    case 'wait_for_citizen':
      return [`attente du demandeur${s.timeoutMinutes ? ` (${Math.round(s.timeoutMinutes / 60)} h au plus)` : ''}`];
    case 'end':
      return [s.outcome ?? 'fin'];
  }
};

const guardText = (g: { roles?: readonly string[]; departments?: readonly string[]; when?: unknown } | undefined): string | null => {
  if (!g) return null;
  const parts: string[] = [];
  if (g.roles) parts.push(`rôle ${g.roles.join(' ou ')}`);
  if (g.departments) parts.push(`service ${g.departments.join(' ou ')}`);
  if (g.when) parts.push(`si ${JSON.stringify(g.when)}`);
  return parts.join(' et ');
};

/** Steps in a readable order (breadth-first from the initial step, then the unreachable ones). */
export function diagramOf(def: WorkflowDefinition): WorkflowDiagram {
  const order: string[] = [];
  const queue = [def.initial];
  while (queue.length) {
    const id = queue.shift()!;
    if (order.includes(id) || !def.steps[id]) continue;
    order.push(id);
    for (const t of def.steps[id]!.transitions ?? []) queue.push(t.to);
  }
  for (const id of Object.keys(def.steps)) if (!order.includes(id)) order.push(id);
  return {
    initial: def.initial,
    steps: order.map((id) => {
      const s = def.steps[id]!;
      return {
        id,
        kind: s.kind,
        label: s.label ?? null,
        who: whoOf(s),
        transitions: (s.transitions ?? []).map((t) => ({
          on: t.on,
          to: t.to,
          guard: guardText(t.guard),
          roles: t.guard?.roles ? [...t.guard.roles] : null,
          departments: t.guard?.departments ? [...t.guard.departments] : null,
          when: t.guard?.when ?? null,
        })),
        rejectTo: s.kind === 'approval' ? (s.rejectTo ?? null) : null,
      };
    }),
  };
}
