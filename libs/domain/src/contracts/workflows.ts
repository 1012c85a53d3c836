/**
 * REST contract of validation circuits (JSON over /api/v1): definitions and their versions,
 * bindings to categories and departments, a ticket's running circuit, the "awaiting me" inbox and
 * delegations. Definitions themselves are the data of @grc/workflows (departments by code).
 */

export type WorkflowDefinitionStatus = 'draft' | 'published' | 'archived';
export type WorkflowFileFormat = 'yaml' | 'json';

/** One problem of a definition: where (`steps.chef.approvers[0].role`, '' for the root) and why. */
export interface WorkflowDefinitionProblem {
  path: string;
  /** the French sentence, for other clients; the console words `code` (+ `params`) */
  message: string;
  /** the static analysis's `PROBLEM_CODES` or the schema's `SCHEMA_PROBLEM_CODES` (libs/workflows); `syntax` for YAML/JSON */
  code?: string;
  params?: Record<string, string | number>;
  severity: 'error' | 'warning';
}

/** A definition's source: text (YAML or JSON, as typed or uploaded) or an already parsed object. */
export interface WorkflowSourceRequest {
  source?: string;
  format?: WorkflowFileFormat;
  definition?: unknown;
}
export interface WorkflowImportRequest extends WorkflowSourceRequest {
  /** publish right away when valid (otherwise saved as the code's draft) */
  publish?: boolean;
}

/** The read-only diagram: steps and transitions, in definition order. */
export interface WorkflowDiagram {
  initial: string;
  steps: Array<{
    id: string;
    kind: string;
    label: string | null;
    /** approvers / writers / consulted departments, as text */
    who: string[];
    transitions: Array<{
      on: string;
      to: string;
      guard: string | null;
      /** the guard's parts, for the console to word: roles, departments (codes), condition (as in the definition) */
      roles?: string[] | null;
      departments?: string[] | null;
      when?: unknown;
    }>;
    rejectTo: string | null;
  }>;
}

export interface WorkflowValidation {
  ok: boolean;
  /** blocking problems (schema then static analysis), every one of them */
  errors: WorkflowDefinitionProblem[];
  warnings: WorkflowDefinitionProblem[];
  /** the definition's id when it could be read */
  code: string | null;
  diagram: WorkflowDiagram | null;
}

export interface WorkflowVersionSummary {
  version: number;
  status: WorkflowDefinitionStatus;
  createdAt: string;
  createdBy: { id: string; displayName: string } | null;
  publishedAt: string | null;
}
export interface WorkflowDefinitionSummary {
  code: string;
  name: string;
  /** latest published version, null when never published */
  publishedVersion: number | null;
  /** version number of the pending draft, null when none */
  draftVersion: number | null;
  versions: WorkflowVersionSummary[];
  /** number of bindings naming this code */
  bindings: number;
  /** tickets currently running this circuit (any version) */
  running: number;
}
export interface WorkflowDefinitionVersion extends WorkflowVersionSummary {
  code: string;
  name: string;
  definition: Record<string, unknown>;
  /** YAML text of the definition (as exported) */
  yaml: string;
  diagram: WorkflowDiagram;
}

export interface WorkflowBinding {
  id: string;
  /** null: every category of the department (the department's default) */
  categoryId: string | null;
  /** null with a category: wherever the category is handled; both null: the town-wide default */
  departmentId: string | null;
  definitionCode: string;
  createdAt: string;
}
/** Without category nor department the binding is town-wide: say so with `townWide: true` (refused otherwise). */
export interface WorkflowBindingInput {
  categoryId?: string | null;
  departmentId?: string | null;
  definitionCode: string;
  townWide?: boolean;
}

export type WorkflowActionRequestType =
  'start' | 'submit_draft' | 'approve' | 'reject' | 'edit_and_approve' | 'give_opinion' | 'citizen_replied' | 'cancel';
export interface WorkflowActionRequest {
  type: WorkflowActionRequestType;
  /** the ticket's version (concurrency guard) */
  version: number;
  comment?: string;
  /** draft text (submit_draft, edit_and_approve) */
  text?: string;
  /** department code (give_opinion) */
  department?: string;
  verdict?: 'favourable' | 'unfavourable' | 'reserved';
  /** agent id of a delegator, to act explicitly on their behalf */
  onBehalfOf?: string;
}

