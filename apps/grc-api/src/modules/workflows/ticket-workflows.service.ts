import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  apply, availableActions, start, SYSTEM_ACTOR,
  type Actor as EngineActor, type ApplyResult, type HistoryEntry, type PublishedDefinition, type TicketContext,
  type WorkflowAction, type WorkflowEffect, type WorkflowInstanceState, type WorkflowRefusal,
} from '@grc/workflows';
import {
  priorityFromRank, priorityRank, type AvailableWorkflowAction, type TicketDetail, type TicketWorkflowView,
  type TimelineEventKind, type WorkflowActionRequest, type WorkflowInbox, type WorkflowInboxItem, type WorkflowPerson,
} from '@grc/domain';
import { conflict, notFound, ProblemException } from '../../common/problem';
import { TicketEntity } from '../../database/entities';
import { AuditService, auditActor } from '../audit/audit.service';
import { systemActor, type Actor, type AuthenticatedAgent } from '../auth/authenticated-agent';
import { canSeeDepartment } from '../tickets/ticket-access';
import { TicketChangeHooks, type TicketChange, type TicketChangeListener } from '../tickets/ticket-change.hooks';
import { TicketsService } from '../tickets/tickets.service';
import { DelegationsService } from './delegations.service';
import { diagramOf } from './definition-source';
import { WorkflowDefinitionsService } from './definitions.service';
import { WorkflowEffectsPort } from './workflow-effects.port';

interface NewEvent { kind: TimelineEventKind; body?: string | null; data?: Record<string, unknown> }
type Set = Partial<Record<keyof TicketEntity, unknown>>;

interface InstanceRow { ticket_id: string; definition_code: string; version: number; state: WorkflowInstanceState; status: string }
interface TicketRow {
  id: string; version: number; department_id: string; department_code: string; department_name: string; category_id: string;
  category_code: string; priority: number; channel: string; status: string; assignee_id: string | null; reference: string; subject: string;
}

/** An engine refusal as a problem document: 403 not allowed, 409 wrong state, 422 missing input; the reason in words. */
export const refusalProblem = (r: WorkflowRefusal) =>
  new ProblemException(r.httpStatus, r.httpStatus === 403 ? 'Action refusée' : r.httpStatus === 409 ? 'Action impossible' : 'Requête incomplète',
    r.message.charAt(0).toUpperCase() + r.message.slice(1) + '.', [{ field: r.field ?? 'type', message: r.message, code: r.code }]);

const ACTIONS_OF_ENGINE = new Set(['submit_draft', 'approve', 'reject', 'edit_and_approve', 'give_opinion', 'citizen_replied', 'cancel']);

/**
 * A ticket's validation circuit: starts it, applies actions through TicketsService.mutate (the
 * ticket's row lock and version make the loser of two concurrent approvals get a 409), turns the
 * engine's history into timeline events and audit rows, carries out its effects, and answers the
 * "awaiting my validation" inbox.
 */
