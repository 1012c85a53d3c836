/**
 * The engine: (definition, state, action, actor, now, ticket) → new state + effects, or a typed
 * refusal. Pure and deterministic: time comes in as `now` (ISO 8601), nothing is random, inputs are
 * never mutated (new objects share what did not change).
 *
 * Semantics in short
 * - the actor's own identity is tried first, then active delegations (approvals and opinions only);
 *   guards on the chosen transition are evaluated against the identity acted under;
 * - approval: `one`/`any` complete with the first approval, `all` when every slot approved; an
 *   approval fills every pending slot the identity matches; the draft's author may not approve
 *   their own draft unless `allowSelfApproval`;
 * - reject (comment mandatory) returns to `rejectTo` or the draft's own step, assigned to its author;
 * - opinion: completes when every department answered (outcome `completed`) or when the due timer
 *   fires (`timed_out`, falling back on `completed` transitions), unanswered ones marked expired;
 * - notify steps pass through immediately; end steps finish the instance and send the reply.
 */
import type { Priority } from '@grc/domain';
import { transitionsFor } from '../definition/analyse';
import { ActorSpec, Assignee, Outcome, Recipient, Step, TICKET_DEPARTMENT, Transition, WorkflowDefinition } from '../definition/schema';
import { Actor, Capacity, Identity, resolveCapacity } from './actors';
import { evaluateCondition } from './conditions';
import {
  ApplyResult,
  ApprovalSlotState,
  CurrentStep,
  HistoryEntry,
  OpinionState,
  RefusalCode,
  Target,
  TicketContext,
  timerKey,
  WorkflowAction,
  WorkflowEffect,
  WorkflowInstanceState,
  WorkflowRefusal,
} from './state';

const NO_FIELDS: Readonly<Record<string, never>> = Object.freeze({});
const MAX_AUTOMATIC_HOPS = 64;

export const refusal = (code: RefusalCode, message: string, httpStatus: 403 | 409 | 422, field?: string): WorkflowRefusal =>
  field === undefined ? { ok: false, code, message, httpStatus } : { ok: false, code, message, httpStatus, field };

const blank = (s: string | undefined): boolean => s === undefined || typeof s !== 'string' || s.trim() === '';
// memo of the last instant's due dates: many instances enter steps at the same `now` (deterministic)
let memoNow = '';
let memoMs = 0;
const memoDue = new Map<number, string>();
const addMinutes = (iso: string, minutes: number): string => {
  if (iso !== memoNow) {
    memoNow = iso;
    memoMs = Date.parse(iso);
    memoDue.clear();
  }
  let due = memoDue.get(minutes);
  if (due === undefined) {
    due = new Date(memoMs + minutes * 60_000).toISOString();
    memoDue.set(minutes, due);
  }
  return due;
};
const dept = (d: string, ticket: TicketContext): string => (d === TICKET_DEPARTMENT ? ticket.departmentId : d);

const matchesSpec = (spec: ActorSpec, who: Identity, ticket: TicketContext): boolean =>
  (spec.roles as readonly string[]).includes(who.role) &&
  (!spec.departments || spec.departments.length === 0 || spec.departments.some((d) => who.departmentIds.includes(dept(d, ticket))));

const slotAdmits = (slot: ApprovalSlotState, who: Identity): boolean =>
  (slot.agentId === undefined || slot.agentId === who.agentId) &&
  (slot.role === undefined || slot.role === who.role) &&
  (slot.departmentId === undefined || who.departmentIds.includes(slot.departmentId));

const describeSlot = (s: ApprovalSlotState): string =>
  s.agentId !== undefined ? `l’agent ${s.agentId}` : `un ${s.role}${s.departmentId !== undefined ? ` du service ${s.departmentId}` : ''}`;

function resolveTarget(r: Recipient | Assignee, state: WorkflowInstanceState, ticket: TicketContext): Target | null {
  switch (r.kind) {
    case 'role':
      return r.department === undefined
        ? { kind: 'role', role: r.role }
        : { kind: 'role', role: r.role, departmentId: dept(r.department, ticket) };
    case 'department':
      return { kind: 'department', departmentId: dept(r.department, ticket) };
    case 'agent':
      return { kind: 'agent', agentId: r.agentId };
    case 'draft_author':
      return state.draft ? { kind: 'agent', agentId: state.draft.authorId } : null;
    case 'citizen':
      return { kind: 'citizen' };
  }
}

