/**
 * A workflow definition is data: what a town configures (JSON or YAML, parsed to a plain object by
 * the caller) and validates here against a zod schema. Errors list every problem with the path of
 * the wrong value (`steps.approbation_chef.approvers[0].role`), a code and its parameters
 * (`SCHEMA_PROBLEM_CODES`, worded by the console) and a French message (logs, other clients).
 *
 * Vocabulary
 * - a step (`steps.<id>`) has a kind: draft, approval, opinion, notify, wait_for_citizen, end;
 * - a step leaves through transitions `{ on, to, guard? }`: `on` is an outcome of the step
 *   (draft → submitted; approval → approved; opinion → completed | timed_out; notify → done;
 *   wait_for_citizen → replied | timed_out), evaluated in order, the first whose guard passes wins;
 * - an approval rejection always returns to a draft step (`rejectTo`, by default the step where the
 *   current draft was written), assigned to the draft's author, with a mandatory comment;
 * - department references are department codes, or `$ticket` for the ticket's own department.
 */
import { z } from 'zod';
import { PRIORITIES, ROLES } from '@grc/domain';
import type { ProblemCode } from './analyse';

/**
 * Roles an actor may have in a workflow: the domain roles (agent, head, admin) plus `elected`
 * (an élu who signs sensitive replies). The director general of services is the `head` of the
 * `dgs` department.
 */
export const WORKFLOW_ROLES = ROLES; // agent, head, admin and elected: @grc/domain knows the élu role
export type WorkflowRole = (typeof WORKFLOW_ROLES)[number];

/** The ticket's own department, resolved when a step is entered. */
export const TICKET_DEPARTMENT = '$ticket';

export const STEP_KINDS = ['draft', 'approval', 'opinion', 'notify', 'wait_for_citizen', 'end'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Outcomes each step kind can leave through. */
export const STEP_OUTCOMES = {
  draft: ['submitted'],
  approval: ['approved'],
  opinion: ['completed', 'timed_out'],
  notify: ['done'],
  wait_for_citizen: ['replied', 'timed_out'],
  end: [],
} as const satisfies Record<StepKind, readonly string[]>;
export type Outcome = (typeof STEP_OUTCOMES)[StepKind][number];
/** Outcomes decided by a person: only those transitions may carry a role/department guard. */
export const ACTOR_OUTCOMES: readonly Outcome[] = ['submitted', 'approved'];

const ID = /^[a-z][a-z0-9_-]*$/;
const idMsg = 'identifiant attendu : minuscules, chiffres, « - » ou « _ », commençant par une lettre';
const stepId = z
  .string({ required_error: 'identifiant d’étape obligatoire', invalid_type_error: 'identifiant d’étape attendu (texte)' })
  .regex(ID, idMsg);
const nonEmpty = (what: string) =>
  z
    .string({ required_error: `${what} obligatoire`, invalid_type_error: `${what} : texte attendu` })
    .trim()
    .min(1, `${what} ne peut pas être vide`);
const minutes = (what: string) =>
  z
    .number({ required_error: `${what} obligatoire`, invalid_type_error: `${what} : nombre de minutes attendu` })
    .int(`${what} : nombre entier de minutes attendu`)
    .positive(`${what} doit être positif`)
    .max(525_600 * 5, `${what} : 5 ans au plus`);

const role = z.enum(WORKFLOW_ROLES, {
  errorMap: () => ({ message: `rôle inconnu (attendu : ${WORKFLOW_ROLES.join(', ')})` }),
});
const departmentRef = nonEmpty('code de service');
const priority = z.enum(PRIORITIES, {
  errorMap: () => ({ message: `priorité inconnue (attendu : ${PRIORITIES.join(', ')})` }),
});

// ---------------------------------------------------------------- conditions on ticket fields
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  errorMap: () => ({ message: 'valeur simple attendue (texte, nombre, booléen ou null)' }),
});
export type Scalar = z.infer<typeof scalar>;
export const CONDITION_OPS = ['eq', 'ne', 'in', 'not_in', 'exists', 'gt', 'gte', 'lt', 'lte'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export type Condition =
  { field: string; op: ConditionOp; value?: Scalar | Scalar[] } | { all: Condition[] } | { any: Condition[] } | { not: Condition };

const fieldCondition = z
  .object({
    field: nonEmpty('champ du ticket'),
    op: z.enum(CONDITION_OPS, { errorMap: () => ({ message: `opérateur inconnu (attendu : ${CONDITION_OPS.join(', ')})` }) }),
    value: z.union([scalar, z.array(scalar)]).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const list = Array.isArray(c.value);
    if ((c.op === 'in' || c.op === 'not_in') && !list)
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `l’opérateur ${c.op} attend une liste de valeurs`,
        params: { code: 'schema.op_needs_list', op: c.op },
      });
    if (c.op !== 'in' && c.op !== 'not_in' && c.op !== 'exists' && (list || c.value === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `l’opérateur ${c.op} attend une valeur simple`,
        params: { code: 'schema.op_needs_scalar', op: c.op },
      });
    if ((c.op === 'gt' || c.op === 'gte' || c.op === 'lt' || c.op === 'lte') && typeof c.value !== 'number')
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `l’opérateur ${c.op} attend un nombre`,
        params: { code: 'schema.op_needs_number', op: c.op },
      });
  });
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union(
    [
      fieldCondition,
      z.object({ all: z.array(conditionSchema).min(1, 'au moins une condition') }).strict(),
      z.object({ any: z.array(conditionSchema).min(1, 'au moins une condition') }).strict(),
      z.object({ not: conditionSchema }).strict(),
    ],
    {
      errorMap: (issue, ctx) =>
        issue.code === 'invalid_union'
          ? { message: 'condition invalide : { field, op, value }, { all: [...] }, { any: [...] } ou { not: ... }' }
          : { message: ctx.defaultError },
    },
  ),
) as z.ZodType<Condition>;

