/**
 * The visual editor's model: the operations the console's forms apply to a definition (a plain
 * object, the same one the YAML file holds), so that what the forms save is exactly what the YAML
 * would say. Every operation returns a new definition; keys keep their order (an edited step stays
 * where it was, a renamed one too, new keys are appended), so a round trip through the editor leaves
 * a file's layout as its author wrote it.
 */
import { CHANNELS, PRIORITIES, TICKET_STATUSES } from '@grc/domain';
import {
  TICKET_DEPARTMENT,
  type Condition,
  type Scalar,
  type Step,
  type StepKind,
  type Transition,
  type WorkflowDefinition,
} from '../definition/schema';

// ---------------------------------------------------------------- key order
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `value` with the keys of every object in the order `template` has them (keys `template` lacks come
 * after, in `value`'s order); arrays are matched index by index. The schema's parser builds objects
 * in its own key order: this puts the author's order back before the definition is stored.
 */
export function keepKeyOrder<T>(value: T, template: unknown): T {
  if (Array.isArray(value)) return value.map((v, i) => keepKeyOrder(v, Array.isArray(template) ? template[i] : undefined)) as unknown as T;
  if (!isPlainObject(value)) return value;
  const tpl = isPlainObject(template) ? template : {};
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(tpl)) if (Object.prototype.hasOwnProperty.call(value, k)) out[k] = keepKeyOrder(value[k], tpl[k]);
  for (const k of Object.keys(value)) if (!(k in out)) out[k] = keepKeyOrder(value[k], tpl[k]);
  return out as T;
}

// ---------------------------------------------------------------- steps
export const STEP_ID_PATTERN = /^[a-z][a-z0-9_-]*$/;

/** A new step of a kind with the defaults the forms start from (valid once its transitions are set). */
export function newStep(kind: StepKind, label?: string): Step {
  const l = label ? { label } : {};
  switch (kind) {
    case 'draft':
      return { kind, ...l, writers: { roles: ['agent'], departments: [TICKET_DEPARTMENT] }, transitions: [] };
    case 'approval':
      return { kind, ...l, mode: 'one', approvers: [{ role: 'head', department: TICKET_DEPARTMENT }], transitions: [] };
    case 'opinion':
      return { kind, ...l, departments: [], dueInMinutes: 7 * 24 * 60, transitions: [] };
    case 'notify':
      return { kind, ...l, to: [{ kind: 'draft_author' }], template: 'workflow_notice', transitions: [] };
    case 'wait_for_citizen':
      return { kind, ...l, transitions: [] };
    case 'end':
      return { kind, ...l };
  }
}

/** An id not used yet, from a base (`validation`, `validation-2`, …). */
export function freeStepId(def: Pick<WorkflowDefinition, 'steps'>, base: string): string {
  const clean =
    base
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9_-]+/g, '_')
      .replace(/^[^a-z]+/, '')
      .replace(/_+$/, '') || 'etape';
  if (!Object.prototype.hasOwnProperty.call(def.steps, clean)) return clean;
  for (let i = 2; ; i++) if (!Object.prototype.hasOwnProperty.call(def.steps, `${clean}-${i}`)) return `${clean}-${i}`;
}

/** A minimal circuit: one draft, one approval, one end. */
export function blankDefinition(id: string, name: string): WorkflowDefinition {
  return {
    id,
    name,
    initial: 'redaction',
    steps: {
      redaction: { ...newStep('draft', 'Rédaction'), transitions: [{ on: 'submitted', to: 'validation' }] } as Step,
      validation: { ...newStep('approval', 'Validation'), transitions: [{ on: 'approved', to: 'fin' }] } as Step,
      fin: newStep('end', 'Réponse envoyée'),
    },
  };
}

/** Adds a step at the end (the first step added to an empty circuit becomes the initial one). */
export function addStep(def: WorkflowDefinition, id: string, step: Step): WorkflowDefinition {
  if (!STEP_ID_PATTERN.test(id)) throw new Error(`invalid step id ${id}`);
  if (Object.prototype.hasOwnProperty.call(def.steps, id)) throw new Error(`step ${id} exists`);
  const empty = Object.keys(def.steps).length === 0;
  return { ...def, ...(empty ? { initial: id } : {}), steps: { ...def.steps, [id]: step } };
}

/** Replaces a step in place (same position among the steps). */
export function replaceStep(def: WorkflowDefinition, id: string, step: Step): WorkflowDefinition {
  if (!Object.prototype.hasOwnProperty.call(def.steps, id)) throw new Error(`no step ${id}`);
  return { ...def, steps: mapEntries(def.steps, (k, v) => [k, k === id ? step : v]) };
}

/**
 * Removes a step and every transition leading to it (a `rejectTo` naming it falls back to the
 * default); the initial step moves to the first remaining one if it was this one.
 */
export function removeStep(def: WorkflowDefinition, id: string): WorkflowDefinition {
  const steps: Record<string, Step> = {};
  for (const [k, s] of Object.entries(def.steps)) {
    if (k === id) continue;
    let next: Step = s;
    if (s.kind !== 'end' && s.transitions?.some((t) => t.to === id))
      next = { ...next, transitions: s.transitions.filter((t) => t.to !== id) } as Step;
    if (next.kind === 'approval' && next.rejectTo === id) {
      const copy = { ...next };
      delete copy.rejectTo;
      next = copy;
    }
    steps[k] = next;
  }
  const initial = def.initial === id ? (Object.keys(steps)[0] ?? def.initial) : def.initial;
  return { ...def, initial, steps };
}