/** The department whose calendar counts a step's deadline: its writers', its first approver's, else the ticket's. */
function stepDepartment(step: Step, ticket: TicketContext): string {
  if (step.kind === 'draft') return dept(step.writers.departments?.[0] ?? TICKET_DEPARTMENT, ticket);
  if (step.kind === 'approval') {
    const d = step.approvers.find((a) => a.department !== undefined)?.department;
    return dept(d ?? TICKET_DEPARTMENT, ticket);
  }
  return ticket.departmentId;
}

/** Who wrote the current draft, as they were when submitting it (role and departments). */
function authorIdentity(state: WorkflowInstanceState): Identity | null {
  if (!state.draft) return null;
  const d = state.draft;
  if (d.authorRole !== undefined && d.authorDepartmentIds !== undefined)
    return { agentId: d.authorId, role: d.authorRole as Identity['role'], departmentIds: d.authorDepartmentIds };
  for (let i = state.history.length - 1; i >= 0; i--) {
    const h = state.history[i]!;
    if (h.action.type === 'submit_draft' && h.actor.id === state.draft.authorId)
      return { agentId: h.actor.id, role: h.actor.role, departmentIds: h.actor.departmentIds };
  }
  return null;
}

/**
 * The way out of a self-approval deadlock: a pending slot the draft's author belongs to (in a
 * department with a single head, the author is its only member) may be approved by the head of the
 * slot's parent department — or by that head's delegate. Returns that parent department's code.
 */
function standInDepartment(s: ApprovalSlotState, author: Identity | null, ticket: TicketContext): string | undefined {
  if (!author || s.approvedBy !== undefined || s.departmentId === undefined || s.agentId !== undefined || !slotAdmits(s, author))
    return undefined;
  return ticket.parentDepartments?.[s.departmentId];
}

const slotTarget = (s: ApprovalSlotState): Exclude<Target, { kind: 'citizen' }> =>
  s.agentId !== undefined
    ? { kind: 'agent', agentId: s.agentId }
    : s.departmentId !== undefined
      ? { kind: 'role', role: s.role!, departmentId: s.departmentId }
      : { kind: 'role', role: s.role! };

/** Picks the first transition for `outcome` whose guard passes (`who` null: automatic outcome). */
function pickTransition(step: Step, outcome: Outcome, who: Identity | null, ticket: TicketContext): Transition | WorkflowRefusal {
  const fields = ticket.fields ?? NO_FIELDS;
  let guardFailed = false;
  for (const t of transitionsFor(step, outcome)) {
    const g = t.guard;
    if (g) {
      if (g.when && !evaluateCondition(g.when, fields)) continue;
      if (g.roles || g.departments) {
        const admitted =
          who !== null &&
          (!g.roles || (g.roles as readonly string[]).includes(who.role)) &&
          (!g.departments || g.departments.some((d) => who.departmentIds.includes(dept(d, ticket))));
        if (!admitted) {
          guardFailed = true;
          continue;
        }
      }
    }
    return t;
  }
  return guardFailed
    ? refusal('guard_refused', 'votre rôle ou votre service ne permet pas de faire avancer cette étape', 403)
    : refusal('no_transition', `aucune transition « ${outcome} » ne s’applique à ce ticket`, 409);
}

/** Cancels the timers of the step being left (but not the one that just fired). */
function leaveStep(state: WorkflowInstanceState, effects: WorkflowEffect[], fired?: string): void {
  const c = state.current;
  const cancel = (kind: 'sla' | 'opinion_due' | 'citizen_timeout') => {
    const key = timerKey(state, c.visit, c.stepId, kind);
    if (key !== fired) effects.push({ type: 'cancel_timer', key });
  };
  if (c.slaDueAt !== undefined && !c.slaBreached) cancel('sla');
  if (c.dueAt !== undefined) cancel(c.kind === 'opinion' ? 'opinion_due' : 'citizen_timeout');
}

