import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  apply,
  start,
  SYSTEM_ACTOR,
  type Actor as EngineActor,
  type ApplyResult,
  type PublishedDefinition,
  type WorkflowAction,
  type WorkflowEffect,
  type WorkflowInstanceState,
  type WorkflowRefusal,
} from '@grc/workflows';
import { priorityRank, type TicketDetail, type TicketWorkflowView, type TimelineEventKind, type WorkflowActionRequest } from '@grc/domain';
import { conflict, ProblemException } from '../../common/problem';
import { TicketEntity } from '../../database/entities';
import { AgentsRepository } from '../agents/agents.repository';
import { AuditService, auditActor } from '../audit/audit.service';
import { systemActor, type Actor, type AuthenticatedAgent } from '../auth/authenticated-agent';
import { TicketChangeHooks } from '../tickets/ticket-change.hooks';
import { TicketsService } from '../tickets/tickets.service';
import { CircuitsRepository } from './circuits.repository';
import { assertMayTake, CircuitScopes, type CircuitScope } from './circuit-scope';
import { CircuitViewPresenter } from './circuit-view.presenter';
import { DelegationsService } from './delegations.service';
import { WorkflowDefinitionsService } from './definitions.service';
import { WorkflowEffectsPort } from './workflow-effects.port';

interface NewEvent {
  kind: TimelineEventKind;
  body?: string | null;
  data?: Record<string, unknown>;
}
type Set = Partial<Record<keyof TicketEntity, unknown>>;

/** An engine refusal as a problem document: 403 not allowed, 409 wrong state, 422 missing input; the reason in words. */
export const refusalProblem = (r: WorkflowRefusal) =>
  new ProblemException(
    r.httpStatus,
    r.httpStatus === 403 ? 'Action refusée' : r.httpStatus === 409 ? 'Action impossible' : 'Requête incomplète',
    r.message.charAt(0).toUpperCase() + r.message.slice(1) + '.',
    [{ field: r.field ?? 'type', message: r.message, code: r.code }],
  );

const ACTIONS_OF_ENGINE = new Set(['submit_draft', 'approve', 'reject', 'edit_and_approve', 'give_opinion', 'citizen_replied', 'cancel']);

/**
 * A ticket's validation circuit, the orchestration: starts it, applies actions through
 * TicketsService.mutate (the ticket's row lock and version make the loser of two concurrent
 * approvals get a 409), turns the engine's history into timeline events and audit rows, carries out
 * its effects. Who may see and act: CircuitScopes; what they see: CircuitViewPresenter; the inbox:
 * CircuitInboxQuery; what may not go around the circuit: CircuitGuard.
 */
@Injectable()
export class TicketWorkflowsService implements OnModuleInit {
  constructor(
    private readonly tickets: TicketsService,
    private readonly hooks: TicketChangeHooks,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly delegations: DelegationsService,
    private readonly audit: AuditService,
    private readonly effectsPort: WorkflowEffectsPort,
    private readonly rows: CircuitsRepository,
    private readonly scopes: CircuitScopes,
    private readonly presenter: CircuitViewPresenter,
    private readonly agents: AgentsRepository,
  ) {}

  onModuleInit(): void {
    this.effectsPort.onTimer((m, ticketId, payload) => this.onTimer(m, ticketId, payload));
  }

  private engineActor(m: EntityManager, actor: Actor): Promise<EngineActor> {
    return actor.system ? Promise.resolve(SYSTEM_ACTOR) : this.delegations.engineActor(m, actor.agent);
  }

  /** The circuit's view holds the drafts (the citizen's name, their words): a read of personal data, audited. */
  async view(actor: Actor, ticketId: string): Promise<TicketWorkflowView> {
    const view = await this.presenter.view(await this.scopes.resolve(actor.agent, ticketId));
    await this.audit.recordRead(auditActor(actor), 'ticket.circuit.read', ticketId);
    return view;
  }