// ---------------------------------------------------------------- who
/** Actors allowed by role and (optionally) department: empty `departments` means any department. */
const actorSpec = z
  .object({
    roles: z.array(role).min(1, 'au moins un rôle'),
    departments: z.array(departmentRef).optional(),
  })
  .strict();
export type ActorSpec = z.infer<typeof actorSpec>;

const guard = z
  .object({
    roles: z.array(role).min(1, 'au moins un rôle').optional(),
    departments: z.array(departmentRef).min(1, 'au moins un service').optional(),
    when: conditionSchema.optional(),
  })
  .strict();
export type Guard = z.infer<typeof guard>;

/** One approver "slot": a role, optionally within a department, or one named agent. */
const approverSlot = z
  .object({
    role: role.optional(),
    department: departmentRef.optional(),
    agentId: nonEmpty('identifiant d’agent').optional(),
  })
  .strict()
  .refine((s) => s.role !== undefined || s.agentId !== undefined, {
    message: 'un approbateur a un rôle (role) ou un agent nommé (agentId)',
    params: { code: 'schema.approver_without_role' },
  });
export type ApproverSlot = z.infer<typeof approverSlot>;

const recipient = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('role'), role, department: departmentRef.optional() }).strict(),
    z.object({ kind: z.literal('department'), department: departmentRef }).strict(),
    z.object({ kind: z.literal('agent'), agentId: nonEmpty('identifiant d’agent') }).strict(),
    z.object({ kind: z.literal('draft_author') }).strict(),
    z.object({ kind: z.literal('citizen') }).strict(),
  ],
  {
    errorMap: (issue, ctx) =>
      issue.code === 'invalid_union_discriminator'
        ? { message: 'destinataire : kind attendu parmi role, department, agent, draft_author, citizen' }
        : { message: ctx.defaultError },
  },
);
export type Recipient = z.infer<typeof recipient>;

const assignee = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('role'), role, department: departmentRef.optional() }).strict(),
    z.object({ kind: z.literal('department'), department: departmentRef }).strict(),
    z.object({ kind: z.literal('agent'), agentId: nonEmpty('identifiant d’agent') }).strict(),
    z.object({ kind: z.literal('draft_author') }).strict(),
  ],
  {
    errorMap: (issue, ctx) =>
      issue.code === 'invalid_union_discriminator'
        ? { message: 'affectation : kind attendu parmi role, department, agent, draft_author' }
        : { message: ctx.defaultError },
  },
);
export type Assignee = z.infer<typeof assignee>;