/** Enters `stepId`, running entry actions and passing through automatic steps. */
function enterStep(
  def: WorkflowDefinition,
  from: WorkflowInstanceState,
  stepId: string,
  now: string,
  ticket: TicketContext,
  effects: WorkflowEffect[],
  entered: string[],
): WorkflowInstanceState | WorkflowRefusal {
  let state = from;
  let id = stepId;
  for (let hops = 0; ; hops++) {
    if (hops > MAX_AUTOMATIC_HOPS) return refusal('automatic_loop', 'boucle d’étapes automatiques dans le circuit', 409);
    const step = def.steps[id];
    if (!step) return refusal('no_transition', `étape « ${id} » absente de la version ${state.version} du circuit`, 409);
    const visit = state.visits + 1;
    entered.push(id);
    const current: CurrentStep = { stepId: id, kind: step.kind, enteredAt: now, visit, departmentId: stepDepartment(step, ticket) };
    state = { ...state, visits: visit, current };
    const schedule = (kind: 'sla' | 'opinion_due' | 'citizen_timeout', minutes: number): string => {
      const dueAt = addMinutes(now, minutes);
      effects.push({ type: 'schedule_timer', key: timerKey(state, visit, id, kind), kind, stepId: id, dueInMinutes: minutes, dueAt });
      return dueAt;
    };
    for (const a of step.onEnter ?? []) {
      if (a.type === 'set_priority') effects.push({ type: 'set_priority', priority: a.priority as Priority });
      else {
        const to = resolveTarget(a.to, state, ticket);
        if (to === null) continue;
        if (a.type === 'notify') effects.push({ type: 'notify', to, template: a.template });
        else if (to.kind !== 'citizen') effects.push({ type: 'assign', to });
      }
    }
    switch (step.kind) {
      case 'draft':
        if (state.draft) effects.push({ type: 'assign', to: { kind: 'agent', agentId: state.draft.authorId } });
        else
          effects.push({
            type: 'assign',
            to: { kind: 'department', departmentId: dept(step.writers.departments?.[0] ?? TICKET_DEPARTMENT, ticket) },
          });
        break;
      case 'approval': {
        const approvals: ApprovalSlotState[] = step.approvers.map((a) => {
          const s: ApprovalSlotState = {};
          if (a.role !== undefined) s.role = a.role;
          if (a.department !== undefined) s.departmentId = dept(a.department, ticket);
          if (a.agentId !== undefined) s.agentId = a.agentId;
          return s;
        });
        current.approvals = approvals;
        effects.push({ type: 'assign', to: slotTarget(approvals[0]!) });
        for (const s of approvals) effects.push({ type: 'notify', to: slotTarget(s), template: 'workflow.approval_requested' });
        // the author may be the slot's only member: the parent department's head is told he may approve in place
        const author = authorIdentity(state);
        for (const s of approvals) {
          const parent = standInDepartment(s, author, ticket);
          if (parent !== undefined)
            effects.push({
              type: 'notify',
              to: { kind: 'role', role: 'head', departmentId: parent },
              template: 'workflow.approval_stand_in',
            });
        }
        break;
      }
      case 'opinion': {
        const seen = new Set<string>();
        const opinions: OpinionState[] = [];
        for (const d of step.departments) {
          const departmentId = dept(d, ticket);
          if (seen.has(departmentId)) continue;
          seen.add(departmentId);
          opinions.push({ departmentId, status: 'pending' });
          effects.push({
            type: 'notify',
            to: { kind: 'department', departmentId },
            template: step.template ?? 'workflow.opinion_requested',
          });
        }
        current.opinions = opinions;
        current.dueAt = schedule('opinion_due', step.dueInMinutes);
        break;
      }
      case 'notify':
        for (const r of step.to) {
          const to = resolveTarget(r, state, ticket);
          if (to !== null) effects.push({ type: 'notify', to, template: step.template });
        }
        break;
      case 'wait_for_citizen':
        effects.push({ type: 'notify', to: { kind: 'citizen' }, template: step.template ?? 'workflow.waiting_citizen' });
        if (step.timeoutMinutes !== undefined) current.dueAt = schedule('citizen_timeout', step.timeoutMinutes);
        break;
      case 'end': {
        const send = (step.sendReply ?? true) && state.draft !== null;
        const outcome = step.outcome ?? (send ? 'reply_sent' : 'closed');
        if (send)
          effects.push({ type: 'send_reply', text: state.draft!.text, revision: state.draft!.revision, authorId: state.draft!.authorId });
        effects.push({ type: 'workflow_finished', status: 'completed', outcome });
        return { ...state, status: 'completed', outcome, finishedAt: now };
      }
    }
    if (step.kind !== 'notify') {
      if (step.slaMinutes !== undefined) current.slaDueAt = schedule('sla', step.slaMinutes);
      return state;
    }
    const t = pickTransition(step, 'done', null, ticket);
    if ('ok' in t) return t;
    id = t.to;
  }
}