  /** The ticket as the circuit's participants see it (consulted departments included). */
  async ticketDetail(actor: Actor, ticketId: string): Promise<TicketDetail> {
    const detail = await this.presenter.ticket(await this.scopes.resolve(actor.agent, ticketId));
    await this.audit.recordRead(auditActor(actor), 'ticket.circuit.read', ticketId);
    return detail;
  }

  // ---------------------------------------------------------------- actions
  async act(actor: Actor, ticketId: string, req: WorkflowActionRequest): Promise<TicketWorkflowView> {
    const s: CircuitScope = await this.scopes.resolve(actor.agent, ticketId);
    assertMayTake(s, req.type);
    const scopedActor: Actor = { ...actor, agent: s.agent };
    await this.tickets.mutate(scopedActor, ticketId, req.version, (m, t) => this.decide(m, scopedActor, t, req), { returnUnscoped: true });
    return this.presenter.view(s);
  }

  /**
   * The citizen answered (tracking page, e-mail) while the circuit waits for them: the system takes
   * `citizen_replied` in the caller's transaction (CitizenAnswerListener, inside the inbound change).
   */
  async citizenAnswered(m: EntityManager, ticketId: string): Promise<void> {
    const actor = systemActor('workflows');
    await this.tickets.mutateIn(m, actor, ticketId, null, (mm, t) =>
      this.decide(mm, actor, t, { type: 'timer', action: { type: 'citizen_replied' } }),
    );
  }

  private toEngineAction(req: WorkflowActionRequest): WorkflowAction {
    const onBehalfOf = req.onBehalfOf ? { onBehalfOf: req.onBehalfOf } : {};
    switch (req.type) {
      case 'submit_draft':
        return { type: 'submit_draft', text: req.text ?? '', ...(req.comment ? { comment: req.comment } : {}) };
      case 'approve':
        return { type: 'approve', ...(req.comment ? { comment: req.comment } : {}), ...onBehalfOf };
      case 'reject':
        return { type: 'reject', comment: req.comment ?? '', ...onBehalfOf };
      case 'edit_and_approve':
        return { type: 'edit_and_approve', text: req.text ?? '', ...(req.comment ? { comment: req.comment } : {}), ...onBehalfOf };
      case 'give_opinion':
        return {
          type: 'give_opinion',
          departmentId: req.department ?? '',
          verdict: req.verdict ?? 'favourable',
          comment: req.comment ?? '',
          ...onBehalfOf,
        };
      case 'citizen_replied':
        return { type: 'citizen_replied', ...(req.comment ? { comment: req.comment } : {}) };
      case 'cancel':
        return { type: 'cancel', comment: req.comment ?? '' };
      default:
        throw new ProblemException(422, 'Requête incomplète', `Action inconnue « ${req.type} ».`, [
          { field: 'type', message: 'action inconnue', code: 'unknown_action' },
        ]);
    }
  }