const entryAction = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('assign'), to: assignee }).strict(),
    z.object({ type: z.literal('set_priority'), priority }).strict(),
    z.object({ type: z.literal('notify'), to: recipient, template: nonEmpty('modèle de notification') }).strict(),
  ],
  {
    errorMap: (issue, ctx) =>
      issue.code === 'invalid_union_discriminator'
        ? { message: 'action d’entrée : type attendu parmi assign, set_priority, notify' }
        : { message: ctx.defaultError },
  },
);
export type EntryAction = z.infer<typeof entryAction>;

const transition = z
  .object({
    on: z.string({ required_error: 'issue (on) obligatoire' }),
    to: stepId,
    guard: guard.optional(),
  })
  .strict();
export type Transition = { on: Outcome; to: string; guard?: Guard };

const common = {
  label: nonEmpty('libellé').optional(),
  slaMinutes: minutes('délai (slaMinutes)').optional(),
  /** Who is told when the SLA elapses (default: the head of the ticket's department). */
  escalateTo: z.array(recipient).optional(),
  onEnter: z.array(entryAction).optional(),
  transitions: z.array(transition).optional(),
};

const draftStep = z
  .object({
    kind: z.literal('draft'),
    ...common,
    /** Who may write and submit the draft. */
    writers: actorSpec,
  })
  .strict();

const approvalStep = z
  .object({
    kind: z.literal('approval'),
    ...common,
    /** one: a single approver slot; any: the first of the group; all: every slot must approve. */
    mode: z.enum(['one', 'any', 'all'], { errorMap: () => ({ message: 'mode attendu : one, any ou all' }) }),
    approvers: z.array(approverSlot).min(1, 'au moins un approbateur'),
    allowEditAndApprove: z.boolean().optional(),
    /** Whether the draft's author may approve their own draft (default no: four eyes). */
    allowSelfApproval: z.boolean().optional(),
    /** The draft step a rejection returns to (default: where the current draft was written). */
    rejectTo: stepId.optional(),
  })
  .strict();

const opinionStep = z
  .object({
    kind: z.literal('opinion'),
    ...common,
    departments: z.array(departmentRef).min(1, 'au moins un service consulté'),
    /** Roles that may answer for a department (default: any member). */
    respondents: z.array(role).min(1, 'au moins un rôle').optional(),
    dueInMinutes: minutes('délai de réponse (dueInMinutes)'),
    template: nonEmpty('modèle de notification').optional(),
  })
  .strict();

const notifyStep = z
  .object({
    kind: z.literal('notify'),
    ...common,
    to: z.array(recipient).min(1, 'au moins un destinataire'),
    template: nonEmpty('modèle de notification'),
  })
  .strict();

const waitStep = z
  .object({
    kind: z.literal('wait_for_citizen'),
    ...common,
    template: nonEmpty('modèle de notification').optional(),
    timeoutMinutes: minutes('délai d’attente (timeoutMinutes)').optional(),
  })
  .strict();

const endStep = z
  .object({
    kind: z.literal('end'),
    label: common.label,
    onEnter: common.onEnter,
    /** Whether reaching this end sends the approved draft to the citizen (default: true when a draft exists). */
    sendReply: z.boolean().optional(),
    outcome: z
      .enum(['reply_sent', 'decision', 'closed', 'abandoned'], {
        errorMap: () => ({ message: 'issue attendue : reply_sent, decision, closed ou abandoned' }),
      })
      .optional(),
  })
  .strict();

const step = z.discriminatedUnion('kind', [draftStep, approvalStep, opinionStep, notifyStep, waitStep, endStep], {
  errorMap: (issue, ctx) =>
    issue.code === 'invalid_union_discriminator'
      ? { message: `type d’étape (kind) inconnu (attendu : ${STEP_KINDS.join(', ')})` }
      : { message: ctx.defaultError },
});