/** Leaves the current step through `outcome` (guard checked against `who`). */
function advance(
  def: WorkflowDefinition,
  state: WorkflowInstanceState,
  outcome: Outcome,
  who: Identity | null,
  now: string,
  ticket: TicketContext,
  effects: WorkflowEffect[],
  entered: string[],
  fired?: string,
): WorkflowInstanceState | WorkflowRefusal {
  const t = pickTransition(def.steps[state.current.stepId]!, outcome, who, ticket);
  if ('ok' in t) return t;
  leaveStep(state, effects, fired);
  return enterStep(def, state, t.to, now, ticket, effects, entered);
}

function record(
  prev: WorkflowInstanceState | null,
  next: WorkflowInstanceState,
  action: HistoryEntry['action'],
  actor: Actor,
  now: string,
  ticket: TicketContext,
  entered: string[],
  capacity?: Capacity,
  comment?: string,
): WorkflowInstanceState {
  const entry: HistoryEntry = {
    seq: prev ? prev.history.length : 0,
    at: now,
    definitionId: next.definitionId,
    version: next.version,
    action,
    actor,
    fromStepId: prev ? prev.current.stepId : null,
    toStepId: next.current.stepId,
    entered,
    ticket,
  };
  if (capacity?.onBehalfOf !== undefined) entry.onBehalfOf = capacity.onBehalfOf;
  if (comment !== undefined && !blank(comment)) entry.comment = comment;
  return { ...next, history: prev ? [...prev.history, entry] : [entry] };
}

const isErr = (x: WorkflowInstanceState | WorkflowRefusal): x is WorkflowRefusal => (x as WorkflowRefusal).ok === false;

/** Starts an instance of a published definition for a ticket. */
export function start(definition: WorkflowDefinition, ticket: TicketContext, actor: Actor, now: string): ApplyResult {
  if (definition.version === undefined) return refusal('unpublished', 'ce circuit n’est pas publié (aucune version)', 409);
  const initial: WorkflowInstanceState = {
    definitionId: definition.id,
    version: definition.version,
    ticketId: ticket.ticketId,
    status: 'active',
    startedAt: now,
    current: { stepId: definition.initial, kind: 'draft', enteredAt: now, visit: 0 },
    draft: null,
    visits: 0,
    history: [],
  };
  const effects: WorkflowEffect[] = [];
  const entered: string[] = [];
  const s = enterStep(definition, initial, definition.initial, now, ticket, effects, entered);
  if (isErr(s)) return s;
  return { ok: true, state: record(null, s, { type: 'start' }, actor, now, ticket, entered), effects };
}

const wrongStep = (state: WorkflowInstanceState, expected: string): WorkflowRefusal =>
  refusal(
    'wrong_step',
    `action impossible à l’étape « ${state.current.stepId} » (${state.current.kind}) : elle attend une étape ${expected}`,
    409,
  );