  /** Runs inside TicketsService.mutate: the ticket row is locked and its version checked. */
  private async decide(
    m: EntityManager,
    actor: Actor,
    entity: TicketEntity,
    req: WorkflowActionRequest | { type: 'timer'; action: WorkflowAction },
  ) {
    const t = (await this.rows.ticket(m, entity.id))!;
    const who = await this.engineActor(m, actor);
    const now = new Date().toISOString();
    const row = await this.rows.instance(m, t.id);
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
      const ctx = await this.rows.context(m, t, def);
      before = row.state.history.length;
      result = ok(apply(def, row.state, req.action, who, now, ctx));
    } else if (!row || row.status !== 'active') {
      if (req.type !== 'start' && req.type !== 'submit_draft' && row)
        throw refusalProblem({
          ok: false,
          code: 'finished',
          httpStatus: 409,
          message: row.status === 'cancelled' ? 'le circuit a été annulé' : 'le circuit est terminé',
        });
      if (req.type !== 'start' && req.type !== 'submit_draft')
        throw new ProblemException(409, 'Action impossible', 'Aucun circuit de validation n’est en cours sur cette demande.', [
          { field: 'type', message: 'aucun circuit en cours', code: 'not_started' },
        ]);
      const bound = await this.definitions.boundFor(m, t.category_id, t.department_id);
      if (!bound)
        throw new ProblemException(
          409,
          'Action impossible',
          'Aucun circuit de validation n’est rattaché à cette demande : la réponse directe s’applique.',
          [{ field: 'type', message: 'aucun circuit rattaché', code: 'no_workflow' }],
        );
      def = await this.definitions.resolve(bound.code, bound.version, m);
      const ctx = await this.rows.context(m, t, def);
      if (req.type === 'submit_draft' && def.steps[def.initial]?.kind !== 'draft')
        throw new ProblemException(
          409,
          'Action impossible',
          `Le circuit « ${def.name} » commence par l’étape « ${def.steps[def.initial]?.label ?? def.initial} » : démarrez-le avant de rédiger.`,
          [{ field: 'type', message: 'démarrer le circuit d’abord', code: 'wrong_step' }],
        );
      const started = ok(start(def, ctx, who, now));
      result = { state: started.state, effects: [...started.effects] };
      if (req.type === 'submit_draft') {
        const r = ok(apply(def, result.state, this.toEngineAction(req), who, now, ctx));
        result = { state: r.state, effects: [...result.effects, ...r.effects] };
      }
    } else {
      if (req.type === 'start')
        throw new ProblemException(409, 'Action impossible', 'Un circuit de validation est déjà en cours sur cette demande.', [
          { field: 'type', message: 'circuit déjà en cours', code: 'already_started' },
        ]);
      if (!ACTIONS_OF_ENGINE.has(req.type)) this.toEngineAction(req);
      def = await this.definitions.resolve(row.definition_code, row.version, m);
      const ctx = await this.rows.context(m, t, def);
      before = row.state.history.length;
      result = ok(apply(def, row.state, this.toEngineAction(req), who, now, ctx));
    }
    const state = result.state;
    await this.rows.save(m, t.id, state);