export type DraftStep = z.infer<typeof draftStep> & { transitions?: Transition[] };
export type ApprovalStep = z.infer<typeof approvalStep> & { transitions?: Transition[] };
export type OpinionStep = z.infer<typeof opinionStep> & { transitions?: Transition[] };
export type NotifyStep = z.infer<typeof notifyStep> & { transitions?: Transition[] };
export type WaitForCitizenStep = z.infer<typeof waitStep> & { transitions?: Transition[] };
export type EndStep = z.infer<typeof endStep> & { transitions?: undefined; slaMinutes?: undefined; escalateTo?: undefined };
export type Step = DraftStep | ApprovalStep | OpinionStep | NotifyStep | WaitForCitizenStep | EndStep;

export const workflowDefinitionSchema = z
  .object({
    id: z
      .string({ required_error: 'identifiant (id) obligatoire', invalid_type_error: 'identifiant (id) : texte attendu' })
      .regex(ID, idMsg),
    /** Assigned by `publish`; a draft definition may omit it. */
    version: z
      .number({ invalid_type_error: 'version : entier attendu' })
      .int('version : entier attendu')
      .positive('version : entier positif attendu')
      .optional(),
    name: nonEmpty('nom'),
    description: z.string().optional(),
    /** Which tickets the circuit applies to (empty or absent: all). */
    appliesTo: z
      .object({
        categories: z.array(nonEmpty('code de catégorie')).optional(),
        departments: z.array(nonEmpty('code de service')).optional(),
      })
      .strict()
      .optional(),
    initial: stepId,
    steps: z
      .record(z.string().regex(ID, idMsg), step)
      .refine((s) => Object.keys(s).length > 0, { message: 'au moins une étape', params: { code: 'schema.no_steps' } }),
    /** Who may cancel a running instance (default: heads and admins). */
    cancel: actorSpec.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    for (const [id, s] of Object.entries(d.steps)) {
      if (s.kind === 'end') continue;
      const allowed: readonly string[] = STEP_OUTCOMES[s.kind];
      (s.transitions ?? []).forEach((t, i) => {
        if (!allowed.includes(t.on))
          ctx.addIssue({
            code: 'custom',
            path: ['steps', id, 'transitions', i, 'on'],
            message: `issue « ${t.on} » impossible pour une étape ${s.kind} (attendu : ${allowed.join(', ')})`,
            params: { code: 'schema.outcome_not_allowed', on: t.on, kind: s.kind, allowed: allowed.join(', ') },
          });
      });
      if (s.kind === 'approval' && s.mode === 'one' && s.approvers.length !== 1)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', id, 'approvers'],
          message: 'le mode one attend exactement un approbateur',
          params: { code: 'schema.one_needs_single_approver' },
        });
    }
  });

export type WorkflowDefinitionInput = z.input<typeof workflowDefinitionSchema>;
/** A parsed definition. `version` is set once published. */
export type WorkflowDefinition = Omit<z.infer<typeof workflowDefinitionSchema>, 'steps'> & { steps: Record<string, Step> };
/** A definition as stored by the registry: always versioned. */
export type PublishedDefinition = WorkflowDefinition & { version: number };

export interface DefinitionError {
  /** Dotted path with [index] for arrays, e.g. `steps.chef.approvers[0].role`; empty for the root. */
  path: string;
  /** what is wrong, worded by the console (`SCHEMA_PROBLEM_CODES`) with `params` */
  code: SchemaProblemCode | ProblemCode;
  params?: Record<string, string | number>;
  /** the French sentence, for logs and other clients */
  message: string;
}

/**
 * What the schema refuses, as codes (the console words `wf.problem.<code>` in the agent's language; the path
 * says where). Parameters: `schema.type` `{ expected, received }`, `schema.unknown_key` `{ keys }`,
 * `schema.too_few` `{ min }`, `schema.too_large` `{ max }`, `schema.enum` and `schema.discriminator` `{ values }`,
 * `schema.literal` `{ expected }`, `schema.op_needs_*` `{ op }`, `schema.outcome_not_allowed` `{ on, kind, allowed }`.
 */