/** Applies one action. */
export function apply(
  definition: WorkflowDefinition,
  state: WorkflowInstanceState,
  action: WorkflowAction,
  actor: Actor,
  now: string,
  ticket: TicketContext,
): ApplyResult {
  if (definition.id !== state.definitionId || definition.version !== state.version)
    return refusal(
      'version_mismatch',
      `l’instance suit la version ${state.version} du circuit ${state.definitionId}, pas ${definition.id} v${definition.version ?? '?'}`,
      409,
    );
  if (state.status !== 'active')
    return refusal('finished', state.status === 'cancelled' ? 'le circuit a été annulé' : 'le circuit est terminé', 409);
  const step = definition.steps[state.current.stepId];
  if (!step) return refusal('no_transition', `étape « ${state.current.stepId} » absente de la version ${state.version}`, 409);
  const effects: WorkflowEffect[] = [];
  const entered: string[] = [];
  const own: Identity = { agentId: actor.id, role: actor.role, departmentIds: actor.departmentIds };
  const done = (next: WorkflowInstanceState | WorkflowRefusal, capacity?: Capacity, comment?: string): ApplyResult =>
    isErr(next) ? next : { ok: true, state: record(state, next, action, actor, now, ticket, entered, capacity, comment), effects };
  const systemOnly = (): WorkflowRefusal | null =>
    actor.role === 'system' ? null : refusal('system_only', 'action réservée au système (minuteur)', 403);
  const staleTimer = (key: string, kind: 'sla' | 'opinion_due' | 'citizen_timeout'): WorkflowRefusal | null =>
    key === timerKey(state, state.current.visit, state.current.stepId, kind)
      ? null
      : refusal('stale_timer', 'minuteur périmé : l’étape a changé depuis sa programmation', 409);

  switch (action.type) {
    case 'submit_draft': {
      if (step.kind !== 'draft') return wrongStep(state, 'de rédaction');
      if (!(step.writers.roles as readonly string[]).includes(actor.role))
        return refusal('forbidden_role', `la rédaction est réservée aux rôles : ${step.writers.roles.join(', ')}`, 403);
      if (!matchesSpec(step.writers, own, ticket))
        return refusal(
          'forbidden_department',
          `la rédaction est réservée aux services : ${(step.writers.departments ?? []).map((d) => dept(d, ticket)).join(', ')}`,
          403,
        );
      if (blank(action.text)) return refusal('text_required', 'le texte de la réponse est obligatoire', 422, 'text');
      const draft = {
        text: action.text,
        authorId: actor.id,
        revision: (state.draft?.revision ?? 0) + 1,
        stepId: state.current.stepId,
        authorRole: actor.role,
        authorDepartmentIds: actor.departmentIds,
      };
      return done(advance(definition, { ...state, draft }, 'submitted', own, now, ticket, effects, entered), undefined, action.comment);
    }
    case 'approve':
    case 'edit_and_approve':
    case 'reject': {
      if (step.kind !== 'approval') return wrongStep(state, 'd’approbation');
      const slots = state.current.approvals ?? [];
      const pending = slots.filter((s) => s.approvedBy === undefined);
      const isAuthor = (who: Identity) =>
        state.draft !== null && !step.allowSelfApproval && (state.draft.authorId === who.agentId || state.draft.authorId === actor.id);
      const mine = resolveCapacity(actor, now, (who) => pending.some((s) => slotAdmits(s, who)), action.onBehalfOf);
      // the parent department's head (or his delegate) stands in for a slot whose member wrote the draft
      const author = step.allowSelfApproval ? null : authorIdentity(state);
      const standsIn = (who: Identity) =>
        who.role === 'head' &&
        !isAuthor(who) &&
        pending.some((s) => {
          const p = standInDepartment(s, author, ticket);
          return p !== undefined && who.departmentIds.includes(p);
        });
      const stand = mine && !isAuthor(mine.identity) ? undefined : resolveCapacity(actor, now, standsIn, action.onBehalfOf);
      const capacity = stand ?? mine;
      if (!capacity) return refusal('not_an_approver', `approbation attendue de : ${pending.map(describeSlot).join(' ; ')}`, 403);
      const who = capacity.identity;
      if (isAuthor(who)) return refusal('self_approval', 'l’auteur du brouillon ne peut pas l’approuver lui-même', 403);
      const fills = (s: ApprovalSlotState): 'own' | 'stand_in' | null => {
        if (s.approvedBy !== undefined) return null;
        if (!stand && slotAdmits(s, who)) return 'own';
        const p = stand ? standInDepartment(s, author, ticket) : undefined;
        return p !== undefined && who.departmentIds.includes(p) ? 'stand_in' : null;
      };
      if (action.type === 'reject') {
        if (blank(action.comment))
          return refusal('comment_required', 'un refus doit être motivé (commentaire obligatoire)', 422, 'comment');
        const to = step.rejectTo ?? state.draft?.stepId;
        if (to === undefined) return refusal('nothing_to_reject', 'aucun brouillon à renvoyer à son auteur', 409);
        if (state.draft)
          effects.push({
            type: 'notify',
            to: { kind: 'agent', agentId: state.draft.authorId },
            template: 'workflow.draft_rejected',
            data: { comment: action.comment },
          });
        leaveStep(state, effects);
        return done(enterStep(definition, state, to, now, ticket, effects, entered), capacity, action.comment);
      }
      let next = state;
      if (action.type === 'edit_and_approve') {
        if (!step.allowEditAndApprove)
          return refusal('edit_not_allowed', 'cette étape ne permet pas de modifier le brouillon avant de l’approuver', 403);
        if (blank(action.text)) return refusal('text_required', 'le texte modifié est obligatoire', 422, 'text');
        if (!state.draft) return refusal('nothing_to_reject', 'aucun brouillon à modifier', 409);
        next = { ...next, draft: { ...state.draft, text: action.text, revision: state.draft.revision + 1, editedBy: actor.id } };
      }
      const approvals = slots.map((s) => {
        const how = fills(s);
        if (how === null) return s;
        const filled: ApprovalSlotState = { ...s, approvedBy: actor.id, at: now };
        if (capacity.onBehalfOf !== undefined) filled.onBehalfOf = capacity.onBehalfOf;
        if (how === 'stand_in') filled.standIn = true;
        return filled;
      });
      next = { ...next, current: { ...state.current, approvals } };
      const complete = step.mode === 'all' ? approvals.every((s) => s.approvedBy !== undefined) : true;
      if (!complete) return done(next, capacity, action.comment);
      return done(advance(definition, next, 'approved', who, now, ticket, effects, entered), capacity, action.comment);
    }
    case 'give_opinion': {
      if (step.kind !== 'opinion') return wrongStep(state, 'd’avis');
      const opinions = state.current.opinions ?? [];
      const target = opinions.find((o) => o.departmentId === action.departmentId);
      if (!target)
        return refusal('unknown_department', `le service « ${action.departmentId} » n’est pas consulté à cette étape`, 422, 'departmentId');
      if (target.status !== 'pending')
        return refusal('already_answered', `le service « ${action.departmentId} » a déjà rendu son avis`, 409);
      if (action.verdict !== 'favourable' && action.verdict !== 'unfavourable' && action.verdict !== 'reserved')
        return refusal('text_required', 'avis attendu : favourable, unfavourable ou reserved', 422, 'verdict');
      if (blank(action.comment)) return refusal('comment_required', 'un avis doit être rédigé (commentaire obligatoire)', 422, 'comment');
      const capacity = resolveCapacity(
        actor,
        now,
        (who) =>
          who.departmentIds.includes(action.departmentId) &&
          (!step.respondents || (step.respondents as readonly string[]).includes(who.role)),
        action.onBehalfOf,
      );
      if (!capacity)
        return refusal(
          actor.departmentIds.includes(action.departmentId) ? 'forbidden_role' : 'forbidden_department',
          `seul un membre du service « ${action.departmentId} »${step.respondents ? ` (${step.respondents.join(', ')})` : ''} peut rendre cet avis`,
          403,
        );
      const given: OpinionState = {
        departmentId: target.departmentId,
        status: 'given',
        by: actor.id,
        verdict: action.verdict,
        comment: action.comment,
        at: now,
      };
      if (capacity.onBehalfOf !== undefined) given.onBehalfOf = capacity.onBehalfOf;
      const next = { ...state, current: { ...state.current, opinions: opinions.map((o) => (o === target ? given : o)) } };
      if (next.current.opinions.some((o) => o.status === 'pending')) return done(next, capacity, action.comment);
      return done(advance(definition, next, 'completed', null, now, ticket, effects, entered), capacity, action.comment);
    }
    case 'opinion_timeout': {
      const r =
        systemOnly() ??
        (step.kind !== 'opinion'
          ? refusal('stale_timer', 'minuteur périmé : l’étape d’avis est terminée', 409)
          : staleTimer(action.timerKey, 'opinion_due'));
      if (r) return r;
      const opinions = (state.current.opinions ?? []).map((o): OpinionState =>
        o.status === 'pending' ? { ...o, status: 'expired', at: now } : o,
      );
      const next = { ...state, current: { ...state.current, opinions } };
      return done(advance(definition, next, 'timed_out', null, now, ticket, effects, entered, action.timerKey));
    }
    case 'citizen_replied':
      if (step.kind !== 'wait_for_citizen') return wrongStep(state, 'd’attente du citoyen');
      return done(advance(definition, state, 'replied', null, now, ticket, effects, entered), undefined, action.comment);
    case 'citizen_timeout': {
      const r =
        systemOnly() ??
        (step.kind !== 'wait_for_citizen'
          ? refusal('stale_timer', 'minuteur périmé : l’attente est terminée', 409)
          : staleTimer(action.timerKey, 'citizen_timeout'));
      if (r) return r;
      return done(advance(definition, state, 'timed_out', null, now, ticket, effects, entered, action.timerKey));
    }
    case 'sla_elapsed': {
      const r =
        systemOnly() ??
        (state.current.slaDueAt === undefined || state.current.slaBreached
          ? refusal('stale_timer', 'minuteur de délai périmé', 409)
          : staleTimer(action.timerKey, 'sla'));
      if (r) return r;
      const recipients: readonly Recipient[] = (step.kind !== 'end' && step.escalateTo) || [
        { kind: 'role', role: 'head', department: TICKET_DEPARTMENT },
      ];
      for (const rec of recipients) {
        const to = resolveTarget(rec, state, ticket);
        if (to !== null) effects.push({ type: 'notify', to, template: 'workflow.sla_elapsed', data: { stepId: state.current.stepId } });
      }
      return done({ ...state, current: { ...state.current, slaBreached: true } });
    }
    case 'cancel': {
      const spec: ActorSpec = definition.cancel ?? { roles: ['head', 'admin'] };
      const capacity = resolveCapacity(actor, now, (who) => matchesSpec(spec, who, ticket));
      if (!capacity)
        return refusal(
          'forbidden_role',
          `l’annulation est réservée aux rôles : ${spec.roles.join(', ')}${spec.departments ? ` (services ${spec.departments.join(', ')})` : ''}`,
          403,
        );
      if (blank(action.comment))
        return refusal('comment_required', 'une annulation doit être motivée (commentaire obligatoire)', 422, 'comment');
      leaveStep(state, effects);
      effects.push({ type: 'workflow_finished', status: 'cancelled' });
      return done({ ...state, status: 'cancelled', finishedAt: now }, capacity, action.comment);
    }
    default:
      return refusal('unknown_action', `action inconnue « ${(action as { type: string }).type} »`, 422, 'type');
  }
}

