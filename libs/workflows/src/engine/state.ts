/**
 * The state of one running workflow instance (stored by the API next to the ticket, e.g. as JSONB
 * with a row version), the actions that move it and the effects it asks the API to carry out.
 * Everything is plain JSON-compatible data.
 */
import type { Priority } from '@grc/domain';
import type { Scalar, StepKind, WorkflowRole } from '../definition/schema';
import type { Actor } from './actors';

/** What the engine may read about the ticket: its id, department and fields named by conditions. */
export interface TicketContext {
  ticketId: string;
  /** The ticket's department (resolves `$ticket` in definitions). */
  departmentId: string;
  /** Fields conditions can test, e.g. { category: 'reclamation-urbanisme', priority: 'high', channel: 'phone' }. */
  fields?: Readonly<Record<string, Scalar | undefined>>;
  /**
   * Parent of each department (codes): the runtime way out of a self-approval deadlock lets the
   * head of the parent department approve in place of a slot whose only member wrote the draft.
   * Not kept in the history.
   */
  parentDepartments?: Readonly<Record<string, string>>;
}

export type InstanceStatus = 'active' | 'completed' | 'cancelled';
export type OpinionVerdict = 'favourable' | 'unfavourable' | 'reserved';
export type TimerKind = 'sla' | 'opinion_due' | 'citizen_timeout';

export interface ApprovalSlotState {
  role?: WorkflowRole;
  /** Resolved department code ($ticket replaced). */
  departmentId?: string;
  agentId?: string;
  approvedBy?: string;
  onBehalfOf?: string;
  at?: string;
  /** Approved by the head of the parent department in place of the draft's author (deadlock way out). */
  standIn?: boolean;
}

export interface OpinionState {
  departmentId: string;
  status: 'pending' | 'given' | 'expired';
  by?: string;
  onBehalfOf?: string;
  verdict?: OpinionVerdict;
  comment?: string;
  at?: string;
}

export interface CurrentStep {
  stepId: string;
  kind: StepKind;
  enteredAt: string;
  /** Increments at every step entry of the instance: makes timer keys unique. */
  visit: number;
  /** The department whose business calendar counts the step's deadline (resolved code). */
  departmentId?: string;
  /** Approval steps: one entry per approver slot. */
  approvals?: ApprovalSlotState[];
  /** Opinion steps: one entry per consulted department (parallel branches). */
  opinions?: OpinionState[];
  /** Opinion due time / citizen wait timeout. */
  dueAt?: string;
  slaDueAt?: string;
  slaBreached?: boolean;
}

export interface DraftState {
  text: string;
  authorId: string;
  revision: number;
  /** The draft step where it was written (where a rejection returns by default). */
  stepId: string;
  /** Set by edit_and_approve. */
  editedBy?: string;
  /** The author's role and departments when submitting (who the author may stand for as approver). */
  authorRole?: string;
  authorDepartmentIds?: readonly string[];
}

export type WorkflowAction =
  | { type: 'submit_draft'; text: string; comment?: string }
  | { type: 'approve'; comment?: string; onBehalfOf?: string }
  | { type: 'reject'; comment: string; onBehalfOf?: string }
  | { type: 'edit_and_approve'; text: string; comment?: string; onBehalfOf?: string }
  | { type: 'give_opinion'; departmentId: string; verdict: OpinionVerdict; comment: string; onBehalfOf?: string }
  | { type: 'opinion_timeout'; timerKey: string }
  | { type: 'citizen_replied'; comment?: string }
  | { type: 'citizen_timeout'; timerKey: string }
  | { type: 'sla_elapsed'; timerKey: string }
  | { type: 'cancel'; comment: string };
export type WorkflowActionType = WorkflowAction['type'];
export const ACTION_TYPES: readonly WorkflowActionType[] = [
  'submit_draft',
  'approve',
  'reject',
  'edit_and_approve',
  'give_opinion',
  'opinion_timeout',
  'citizen_replied',
  'citizen_timeout',
  'sla_elapsed',
  'cancel',
];
export type StartAction = { type: 'start' };

/** One step taken: who, when, on whose behalf, with which comment, under which version. */
export interface HistoryEntry {
  seq: number;
  at: string;
  definitionId: string;
  version: number;
  action: WorkflowAction | StartAction;
  /** The actor as they were when acting (role, departments, delegations): replay needs it. */
  actor: Actor;
  onBehalfOf?: string;
  comment?: string;
  fromStepId: string | null;
  /** Step the instance is in after the action. */
  toStepId: string;
  /** Steps entered by this action, in order (automatic steps included). */
  entered: string[];
  /** The ticket as conditions saw it. */
  ticket: TicketContext;
}

export interface WorkflowInstanceState {
  definitionId: string;
  version: number;
  ticketId: string;
  status: InstanceStatus;
  startedAt: string;
  current: CurrentStep;
  draft: DraftState | null;
  /** Count of step entries so far. */
  visits: number;
  /** Set when completed: the end step's outcome. */
  outcome?: string;
  finishedAt?: string;
  history: HistoryEntry[];
}

/** Who or what an effect targets, departments resolved. */
export type Target =
  | { kind: 'agent'; agentId: string }
  | { kind: 'role'; role: WorkflowRole; departmentId?: string }
  | { kind: 'department'; departmentId: string }
  | { kind: 'citizen' };

export type WorkflowEffect =
  | { type: 'schedule_timer'; key: string; kind: TimerKind; stepId: string; dueInMinutes: number; dueAt: string }
  | { type: 'cancel_timer'; key: string }
  | { type: 'notify'; to: Target; template: string; data?: Record<string, string> }
  | { type: 'assign'; to: Exclude<Target, { kind: 'citizen' }> }
  | { type: 'set_priority'; priority: Priority }
  | { type: 'send_reply'; text: string; revision: number; authorId: string }
  | { type: 'workflow_finished'; status: 'completed' | 'cancelled'; outcome?: string };

export type RefusalCode =
  | 'version_mismatch'
  | 'finished'
  | 'wrong_step'
  | 'stale_timer'
  | 'system_only'
  | 'forbidden_role'
  | 'forbidden_department'
  | 'not_an_approver'
  | 'self_approval'
  | 'edit_not_allowed'
  | 'comment_required'
  | 'text_required'
  | 'unknown_department'
  | 'already_answered'
  | 'guard_refused'
  | 'no_transition'
  | 'nothing_to_reject'
  | 'automatic_loop'
  | 'unknown_action'
  | 'unpublished';

/** A typed refusal; `httpStatus` hints the API: 403 not allowed, 409 wrong state, 422 missing input. */
export interface WorkflowRefusal {
  ok: false;
  code: RefusalCode;
  message: string;
  httpStatus: 403 | 409 | 422;
  field?: string;
}

export type ApplyResult = { ok: true; state: WorkflowInstanceState; effects: WorkflowEffect[] } | WorkflowRefusal;

export const isFinished = (s: WorkflowInstanceState): boolean => s.status !== 'active';

/** Deterministic timer key: unique per instance (start instant), step visit and timer kind. */
export const timerKey = (
  s: Pick<WorkflowInstanceState, 'ticketId' | 'definitionId' | 'startedAt'>,
  visit: number,
  stepId: string,
  kind: TimerKind,
): string => `wf:${s.ticketId}:${s.definitionId}:${s.startedAt}:${visit}:${stepId}:${kind}`;