export const SCHEMA_PROBLEM_CODES = [
  'schema.required',
  'schema.type',
  'schema.unknown_key',
  'schema.empty',
  'schema.too_few',
  'schema.too_large',
  'schema.integer',
  'schema.positive',
  'schema.id_format',
  'schema.enum',
  'schema.literal',
  'schema.discriminator',
  'schema.condition',
  'schema.op_needs_list',
  'schema.op_needs_scalar',
  'schema.op_needs_number',
  'schema.approver_without_role',
  'schema.no_steps',
  'schema.outcome_not_allowed',
  'schema.one_needs_single_approver',
  'schema.version_conflict',
  'schema.invalid',
] as const;
export type SchemaProblemCode = (typeof SCHEMA_PROBLEM_CODES)[number];

/** A zod issue of the definition's schema as a code and its parameters. */
function schemaCode(issue: z.ZodIssue): { code: SchemaProblemCode; params?: Record<string, string | number> } {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return { code: 'schema.required' };
      // zod reports `.int()` as an integer expected, a float received
      if (issue.expected === 'integer') return { code: 'schema.integer' };
      return { code: 'schema.type', params: { expected: issue.expected, received: issue.received } };
    case 'unrecognized_keys':
      return { code: 'schema.unknown_key', params: { keys: issue.keys.join(', ') } };
    case 'too_small':
      if (issue.type === 'string') return { code: 'schema.empty' };
      if (issue.type === 'number') return { code: 'schema.positive' };
      return { code: 'schema.too_few', params: { min: Number(issue.minimum) } };
    case 'too_big':
      return { code: 'schema.too_large', params: { max: Number(issue.maximum) } };
    case 'not_multiple_of':
      return { code: 'schema.integer' };
    case 'invalid_string':
      return { code: 'schema.id_format' };
    case 'invalid_enum_value':
      return { code: 'schema.enum', params: { values: issue.options.join(', ') } };
    case 'invalid_literal':
      return { code: 'schema.literal', params: { expected: String(issue.expected) } };
    case 'invalid_union_discriminator':
      return { code: 'schema.discriminator', params: { values: issue.options.map(String).join(', ') } };
    case 'invalid_union':
      return { code: 'schema.condition' };
    case 'custom': {
      const { code, ...params } = (issue.params ?? {}) as { code?: string } & Record<string, string | number>;
      return (SCHEMA_PROBLEM_CODES as readonly string[]).includes(code ?? '')
        ? { code: code as SchemaProblemCode, ...(Object.keys(params).length ? { params } : {}) }
        : { code: 'schema.invalid' };
    }
    default:
      return { code: 'schema.invalid' };
  }
}
export type ParseResult = { ok: true; definition: WorkflowDefinition } | { ok: false; errors: DefinitionError[] };

export const formatPath = (path: readonly (string | number)[]): string =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? String(p) : `${acc}.${p}`), '');

const TYPES_FR: Record<string, string> = {
  string: 'texte',
  number: 'nombre',
  integer: 'entier',
  boolean: 'booléen',
  array: 'liste',
  object: 'objet',
  null: 'null',
  undefined: 'rien',
};
const typeFr = (t: string): string => TYPES_FR[t] ?? t;

const frenchMessage = (issue: z.ZodIssue): string => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return 'valeur obligatoire';
      return `type attendu : ${typeFr(issue.expected)}, reçu : ${typeFr(issue.received)}`;
    case 'unrecognized_keys':
      return `propriété inconnue : ${issue.keys.join(', ')}`;
    case 'too_small':
      return issue.type === 'array' ? `au moins ${issue.minimum} élément(s)` : issue.message;
    case 'invalid_literal':
      return `valeur attendue : ${String(issue.expected)}`;
    default:
      return issue.message;
  }
};

/** Parses a definition from a plain object (JSON.parse or YAML.parse output); lists every error. */
export function parseWorkflowDefinition(input: unknown): ParseResult {
  const r = workflowDefinitionSchema.safeParse(input);
  if (r.success) return { ok: true, definition: r.data as WorkflowDefinition };
  const seen = new Set<string>();
  const errors: DefinitionError[] = [];
  for (const issue of r.error.issues) {
    const e: DefinitionError = { path: formatPath(issue.path), ...schemaCode(issue), message: frenchMessage(issue) };
    const k = `${e.path}\u0000${e.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      errors.push(e);
    }
  }
  return { ok: false, errors };
}
