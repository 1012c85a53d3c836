/**
 * Dry run: walks a sample request (category, priority, department, channel, status) through a
 * circuit and tells, step by step, who would act and which transition would be taken — without an
 * instance, a ticket or a person. The path is the one the engine takes when every step goes the
 * expected way: drafts submitted, approvals given (no rejection), opinions answered in time, the
 * citizen answering; `set_priority` entry actions change the priority later conditions see.
 *
 * The sample's author drafts where their role may (elsewhere the draft step's first role does).
 * Who acts is a requirement (a role in a department, a named agent, a department's members); the
 * API turns it into the town's agents. Guards on roles/departments are evaluated for the step's
 * first expected actor — the author profile given in the sample for drafts (by default the first
 * role and department the step allows), the first approver slot for approvals.
 */
import type { Priority } from '@grc/domain';
import { transitionsFor } from '../definition/analyse';
import {
  TICKET_DEPARTMENT,
  type Guard,
  type Outcome,
  type Recipient,
  type Scalar,
  type Step,
  type StepKind,
  type WorkflowDefinition,
  type WorkflowRole,
} from '../definition/schema';
import { evaluateCondition } from '../engine/conditions';

export interface DryRunSample {
  /** department code of the request (resolves `$ticket`) */
  department: string;
  category?: string | null;
  priority?: Priority;
  channel?: string | null;
  status?: string | null;
  /** who drafts (default: the draft step's first role, in its first department) */
  author?: { role: WorkflowRole; department?: string };
}

/** Somebody expected to act or to be told, departments resolved (`$ticket` → the sample's). */
export type DryRunActor =
  | { kind: 'role'; role: WorkflowRole; department: string | null }
  | { kind: 'roles'; roles: WorkflowRole[]; departments: string[] | null }
  | { kind: 'agent'; agentId: string }
  | { kind: 'department'; department: string; roles: WorkflowRole[] | null }
  | { kind: 'draft_author' }
  | { kind: 'citizen' }
  | { kind: 'system' };

export interface DryRunStep {
  stepId: string;
  kind: StepKind;
  label: string | null;
  /** approvals: one, any of, all of the actors */
  mode: 'one' | 'any' | 'all' | null;
  /** who acts (empty for automatic steps) */
  actors: DryRunActor[];
  /** who is told on entering (entry actions, notify steps) */
  notified: DryRunActor[];
  /** entry actions that assign the request */
  assigned: DryRunActor[];
  /** the priority while in the step (after its entry actions) */
  priority: Priority | null;
  /** minutes: opinion due time, citizen wait timeout, step SLA */
  dueInMinutes: number | null;
  slaMinutes: number | null;
  /** the outcome assumed and the transition taken (index in the step's transitions) */
  outcome: Outcome | null;
  transition: number | null;
  next: string | null;
}

export type DryRunStatus = 'finished' | 'stuck' | 'loop';
export interface DryRunResult {
  status: DryRunStatus;
  steps: DryRunStep[];
  /** the end step reached */
  end: string | null;
  /** when stuck: why (`no_transition`: no transition applies; `guard_refused`: the actor may not take any; `unknown_step`) */
  reason: 'no_transition' | 'guard_refused' | 'unknown_step' | null;
}

interface Profile {
  role: WorkflowRole;
  department: string | null;
}

const MAX_STEPS = 100;