export interface WorkflowPerson {
  id: string;
  displayName: string;
}
export interface WorkflowOpinionView {
  department: { code: string; name: string };
  status: 'pending' | 'given' | 'expired';
  verdict: 'favourable' | 'unfavourable' | 'reserved' | null;
  comment: string | null;
  by: WorkflowPerson | null;
  onBehalfOf: WorkflowPerson | null;
  at: string | null;
  /** pending past the due date */
  late: boolean;
}
export interface WorkflowApprovalView {
  /** who is expected, in words */
  expected: string;
  approvedBy: WorkflowPerson | null;
  onBehalfOf: WorkflowPerson | null;
  at: string | null;
  /** approved by the parent department's head in place of the draft's author (the slot's only member) */
  standIn?: boolean;
}
export interface WorkflowHistoryView {
  seq: number;
  at: string;
  action: string;
  actor: WorkflowPerson | null;
  onBehalfOf: WorkflowPerson | null;
  comment: string | null;
  fromStep: string | null;
  toStep: string;
  version: number;
}
export interface WorkflowDraftRevision {
  revision: number;
  text: string;
  author: WorkflowPerson | null;
  at: string;
  /** how this revision was made */
  action: 'submit_draft' | 'edit_and_approve';
}
export interface AvailableWorkflowAction {
  type: WorkflowActionRequestType;
  /** give_opinion: the department answered for */
  department?: string;
  /** set when the action would be taken on a delegator's behalf */
  onBehalfOf?: WorkflowPerson;
}
export interface TicketWorkflowView {
  ticketId: string;
  ticketVersion: number;
  /** the circuit bound to the ticket's category/department (what a start would use); null: direct replies */
  bound: { code: string; name: string; version: number; initialKind: string } | null;
  /** the running (or finished) instance; null when none started */
  instance: null | {
    definitionCode: string;
    name: string;
    version: number;
    status: 'active' | 'completed' | 'cancelled';
    outcome: string | null;
    startedAt: string;
    finishedAt: string | null;
    /** set once the circuit is over: completed (with its outcome) or cancelled (with the reason given) */
    finished: null | {
      status: 'completed' | 'cancelled';
      outcome: string | null;
      at: string;
      by: WorkflowPerson | null;
      reason: string | null;
    };
    current: {
      stepId: string;
      label: string | null;
      kind: string;
      enteredAt: string;
      dueAt: string | null;
      slaDueAt: string | null;
      slaBreached: boolean;
      approvals: WorkflowApprovalView[];
      opinions: WorkflowOpinionView[];
    };
    draft: null | { text: string; revision: number; author: WorkflowPerson | null; editedBy: WorkflowPerson | null };
    revisions: WorkflowDraftRevision[];
    history: WorkflowHistoryView[];
    diagram: WorkflowDiagram;
  };
  /** what the caller may do now */
  actions: AvailableWorkflowAction[];
}

export type WorkflowInboxReason = 'approval' | 'opinion' | 'draft';
export interface WorkflowInboxItem {
  ticketId: string;
  reference: string;
  subject: string;
  department: { code: string; name: string };
  definitionCode: string;
  version: number;
  stepId: string;
  stepLabel: string | null;
  reason: WorkflowInboxReason;
  /** opinion: the department asked */
  opinionDepartment?: string;
  /** set when it awaits a delegator the caller stands in for */
  onBehalfOf: WorkflowPerson | null;
  enteredAt: string;
  dueAt: string | null;
  late: boolean;
  /** the caller sees the ticket in its own departments (else: through the circuit only) */
  visible: boolean;
}
export interface WorkflowInbox {
  items: WorkflowInboxItem[];
  counts: { total: number; approvals: number; opinions: number; drafts: number; late: number };
}

export interface Delegation {
  id: string;
  from: WorkflowPerson;
  to: WorkflowPerson;
  startsAt: string;
  endsAt: string;
  createdAt: string;
  revokedAt: string | null;
  /** active now */
  active: boolean;
}
export interface DelegationInput {
  /** admins only: another agent's delegation (default: the caller) */
  fromAgentId?: string;
  toAgentId: string;
  startsAt: string;
  endsAt: string;
}

/** A sample request to walk through a circuit (`POST /workflows/definitions/dry-run`). */
export interface WorkflowDryRunSample {
  departmentId: string;
  categoryId?: string | null;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  channel?: string | null;
  status?: string | null;
  /** who drafts (default: the draft step's first role) */
  authorRole?: 'agent' | 'head' | 'admin' | 'elected';
}
export interface WorkflowDryRunRequest extends WorkflowSourceRequest {
  sample: WorkflowDryRunSample;
}
/** Somebody expected at a step, with the town's agents who fit (active ones, delegations aside). */
export interface WorkflowDryRunActor {
  kind: 'role' | 'roles' | 'agent' | 'department' | 'draft_author' | 'citizen' | 'system';
  /** role(s) expected; null: any member */
  roles: string[] | null;
  /** department(s) by code with their names; null: any department */
  departments: Array<{ code: string; name: string | null }> | null;
  agentId: string | null;
  agents: Array<{ id: string; displayName: string }>;
}
export interface WorkflowDryRunStep {
  stepId: string;
  kind: string;
  label: string | null;
  mode: 'one' | 'any' | 'all' | null;
  actors: WorkflowDryRunActor[];
  notified: WorkflowDryRunActor[];
  assigned: WorkflowDryRunActor[];
  priority: string | null;
  dueInMinutes: number | null;
  slaMinutes: number | null;
  outcome: string | null;
  /** index of the transition taken in the step's transitions */
  transition: number | null;
  next: string | null;
}
export interface WorkflowDryRun {
  /** finished: an end is reached; stuck: no transition applies (reason); loop: a step would come back */
  status: 'finished' | 'stuck' | 'loop';
  reason: 'no_transition' | 'guard_refused' | 'unknown_step' | null;
  end: string | null;
  steps: WorkflowDryRunStep[];
  /** the static analysis' problems of the definition walked (the walk runs on a draft with errors too) */
  errors: WorkflowDefinitionProblem[];
  warnings: WorkflowDefinitionProblem[];
}