    const entries = state.history.slice(before);
    const names = await this.rows.names(
      m,
      entries.flatMap((e) => (e.onBehalfOf ? [e.onBehalfOf] : [])),
    );
    const events: NewEvent[] = [];
    const set: Set = {};
    const base = { definitionCode: state.definitionId, version: state.version };
    for (const e of entries) {
      const common = {
        ...base,
        action: e.action.type,
        step: e.fromStepId,
        to: e.toStepId,
        toLabel: def.steps[e.toStepId]?.label ?? null,
        ...(e.fromStepId ? { stepLabel: def.steps[e.fromStepId]?.label ?? null } : {}),
        ...(e.onBehalfOf ? { onBehalfOf: e.onBehalfOf, onBehalfOfName: names.get(e.onBehalfOf) ?? null } : {}),
      };
      const a = e.action;
      if (a.type === 'start') events.push({ kind: 'workflow_started', data: { ...common, name: def.name } });
      else if (a.type === 'submit_draft')
        events.push({ kind: 'draft_submitted', body: e.comment ?? null, data: { ...common, text: a.text } });
      else if (a.type === 'give_opinion')
        events.push({
          kind: 'opinion_given',
          body: e.comment ?? null,
          data: { ...common, department: a.departmentId, verdict: a.verdict },
        });
      else
        events.push({
          kind: 'workflow_step',
          body: e.comment ?? null,
          data: { ...common, ...(a.type === 'edit_and_approve' ? { text: a.text } : {}) },
        });
      for (const id of e.entered) {
        const st = def.steps[id];
        if (st?.kind === 'opinion' && state.current.stepId === id)
          events.push({
            kind: 'opinion_requested',
            data: {
              ...base,
              step: id,
              stepLabel: st.label ?? null,
              departments: (state.current.opinions ?? []).map((o) => o.departmentId),
              dueAt: state.current.dueAt ?? null,
            },
          });
        // the citizen is asked (the e-mail listener sends the request for information with the tracking link)
        if (st?.kind === 'wait_for_citizen' && state.current.stepId === id && state.status === 'active')
          events.push({
            kind: 'information_requested',
            data: {
              ...base,
              step: id,
              stepLabel: st.label ?? null,
              template: st.template ?? 'workflow.waiting_citizen',
              dueAt: state.current.dueAt ?? null,
            },
          });
      }
    }
    // waiting for the citizen is the ticket's status too (its SLA clocks pause); leaving the wait resumes it
    const waitsNow = state.status === 'active' && state.current.kind === 'wait_for_citizen';
    if (waitsNow && (entity.status === 'new' || entity.status === 'open') && events.some((e) => e.kind === 'information_requested')) {
      set.status = 'waiting_citizen';
      events.push({ kind: 'status_changed', data: { from: entity.status, to: 'waiting_citizen', reason: 'workflow_wait_for_citizen' } });
    } else if (
      !waitsNow &&
      entity.status === 'waiting_citizen' &&
      entries.some((e) => def.steps[e.fromStepId ?? '']?.kind === 'wait_for_citizen')
    ) {
      set.status = 'open';
      events.push({ kind: 'status_changed', data: { from: 'waiting_citizen', to: 'open', reason: 'workflow_citizen_replied' } });
    }
    const notified: WorkflowEffect[] = [];
    for (const fx of result.effects) {
      switch (fx.type) {
        case 'send_reply':
          events.push({
            kind: 'reply',
            body: fx.text,
            data: { ...base, viaWorkflow: true, sent: true, revision: fx.revision, authorId: fx.authorId },
          });
          if (t.status === 'new' && set.status === undefined) {
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
            if ((await this.agents.find(fx.to.agentId, m))?.active) {
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
    const stepEvent = [...events]
      .reverse()
      .find((e) => e.kind !== 'reply' && e.kind !== 'status_changed' && e.kind !== 'priority_changed' && e.kind !== 'assigned');
    if (stepEvent && notified.length)
      stepEvent.data = {
        ...stepEvent.data,
        notified: notified.map((n) => (n.type === 'notify' ? { to: n.to, template: n.template } : null)),
      };

    // the circuit's own events: CircuitGuard lets them through (everything else is refused while it runs)
    for (const e of events) e.data = { ...e.data, viaWorkflow: true };

    const last = entries.at(-1);
    await this.audit.record(m, auditActor(actor), `workflow.${req.type === 'timer' ? req.action.type : req.type}`, 'ticket', t.id, {
      workflow: { before: null, after: `${state.definitionId} v${state.version}` },
      step: { before: entries[0]?.fromStepId ?? null, after: state.current.stepId },
      ...(last?.onBehalfOf ? { onBehalfOf: { before: null, after: last.onBehalfOf } } : {}),
      ...(entries.some((e) => e.comment)
        ? {
            comment: {
              before: null,
              after: entries
                .map((e) => e.comment)
                .filter(Boolean)
                .join('\n'),
            },
          }
        : {}),
      ...(state.status !== 'active' ? { status: { before: 'active', after: state.status } } : {}),
    });
    return { set, events, action: 'ticket.workflow' };
  }

  /**
   * A timer of the circuit fired: the system applies the timeout through TicketsService.mutateIn,
   * inside the timers module's transaction, like an agent's action (lock, events, hooks, audit).
   */
  private async onTimer(m: EntityManager, ticketId: string, payload: { timerKey: string; kind: string }): Promise<void> {
    const type =
      payload.kind === 'opinion_due' ? 'opinion_timeout' : payload.kind === 'citizen_timeout' ? 'citizen_timeout' : 'sla_elapsed';
    const action = { type, timerKey: payload.timerKey } as WorkflowAction;
    const actor = systemActor('workflows');
    if (!(await this.rows.ticketExists(m, ticketId))) return;
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
}