/** Renames a step where it stands, and every reference to it (initial, transitions, rejectTo). */
export function renameStep(def: WorkflowDefinition, from: string, to: string): WorkflowDefinition {
  if (from === to) return def;
  if (!STEP_ID_PATTERN.test(to)) throw new Error(`invalid step id ${to}`);
  if (Object.prototype.hasOwnProperty.call(def.steps, to)) throw new Error(`step ${to} exists`);
  const ref = (x: string) => (x === from ? to : x);
  const steps = mapEntries(def.steps, (k, s) => {
    let next: Step = s;
    if (s.kind !== 'end' && s.transitions?.some((t) => t.to === from))
      next = { ...next, transitions: s.transitions.map((t) => (t.to === from ? { ...t, to } : t)) } as Step;
    if (next.kind === 'approval' && next.rejectTo === from) next = { ...next, rejectTo: to };
    return [ref(k), next];
  });
  return { ...def, initial: ref(def.initial), steps };
}

/** Moves a step one place up or down in the list (the order steps are listed in, and exported). */
export function moveStep(def: WorkflowDefinition, id: string, delta: -1 | 1): WorkflowDefinition {
  const keys = Object.keys(def.steps);
  const i = keys.indexOf(id);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= keys.length) return def;
  [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  return { ...def, steps: Object.fromEntries(keys.map((k) => [k, def.steps[k]!])) };
}

/** Sets the transitions of a step (an end step has none). */
export function setTransitions(def: WorkflowDefinition, id: string, transitions: Transition[]): WorkflowDefinition {
  const s = def.steps[id];
  if (!s) throw new Error(`no step ${id}`);
  if (s.kind === 'end') throw new Error('an end step has no transitions');
  return replaceStep(def, id, { ...s, transitions } as Step);
}

const mapEntries = <V>(o: Record<string, V>, f: (k: string, v: V) => [string, V]): Record<string, V> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => f(k, v)));

// ---------------------------------------------------------------- conditions as rows
/** What a condition may test: the ticket's fields the engine passes (see TicketContext.fields). */
export const CONDITION_FIELDS = ['category', 'priority', 'department', 'channel', 'status'] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];
/** Operators offered by the forms (a value, or a list picked from the field's values). */
export const ROW_OPS = ['eq', 'ne', 'in', 'not_in'] as const;
export type RowOp = (typeof ROW_OPS)[number];

/** The fixed values of a field; category and department come from the town's reference data. */
export const FIXED_FIELD_VALUES: Partial<Record<ConditionField, readonly string[]>> = {
  priority: PRIORITIES,
  channel: CHANNELS,
  status: TICKET_STATUSES,
};

export interface ConditionRow {
  field: ConditionField;
  op: RowOp;
  /** one value for eq/ne, one or more for in/not_in */
  values: string[];
}
export interface ConditionForm {
  /** all: every row must hold; any: one is enough */
  match: 'all' | 'any';
  rows: ConditionRow[];
}

const asRow = (c: Condition): ConditionRow | null => {
  if ('all' in c || 'any' in c || 'not' in c) return null;
  if (!(CONDITION_FIELDS as readonly string[]).includes(c.field) || !(ROW_OPS as readonly string[]).includes(c.op)) return null;
  const values = Array.isArray(c.value) ? c.value : [c.value];
  if (!values.every((v): v is string => typeof v === 'string')) return null;
  return { field: c.field as ConditionField, op: c.op as RowOp, values };
};

/**
 * A condition as form rows: a single test, or an all/any of tests on the fields above. Null when
 * the condition is something else (nested, negated, numeric): the editor then shows it read-only
 * and leaves it untouched.
 */
export function conditionToForm(c: Condition | undefined): ConditionForm | null {
  if (c === undefined) return { match: 'all', rows: [] };
  const list = 'all' in c ? c.all : 'any' in c ? c.any : [c];
  const rows = list.map(asRow);
  if (rows.some((r) => r === null)) return null;
  return { match: 'any' in c ? 'any' : 'all', rows: rows as ConditionRow[] };
}

/** The condition the rows say (undefined without rows; one row alone is not wrapped). */
export function formToCondition(form: ConditionForm): Condition | undefined {
  const tests: Condition[] = form.rows.map((r) => ({
    field: r.field,
    op: r.op,
    value: r.op === 'in' || r.op === 'not_in' ? (r.values as Scalar[]) : (r.values[0] ?? ''),
  }));
  if (tests.length === 0) return undefined;
  if (tests.length === 1) return tests[0];
  return form.match === 'any' ? { any: tests } : { all: tests };
}

// ---------------------------------------------------------------- problems on steps
/** The step a problem's path points at (`steps.<id>…`), or null for the circuit as a whole. */
export function stepOfPath(path: string): string | null {
  const m = /^(?:\[\d+\]\.)?steps\.([a-z][a-z0-9_-]*)/.exec(path);
  return m ? m[1]! : null;
}

/** Problems grouped by the step at fault; `''` holds those of the circuit itself. */
export function problemsByStep<P extends { path: string }>(problems: readonly P[]): Map<string, P[]> {
  const out = new Map<string, P[]>();
  for (const p of problems) {
    const k = stepOfPath(p.path) ?? '';
    out.set(k, [...(out.get(k) ?? []), p]);
  }
  return out;
}
