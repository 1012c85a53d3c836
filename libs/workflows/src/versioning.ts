/**
 * Versioned definitions. Publishing parses and statically validates a definition, then stores it
 * as the next version of its id; earlier versions stay resolvable, so a running instance (which
 * records definitionId + version) always finds the exact circuit it started with. Published
 * definitions are deep-frozen. The registry is an immutable value: publish returns a new one.
 */
import { AnalysisContext, AnalysisProblem, analyseDefinition } from './definition/analyse';
import { DefinitionError, parseWorkflowDefinition, PublishedDefinition, WorkflowDefinition } from './definition/schema';
import type { WorkflowInstanceState } from './engine/state';

export interface WorkflowRegistry {
  /** Versions per definition id, oldest first (index = version - 1). */
  readonly definitions: Readonly<Record<string, readonly PublishedDefinition[]>>;
}

export const emptyRegistry = (): WorkflowRegistry => ({ definitions: {} });

export type PublishResult =
  | { ok: true; registry: WorkflowRegistry; definition: PublishedDefinition; warnings: AnalysisProblem[] }
  | { ok: false; errors: DefinitionError[]; problems: AnalysisProblem[] };

const deepFreeze = <T>(o: T): T => {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
};

const versionsOf = (r: WorkflowRegistry, id: string): readonly PublishedDefinition[] =>
  Object.prototype.hasOwnProperty.call(r.definitions, id) ? r.definitions[id]! : [];

/**
 * Publishes `input` (a plain object) as the next version of its id. If the input carries a
 * `version`, it must be that next number (guards against two admins publishing at once).
 */
export function publish(registry: WorkflowRegistry, input: unknown, context?: AnalysisContext): PublishResult {
  const parsed = parseWorkflowDefinition(input);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, problems: [] };
  const analysis = analyseDefinition(parsed.definition, context);
  if (!analysis.ok)
    return {
      ok: false,
      errors: analysis.problems.filter((p) => p.severity === 'error').map((p) => ({ path: p.path, code: p.code, message: p.message })),
      problems: analysis.problems,
    };
  const versions = versionsOf(registry, parsed.definition.id);
  const next = versions.length + 1;
  if (parsed.definition.version !== undefined && parsed.definition.version !== next)
    return {
      ok: false,
      errors: [
        {
          path: 'version',
          code: 'schema.version_conflict',
          params: { version: parsed.definition.version, next },
          message: `version ${parsed.definition.version} refusée : la prochaine version de « ${parsed.definition.id} » est ${next}`,
        },
      ],
      problems: [],
    };
  const definition = deepFreeze({ ...parsed.definition, version: next } as PublishedDefinition);
  return {
    ok: true,
    definition,
    warnings: analysis.problems,
    registry: { definitions: { ...registry.definitions, [definition.id]: [...versions, definition] } },
  };
}

export const resolveDefinition = (registry: WorkflowRegistry, id: string, version: number): PublishedDefinition | undefined =>
  versionsOf(registry, id)[version - 1];

export const latestDefinition = (registry: WorkflowRegistry, id: string): PublishedDefinition | undefined => {
  const v = versionsOf(registry, id);
  return v[v.length - 1];
};

/** The exact version an instance runs on. */
export const definitionForInstance = (
  registry: WorkflowRegistry,
  state: Pick<WorkflowInstanceState, 'definitionId' | 'version'>,
): PublishedDefinition | undefined => resolveDefinition(registry, state.definitionId, state.version);

/**
 * The latest version of the most specific circuit applying to a new ticket: one naming both the
 * category and the department beats one naming the category, which beats one naming the
 * department, which beats a catch-all; ties go to the smallest id (deterministic).
 */
export function selectDefinition(
  registry: WorkflowRegistry,
  ticket: { categoryCode?: string | null; departmentId?: string | null },
): PublishedDefinition | undefined {
  let best: { d: PublishedDefinition; score: number } | undefined;
  for (const id of Object.keys(registry.definitions).sort()) {
    const d = latestDefinition(registry, id)!;
    const cats = d.appliesTo?.categories ?? [];
    const deps = d.appliesTo?.departments ?? [];
    if (cats.length > 0 && (!ticket.categoryCode || !cats.includes(ticket.categoryCode))) continue;
    if (deps.length > 0 && (!ticket.departmentId || !deps.includes(ticket.departmentId))) continue;
    const score = (cats.length > 0 ? 2 : 0) + (deps.length > 0 ? 1 : 0);
    if (!best || score > best.score) best = { d, score };
  }
  return best?.d;
}

export type { WorkflowDefinition };