/** Action types `actor` could attempt now (a dry run with placeholder inputs; for the UI). */
export function availableActions(
  definition: WorkflowDefinition,
  state: WorkflowInstanceState,
  actor: Actor,
  now: string,
  ticket: TicketContext,
): WorkflowAction[] {
  if (state.status !== 'active') return [];
  const candidates: WorkflowAction[] = [];
  const c = state.current;
  const text = state.draft?.text ?? '…';
  if (c.kind === 'draft') candidates.push({ type: 'submit_draft', text });
  if (c.kind === 'approval') candidates.push({ type: 'approve' }, { type: 'edit_and_approve', text }, { type: 'reject', comment: '…' });
  if (c.kind === 'opinion')
    for (const o of c.opinions ?? [])
      if (o.status === 'pending')
        candidates.push({ type: 'give_opinion', departmentId: o.departmentId, verdict: 'favourable', comment: '…' });
  if (c.kind === 'wait_for_citizen') candidates.push({ type: 'citizen_replied' });
  if (actor.role === 'system') {
    if (c.kind === 'opinion') candidates.push({ type: 'opinion_timeout', timerKey: timerKey(state, c.visit, c.stepId, 'opinion_due') });
    if (c.kind === 'wait_for_citizen' && c.dueAt !== undefined)
      candidates.push({ type: 'citizen_timeout', timerKey: timerKey(state, c.visit, c.stepId, 'citizen_timeout') });
    if (c.slaDueAt !== undefined && !c.slaBreached)
      candidates.push({ type: 'sla_elapsed', timerKey: timerKey(state, c.visit, c.stepId, 'sla') });
  }
  candidates.push({ type: 'cancel', comment: '…' });
  return candidates.filter((a) => apply(definition, state, a, actor, now, ticket).ok);
}