export function dryRun(def: WorkflowDefinition, sample: DryRunSample): DryRunResult {
  const dep = (d: string): string => (d === TICKET_DEPARTMENT ? sample.department : d);
  const fields: Record<string, Scalar | undefined> = {
    category: sample.category ?? undefined,
    priority: sample.priority ?? 'normal',
    channel: sample.channel ?? undefined,
    status: sample.status ?? undefined,
    department: sample.department,
  };
  const recipient = (r: Recipient): DryRunActor =>
    r.kind === 'role'
      ? { kind: 'role', role: r.role, department: r.department === undefined ? null : dep(r.department) }
      : r.kind === 'department'
        ? { kind: 'department', department: dep(r.department), roles: null }
        : r.kind === 'agent'
          ? { kind: 'agent', agentId: r.agentId }
          : { kind: r.kind };
  const steps: DryRunStep[] = [];
  const seen = new Set<string>();
  let id = def.initial;
  for (;;) {
    const s: Step | undefined = Object.prototype.hasOwnProperty.call(def.steps, id) ? def.steps[id] : undefined;
    if (!s) return { status: 'stuck', steps, end: null, reason: 'unknown_step' };
    if (seen.has(id) || steps.length >= MAX_STEPS) return { status: 'loop', steps, end: null, reason: null };
    seen.add(id);
    const notified: DryRunActor[] = [];
    const assigned: DryRunActor[] = [];
    for (const a of s.onEnter ?? []) {
      if (a.type === 'set_priority') fields['priority'] = a.priority;
      else if (a.type === 'notify') notified.push(recipient(a.to));
      else assigned.push(recipient(a.to as Recipient));
    }
    if (s.kind === 'notify') notified.push(...s.to.map(recipient));
    const row: DryRunStep = {
      stepId: id,
      kind: s.kind,
      label: s.label ?? null,
      mode: s.kind === 'approval' ? s.mode : null,
      actors: [],
      notified,
      assigned,
      priority: (fields['priority'] as Priority | undefined) ?? null,
      dueInMinutes: s.kind === 'opinion' ? s.dueInMinutes : s.kind === 'wait_for_citizen' ? (s.timeoutMinutes ?? null) : null,
      slaMinutes: s.kind === 'end' ? null : (s.slaMinutes ?? null),
      outcome: null,
      transition: null,
      next: null,
    };
    steps.push(row);
    if (s.kind === 'end') return { status: 'finished', steps, end: id, reason: null };

    let who: Profile | null = null;
    let outcome: Outcome;
    switch (s.kind) {
      case 'draft': {
        const deps = s.writers.departments?.length ? s.writers.departments.map(dep) : null;
        row.actors = [{ kind: 'roles', roles: [...s.writers.roles], departments: deps }];
        // the sample's author where their role may write this draft, else the step's first role
        const own = sample.author !== undefined && (s.writers.roles as readonly string[]).includes(sample.author.role);
        const role = own ? sample.author!.role : s.writers.roles[0]!;
        who = { role, department: (own ? sample.author!.department : undefined) ?? deps?.[0] ?? null };
        outcome = 'submitted';
        break;
      }
      case 'approval': {
        row.actors = s.approvers.map((a) =>
          a.agentId !== undefined
            ? { kind: 'agent', agentId: a.agentId }
            : { kind: 'role', role: a.role!, department: a.department === undefined ? null : dep(a.department) },
        );
        const first = s.approvers[0]!;
        who = first.role ? { role: first.role, department: first.department === undefined ? null : dep(first.department) } : null;
        outcome = 'approved';
        break;
      }
      case 'opinion':
        row.actors = s.departments.map((d) => ({
          kind: 'department',
          department: dep(d),
          roles: s.respondents ? [...s.respondents] : null,
        }));
        outcome = 'completed';
        break;
      case 'notify':
        row.actors = [{ kind: 'system' }];
        outcome = 'done';
        break;
      case 'wait_for_citizen':
        row.actors = [{ kind: 'citizen' }];
        outcome = 'replied';
        break;
    }
    row.outcome = outcome;
    const list = transitionsFor(s, outcome);
    let refused = false;
    const taken = list.findIndex((t) => {
      if (!passes(t.guard, who, fields, dep)) {
        if (t.guard?.roles || t.guard?.departments) refused = refused || !t.guard.when || evaluateCondition(t.guard.when, fields);
        return false;
      }
      return true;
    });
    if (taken < 0) return { status: 'stuck', steps, end: null, reason: refused ? 'guard_refused' : 'no_transition' };
    const t = list[taken]!;
    row.transition = (s.transitions ?? []).indexOf(t);
    row.next = t.to;
    id = t.to;
  }
}

function passes(
  g: Guard | undefined,
  who: Profile | null,
  fields: Record<string, Scalar | undefined>,
  dep: (d: string) => string,
): boolean {
  if (!g) return true;
  if (g.when && !evaluateCondition(g.when, fields)) return false;
  if (g.roles && (who === null || !(g.roles as readonly string[]).includes(who.role))) return false;
  if (g.departments && (who === null || who.department === null || !g.departments.map(dep).includes(who.department))) return false;
  return true;
}