@Injectable()
export class TicketWorkflowsService implements OnModuleInit, TicketChangeListener {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tickets: TicketsService,
    private readonly hooks: TicketChangeHooks,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly delegations: DelegationsService,
    private readonly audit: AuditService,
    private readonly effectsPort: WorkflowEffectsPort,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
    this.effectsPort.onTimer((m, ticketId, payload) => this.onTimer(m, ticketId, payload));
  }

  /** Direct public replies are for tickets without a circuit: with one, the reply goes through validation. */
  async onTicketChanged(m: EntityManager, change: TicketChange): Promise<void> {
    if (!change.events.some((e) => e.kind === 'reply' && !(e.data && e.data['viaWorkflow']))) return;
    const [active] = await m.query(`SELECT definition_code FROM ticket_workflows WHERE ticket_id = $1 AND status = 'active'`, [change.ticketId]);
    const bound = active ? { code: active.definition_code as string } : await this.definitions.boundFor(m, change.after.categoryId, change.after.departmentId);
    if (bound) {
      throw new ProblemException(409, 'Action impossible',
        `Cette demande suit le circuit de validation « ${bound.code} » : rédigez un projet de réponse, il sera envoyé une fois validé.`,
        [{ field: 'kind', message: 'réponse directe désactivée : circuit de validation', code: 'workflow_required' }]);
    }
  }

  // ---------------------------------------------------------------- context
  private async ticket(m: EntityManager, id: string): Promise<TicketRow | undefined> {
    const [t] = await m.query(
      `SELECT t.id, t.version, t.department_id, d.code AS department_code, d.name AS department_name, t.category_id, c.code AS category_code,
         t.priority, t.channel, t.status, t.assignee_id, t.reference, t.subject
       FROM tickets t JOIN departments d ON d.id = t.department_id JOIN categories c ON c.id = t.category_id WHERE t.id = $1`, [id]);
    return t;
  }

  private context(t: TicketRow): TicketContext {
    return {
      ticketId: t.id, departmentId: t.department_code,
      fields: { category: t.category_code, priority: priorityFromRank(t.priority), channel: t.channel, status: t.status, department: t.department_code },
    };
  }

  private async instance(m: EntityManager, ticketId: string): Promise<InstanceRow | undefined> {
    const [r] = await m.query(`SELECT ticket_id, definition_code, version, state, status FROM ticket_workflows WHERE ticket_id = $1`, [ticketId]);
    return r;
  }

  private engineActor(m: EntityManager, actor: Actor): Promise<EngineActor> {
    return actor.system ? Promise.resolve(SYSTEM_ACTOR) : this.delegations.engineActor(m, actor.agent);
  }

  /** Whether the agent takes part in the ticket's circuit: may act now, or acted before (then sees the ticket). */
  private involved(def: PublishedDefinition, state: WorkflowInstanceState, who: EngineActor, ctx: TicketContext, now: string): boolean {
    if (state.history.some((h) => h.actor.id === who.id || h.onBehalfOf === who.id)) return true;
    return availableActions(def, state, who, now, ctx).some((a) => a.type !== 'cancel');
  }

  /** The agent, able to see the ticket when the circuit involves them (consulted department, approver, delegate). */
  private async scoped(agent: AuthenticatedAgent, ticketId: string): Promise<{ agent: AuthenticatedAgent; ticket: TicketRow }> {
    const t = await this.ticket(this.db.manager, ticketId);
    if (!t) throw notFound('Demande');
    if (canSeeDepartment(agent, t.department_id)) return { agent, ticket: t };
    const row = await this.instance(this.db.manager, ticketId);
    if (row) {
      const def = await this.definitions.resolve(row.definition_code, row.version);
      const who = await this.delegations.engineActor(this.db.manager, agent);
      if (this.involved(def, row.state, who, this.context(t), new Date().toISOString()))
        return { agent: { ...agent, visibleDepartmentIds: [...agent.visibleDepartmentIds, t.department_id] }, ticket: t };
    }
    throw notFound('Demande');
  }

  /** The ticket as the circuit's participants see it (consulted departments included). */
  async ticketDetail(agent: AuthenticatedAgent, ticketId: string): Promise<TicketDetail> {
    const s = await this.scoped(agent, ticketId);
    return this.tickets.detail(s.agent, ticketId);
  }

  // ---------------------------------------------------------------- actions
  async act(actor: Actor, ticketId: string, req: WorkflowActionRequest): Promise<TicketWorkflowView> {
    const s = actor.system ? { agent: actor.agent } : await this.scoped(actor.agent, ticketId);
    const scopedActor: Actor = { ...actor, agent: s.agent };
    await this.tickets.mutate(scopedActor, ticketId, req.version, (m, t) => this.decide(m, scopedActor, t, req), { returnUnscoped: true });
    return this.view(s.agent, ticketId, true);
  }

  private toEngineAction(req: WorkflowActionRequest): WorkflowAction {
    const onBehalfOf = req.onBehalfOf ? { onBehalfOf: req.onBehalfOf } : {};
    switch (req.type) {
      case 'submit_draft': return { type: 'submit_draft', text: req.text ?? '', ...(req.comment ? { comment: req.comment } : {}) };
      case 'approve': return { type: 'approve', ...(req.comment ? { comment: req.comment } : {}), ...onBehalfOf };
      case 'reject': return { type: 'reject', comment: req.comment ?? '', ...onBehalfOf };
      case 'edit_and_approve': return { type: 'edit_and_approve', text: req.text ?? '', ...(req.comment ? { comment: req.comment } : {}), ...onBehalfOf };
      case 'give_opinion': return { type: 'give_opinion', departmentId: req.department ?? '', verdict: req.verdict ?? 'favourable', comment: req.comment ?? '', ...onBehalfOf };
      case 'citizen_replied': return { type: 'citizen_replied', ...(req.comment ? { comment: req.comment } : {}) };
      case 'cancel': return { type: 'cancel', comment: req.comment ?? '' };
      default: throw new ProblemException(422, 'Requête incomplète', `Action inconnue « ${req.type} ».`, [{ field: 'type', message: 'action inconnue', code: 'unknown_action' }]);
    }
  }

  /** Runs inside TicketsService.mutate: the ticket row is locked and its version checked. */
  private async decide(m: EntityManager, actor: Actor, entity: TicketEntity, req: WorkflowActionRequest | { type: 'timer'; action: WorkflowAction }) {
    const t = (await this.ticket(m, entity.id))!;
    const ctx = this.context(t);
    const who = await this.engineActor(m, actor);
    const now = new Date().toISOString();
    const row = await this.instance(m, t.id);
    let def: PublishedDefinition;
    let result: { state: WorkflowInstanceState; effects: WorkflowEffect[] };
    let before = 0;
    const ok = (r: ApplyResult) => {
      if (!r.ok) throw refusalProblem(r);
      return r;
    };
    if (req.type === 'timer') {
      if (!row || row.status !== 'active') throw conflict('Circuit terminé.');
      def = await this.definitions.resolve(row.definition_code, row.version, m);
      before = row.state.history.length;
      result = ok(apply(def, row.state, req.action, who, now, ctx));
    } else if (!row || row.status !== 'active') {
      if (req.type !== 'start' && req.type !== 'submit_draft' && row)
        throw refusalProblem({ ok: false, code: 'finished', httpStatus: 409, message: row.status === 'cancelled' ? 'le circuit a été annulé' : 'le circuit est terminé' });
      if (req.type !== 'start' && req.type !== 'submit_draft')
        throw new ProblemException(409, 'Action impossible', 'Aucun circuit de validation n’est en cours sur cette demande.', [{ field: 'type', message: 'aucun circuit en cours', code: 'not_started' }]);
      const bound = await this.definitions.boundFor(m, t.category_id, t.department_id);
      if (!bound)
        throw new ProblemException(409, 'Action impossible', 'Aucun circuit de validation n’est rattaché à cette demande : la réponse directe s’applique.', [{ field: 'type', message: 'aucun circuit rattaché', code: 'no_workflow' }]);
      def = await this.definitions.resolve(bound.code, bound.version, m);
      if (req.type === 'submit_draft' && def.steps[def.initial]?.kind !== 'draft')
        throw new ProblemException(409, 'Action impossible', `Le circuit « ${def.name} » commence par l’étape « ${def.steps[def.initial]?.label ?? def.initial} » : démarrez-le avant de rédiger.`, [{ field: 'type', message: 'démarrer le circuit d’abord', code: 'wrong_step' }]);
      const started = ok(start(def, ctx, who, now));
      result = { state: started.state, effects: [...started.effects] };
      if (req.type === 'submit_draft') {
        const r = ok(apply(def, result.state, this.toEngineAction(req), who, now, ctx));
        result = { state: r.state, effects: [...result.effects, ...r.effects] };
      }
    } else {
      if (req.type === 'start')
        throw new ProblemException(409, 'Action impossible', 'Un circuit de validation est déjà en cours sur cette demande.', [{ field: 'type', message: 'circuit déjà en cours', code: 'already_started' }]);
      if (!ACTIONS_OF_ENGINE.has(req.type)) this.toEngineAction(req);
      def = await this.definitions.resolve(row.definition_code, row.version, m);
      before = row.state.history.length;
      result = ok(apply(def, row.state, this.toEngineAction(req), who, now, ctx));
    }
    const state = result.state;
    await m.query(
      `INSERT INTO ticket_workflows (ticket_id, definition_code, version, state, status, step_id, step_kind, started_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (ticket_id) DO UPDATE SET definition_code = EXCLUDED.definition_code, version = EXCLUDED.version, state = EXCLUDED.state,
         status = EXCLUDED.status, step_id = EXCLUDED.step_id, step_kind = EXCLUDED.step_kind, started_at = EXCLUDED.started_at, updated_at = now()`,
      [t.id, state.definitionId, state.version, JSON.stringify(state), state.status, state.current.stepId, state.current.kind, state.startedAt]);

    const entries = state.history.slice(before);
    const names = await this.names(m, entries.flatMap((e) => (e.onBehalfOf ? [e.onBehalfOf] : [])));
    const events: NewEvent[] = [];
    const set: Set = {};
    const base = { definitionCode: state.definitionId, version: state.version };
    for (const e of entries) {
      const common = {
        ...base, action: e.action.type, step: e.fromStepId, to: e.toStepId, toLabel: def.steps[e.toStepId]?.label ?? null,
        ...(e.fromStepId ? { stepLabel: def.steps[e.fromStepId]?.label ?? null } : {}),
        ...(e.onBehalfOf ? { onBehalfOf: e.onBehalfOf, onBehalfOfName: names.get(e.onBehalfOf) ?? null } : {}),
      };
      const a = e.action;
      if (a.type === 'start') events.push({ kind: 'workflow_started', data: { ...common, name: def.name } });
      else if (a.type === 'submit_draft') events.push({ kind: 'draft_submitted', body: e.comment ?? null, data: { ...common, text: a.text } });
      else if (a.type === 'give_opinion') events.push({ kind: 'opinion_given', body: e.comment ?? null, data: { ...common, department: a.departmentId, verdict: a.verdict } });
      else events.push({ kind: 'workflow_step', body: e.comment ?? null, data: { ...common, ...(a.type === 'edit_and_approve' ? { text: a.text } : {}) } });
      for (const id of e.entered) {
        const st = def.steps[id];
        if (st?.kind === 'opinion' && state.current.stepId === id)
          events.push({ kind: 'opinion_requested', data: { ...base, step: id, stepLabel: st.label ?? null, departments: (state.current.opinions ?? []).map((o) => o.departmentId), dueAt: state.current.dueAt ?? null } });
      }
    }
    const notified: WorkflowEffect[] = [];
    for (const fx of result.effects) {
      switch (fx.type) {
        case 'send_reply':
          events.push({ kind: 'reply', body: fx.text, data: { ...base, viaWorkflow: true, sent: true, revision: fx.revision, authorId: fx.authorId } });
          if (t.status === 'new') {
            set.status = 'open';
            events.push({ kind: 'status_changed', data: { from: 'new', to: 'open' } });
          }
          break;
        case 'workflow_finished':
          events.push({ kind: 'workflow_finished', data: { ...base, status: fx.status, outcome: fx.outcome ?? null } });
          break;
        case 'set_priority':
          if (priorityRank(fx.priority) !== entity.priority) {
            set.priority = priorityRank(fx.priority);
            events.push({ kind: 'priority_changed', data: { from: entity.priority, to: set.priority } });
          }
          break;
        case 'assign':
          if (fx.to.kind === 'agent' && fx.to.agentId !== (set.assigneeId ?? entity.assigneeId)) {
            const [a] = await m.query(`SELECT 1 FROM agents WHERE id = $1 AND active`, [fx.to.agentId]);
            if (a) {
              events.push({ kind: 'assigned', data: { from: set.assigneeId ?? entity.assigneeId, to: fx.to.agentId } });
              set.assigneeId = fx.to.agentId;
            }
          }
          break;
        case 'notify':
          notified.push(fx);
          break;
        case 'schedule_timer':
        case 'cancel_timer':
          break;
      }
    }
    await this.effectsPort.apply(m, t.id, result.effects);
    // notifications go to the people concerned through the notifications port; the timeline keeps who was told
    const stepEvent = [...events].reverse().find((e) => e.kind !== 'reply' && e.kind !== 'status_changed' && e.kind !== 'priority_changed' && e.kind !== 'assigned');
    if (stepEvent && notified.length) stepEvent.data = { ...stepEvent.data, notified: notified.map((n) => (n.type === 'notify' ? { to: n.to, template: n.template } : null)) };

    const last = entries.at(-1);
    await this.audit.record(m, auditActor(actor), `workflow.${req.type === 'timer' ? req.action.type : req.type}`, 'ticket', t.id, {
      workflow: { before: null, after: `${state.definitionId} v${state.version}` },
      step: { before: entries[0]?.fromStepId ?? null, after: state.current.stepId },
      ...(last?.onBehalfOf ? { onBehalfOf: { before: null, after: last.onBehalfOf } } : {}),
      ...(entries.some((e) => e.comment) ? { comment: { before: null, after: entries.map((e) => e.comment).filter(Boolean).join('\n') } } : {}),
      ...(state.status !== 'active' ? { status: { before: 'active', after: state.status } } : {}),
    });
    return { set, events, action: 'ticket.workflow' };
  }

  /**
   * A timer of the circuit fired: the system applies the timeout through TicketsService.mutateIn,
   * inside the timers module's transaction, like an agent's action (lock, events, hooks, audit).
   */
  private async onTimer(m: EntityManager, ticketId: string, payload: { timerKey: string; kind: string }): Promise<void> {
    const type = payload.kind === 'opinion_due' ? 'opinion_timeout' : payload.kind === 'citizen_timeout' ? 'citizen_timeout' : 'sla_elapsed';
    const action = { type, timerKey: payload.timerKey } as WorkflowAction;
    const actor = systemActor('workflows');
    const [exists] = await m.query(`SELECT 1 FROM tickets WHERE id = $1`, [ticketId]);
    if (!exists) return;
    await this.tickets.mutateIn(m, actor, ticketId, null, async (mm, t) => {
      try {
        return await this.decide(mm, actor, t, { type: 'timer', action });
      } catch (e) {
        // a stale timer (the step changed meanwhile) or a finished circuit: nothing to do
        if (e instanceof ProblemException && e.getStatus() === 409) return null;
        throw e;
      }
    });
  }

  private deptCache: { at: number; names: Map<string, string> } | null = null;
  /** Department names by code, kept 30 s (renames show up within that delay). */
  private async departmentNames(m: EntityManager): Promise<Map<string, string>> {
    if (this.deptCache && Date.now() - this.deptCache.at < 30_000) return this.deptCache.names;
    const names = new Map<string, string>((await m.query(`SELECT code, name FROM departments`)).map((d: { code: string; name: string }) => [d.code, d.name]));
    this.deptCache = { at: Date.now(), names };
    return names;
  }

  private async names(m: EntityManager, ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids.filter((id) => id && id !== 'system'))];
    if (!unique.length) return new Map();
    const rows: Array<{ id: string; display_name: string }> = await m.query(`SELECT id, display_name FROM agents WHERE id = ANY($1::uuid[])`, [unique]);
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }

  // ---------------------------------------------------------------- views
  async view(agent: AuthenticatedAgent, ticketId: string, alreadyScoped = false): Promise<TicketWorkflowView> {
    const t = alreadyScoped ? await this.ticket(this.db.manager, ticketId) : (await this.scoped(agent, ticketId)).ticket;
    if (!t) throw notFound('Demande');
    const m = this.db.manager;
    const ctx = this.context(t);
    const now = new Date().toISOString();
    const [bound, row, who] = await Promise.all([
      this.definitions.boundFor(m, t.category_id, t.department_id), this.instance(m, ticketId), this.delegations.engineActor(m, agent),
    ]);
    const boundDef = bound ? await this.definitions.resolve(bound.code, bound.version, m) : null;
    const actions: AvailableWorkflowAction[] = [];
    let instance: TicketWorkflowView['instance'] = null;
    const canStart = (!row || row.status !== 'active') && boundDef && canSeeDepartment(agent, t.department_id) && agent.role !== 'elected';
    if (canStart) {
      const started = start(boundDef, ctx, who, now);
      if (started.ok && boundDef.steps[boundDef.initial]?.kind === 'draft') {
        if (apply(boundDef, started.state, { type: 'submit_draft', text: '…' }, who, now, ctx).ok) actions.push({ type: 'submit_draft' });
      } else if (started.ok) actions.push({ type: 'start' });
    }
    if (row) {
      const def = await this.definitions.resolve(row.definition_code, row.version, m);
      const st = row.state;
      const ids = [
        ...st.history.flatMap((h) => [h.actor.id, h.onBehalfOf ?? '']),
        ...(st.current.approvals ?? []).flatMap((a) => [a.approvedBy ?? '', a.onBehalfOf ?? '', a.agentId ?? '']),
        ...(st.current.opinions ?? []).flatMap((o) => [o.by ?? '', o.onBehalfOf ?? '']),
        ...(st.draft ? [st.draft.authorId, st.draft.editedBy ?? ''] : []),
        ...(who.delegations ?? []).map((dl) => dl.fromAgentId),
      ].filter((id) => /^[0-9a-f-]{36}$/.test(id));
      const names = await this.names(m, ids);
      const person = (id: string | undefined): WorkflowPerson | null => (id ? { id, displayName: id === 'system' ? 'Système' : names.get(id) ?? id } : null);
      const deptNames = await this.departmentNames(m);
      const revisions: NonNullable<TicketWorkflowView['instance']>['revisions'] = [];
      let rev = 0;
      for (const h of st.history) {
        if (h.action.type === 'start') rev = 0;
        if (h.action.type === 'submit_draft' || h.action.type === 'edit_and_approve')
          revisions.push({ revision: ++rev, text: h.action.text, author: person(h.actor.id), at: h.at, action: h.action.type });
      }
      const late = (due: string | undefined) => due !== undefined && due < now;
      instance = {
        definitionCode: row.definition_code, name: def.name, version: row.version, status: st.status, outcome: st.outcome ?? null,
        startedAt: st.startedAt, finishedAt: st.finishedAt ?? null,
        current: {
          stepId: st.current.stepId, label: def.steps[st.current.stepId]?.label ?? null, kind: st.current.kind, enteredAt: st.current.enteredAt,
          dueAt: st.current.dueAt ?? null, slaDueAt: st.current.slaDueAt ?? null, slaBreached: st.current.slaBreached === true,
          approvals: st.status !== 'active' ? [] : (st.current.approvals ?? []).map((a) => ({
            expected: a.agentId ? (names.get(a.agentId) ?? a.agentId) : `${roleFr(a.role)}${a.departmentId ? ` — ${deptNames.get(a.departmentId) ?? a.departmentId}` : ''}`,
            approvedBy: person(a.approvedBy), onBehalfOf: person(a.onBehalfOf), at: a.at ?? null,
          })),
          opinions: (st.current.opinions ?? lastOpinions(st)).map((o) => ({
            department: { code: o.departmentId, name: deptNames.get(o.departmentId) ?? o.departmentId },
            status: o.status, verdict: o.verdict ?? null, comment: o.comment ?? null, by: person(o.by), onBehalfOf: person(o.onBehalfOf),
            at: o.at ?? null, late: o.status === 'expired' || (o.status === 'pending' && late(st.current.dueAt)),
          })),
        },
        draft: st.draft ? { text: st.draft.text, revision: st.draft.revision, author: person(st.draft.authorId), editedBy: person(st.draft.editedBy) } : null,
        revisions,
        history: st.history.map((h) => ({
          seq: h.seq, at: h.at, action: h.action.type, actor: person(h.actor.id), onBehalfOf: person(h.onBehalfOf), comment: h.comment ?? null,
          fromStep: h.fromStepId, toStep: h.toStepId, version: h.version,
        })),
        diagram: diagramOf(def),
      };
      if (st.status === 'active') {
        for (const a of availableActions(def, st, who, now, ctx)) {
          const r = apply(def, st, a, who, now, ctx);
          const by = r.ok ? r.state.history.at(-1)?.onBehalfOf : undefined;
          actions.push({
            type: a.type as AvailableWorkflowAction['type'],
            ...(a.type === 'give_opinion' ? { department: a.departmentId } : {}),
            ...(by ? { onBehalfOf: person(by)! } : {}),
          });
        }
      }
    }
    return {
      ticketId, ticketVersion: t.version,
      bound: bound && boundDef ? { code: bound.code, name: bound.name, version: bound.version, initialKind: boundDef.steps[boundDef.initial]?.kind ?? 'draft' } : null,
      instance, actions,
    };
  }

  /** Tickets waiting for the agent (or a colleague they stand in for): approvals, opinions, drafts sent back to them. */
  async inbox(agent: AuthenticatedAgent): Promise<WorkflowInbox> {
    const m = this.db.manager;
    const who = await this.delegations.engineActor(m, agent);
    const now = new Date().toISOString();
    const rows: Array<InstanceRow & TicketRow & { tv: number }> = await m.query(
      `SELECT tw.ticket_id, tw.definition_code, tw.version, tw.state, tw.status,
         t.id, t.version AS tv, t.department_id, d.code AS department_code, d.name AS department_name, t.category_id, c.code AS category_code,
         t.priority, t.channel, t.status, t.assignee_id, t.reference, t.subject
       FROM ticket_workflows tw JOIN tickets t ON t.id = tw.ticket_id JOIN departments d ON d.id = t.department_id JOIN categories c ON c.id = t.category_id
       WHERE tw.status = 'active' AND tw.step_kind IN ('approval', 'opinion', 'draft')
       ORDER BY tw.updated_at`);
    const identities = [{ id: agent.id, role: agent.role as string, depts: who.departmentIds }, ...(who.delegations ?? [])
      .filter((d) => d.from <= now && now < d.to).map((d) => ({ id: d.fromAgentId, role: d.fromRole as string, depts: d.fromDepartmentIds }))];
    const names = await this.names(m, identities.map((i) => i.id));
    const items: WorkflowInboxItem[] = [];
    for (const r of rows) {
      const st = r.state;
      const c = st.current;
      // cheap filter before asking the engine
      if (c.kind === 'draft' && st.draft?.authorId !== agent.id) continue;
      if (c.kind === 'approval' && !(c.approvals ?? []).some((s) => !s.approvedBy && identities.some((i) => (s.agentId ? s.agentId === i.id : s.role === i.role)))) continue;
      if (c.kind === 'opinion' && !(c.opinions ?? []).some((o) => o.status === 'pending' && identities.some((i) => i.depts.includes(o.departmentId)))) continue;
      const def = await this.definitions.resolve(r.definition_code, r.version, m);
      const ctx = this.context({ ...r, version: r.tv });
      const acts = availableActions(def, st, who, now, ctx).filter((a) => a.type !== 'cancel');
      const due = c.kind === 'opinion' ? c.dueAt : c.slaDueAt;
      const base = {
        ticketId: r.ticket_id, reference: r.reference, subject: r.subject, department: { code: r.department_code, name: r.department_name },
        definitionCode: r.definition_code, version: r.version, stepId: c.stepId, stepLabel: def.steps[c.stepId]?.label ?? null,
        enteredAt: c.enteredAt, dueAt: due ?? null, late: due !== undefined && due < now, visible: canSeeDepartment(agent, r.department_id),
      };
      const behalf = (a: WorkflowAction): WorkflowPerson | null => {
        const res = apply(def, st, a, who, now, ctx);
        const b = res.ok ? res.state.history.at(-1)?.onBehalfOf : undefined;
        return b ? { id: b, displayName: names.get(b) ?? b } : null;
      };
      const approve = acts.find((a) => a.type === 'approve' || a.type === 'reject');
      if (c.kind === 'approval' && approve) items.push({ ...base, reason: 'approval', onBehalfOf: behalf(approve) });
      for (const a of acts) if (a.type === 'give_opinion') items.push({ ...base, reason: 'opinion', opinionDepartment: a.departmentId, onBehalfOf: behalf(a) });
      if (c.kind === 'draft' && acts.some((a) => a.type === 'submit_draft')) items.push({ ...base, reason: 'draft', onBehalfOf: null });
    }
    return {
      items,
      counts: {
        total: items.length, approvals: items.filter((i) => i.reason === 'approval').length, opinions: items.filter((i) => i.reason === 'opinion').length,
        drafts: items.filter((i) => i.reason === 'draft').length, late: items.filter((i) => i.late).length,
      },
    };
  }
}

const ROLE_FR: Record<string, string> = { agent: 'Agent', head: 'Responsable', admin: 'Administrateur', elected: 'Élu' };
const roleFr = (r: string | undefined) => (r ? ROLE_FR[r] ?? r : '');

/** After the circuit left an opinion step, its answers are still shown (from the history). */
function lastOpinions(st: WorkflowInstanceState) {
  const out = new Map<string, { departmentId: string; status: 'given'; by?: string; onBehalfOf?: string; verdict?: 'favourable' | 'unfavourable' | 'reserved'; comment?: string; at?: string }>();
  for (const h of st.history as HistoryEntry[]) {
    if (h.action.type === 'give_opinion') {
      out.set(h.action.departmentId, {
        departmentId: h.action.departmentId, status: 'given', by: h.actor.id, verdict: h.action.verdict, comment: h.action.comment, at: h.at,
        ...(h.onBehalfOf ? { onBehalfOf: h.onBehalfOf } : {}),
      });
    }
  }
  return [...out.values()];
}
