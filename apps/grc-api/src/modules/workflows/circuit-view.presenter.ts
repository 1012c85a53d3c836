import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { apply, availableActions, start, type HistoryEntry, type WorkflowInstanceState } from '@grc/workflows';
import type { AvailableWorkflowAction, TicketDetail, TicketWorkflowView, WorkflowPerson } from '@grc/domain';
import { TicketsService } from '../tickets/tickets.service';
import { CircuitsRepository } from './circuits.repository';
import { PARTICIPANT_ACTIONS, type CircuitScope } from './circuit-scope';
import { diagramOf } from './definition-source';
import { DelegationsService } from './delegations.service';
import { WorkflowDefinitionsService } from './definitions.service';

/** What a participant of another department reads of the ticket: the request itself, not its handling. */
const PARTICIPANT_TIMELINE = new Set(['created', 'inbound', 'attachment_added', 'opinion_requested', 'opinion_given']);

/**
 * A ticket's circuit as the caller sees it: the ticket's department sees it whole with the actions
 * the engine offers them; a participant of another department sees the step, their own department's
 * opinion, the draft only when they are to approve it, no one else's comments, and only the actions
 * that are theirs (opinion, approval). A finished circuit says so (`finished`: how, when, by whom, why).
 */
@Injectable()
export class CircuitViewPresenter {
  constructor(
    /** reads outside a transaction */
    @InjectEntityManager() private readonly reader: EntityManager,
    private readonly rows: CircuitsRepository,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly delegations: DelegationsService,
    private readonly tickets: TicketsService,
  ) {}

  /** The ticket as the circuit's participant sees it (consulted departments included). */
  async ticket(scope: CircuitScope): Promise<TicketDetail> {
    const detail = await this.tickets.detail(scope.agent, scope.ticket.id);
    if (scope.member) return detail;
    return { ...detail, citizen: null, timeline: detail.timeline.filter((e) => PARTICIPANT_TIMELINE.has(e.kind)) };
  }

  async view(scope: CircuitScope): Promise<TicketWorkflowView> {
    const { agent, member } = scope;
    const m = this.reader;
    const t = (await this.rows.ticket(m, scope.ticket.id))!;
    const ticketId = t.id;
    const now = new Date().toISOString();
    const [bound, row, who] = await Promise.all([
      this.definitions.boundFor(m, t.category_id, t.department_id),
      this.rows.instance(m, ticketId),
      this.delegations.engineActor(m, agent),
    ]);
    const boundDef = bound ? await this.definitions.resolve(bound.code, bound.version, m) : null;
    const actions: AvailableWorkflowAction[] = [];
    let instance: TicketWorkflowView['instance'] = null;
    const canStart = (!row || row.status !== 'active') && boundDef && member && agent.role !== 'elected';
    if (canStart) {
      const ctx = await this.rows.context(m, t, boundDef);
      const started = start(boundDef, ctx, who, now);
      if (started.ok && boundDef.steps[boundDef.initial]?.kind === 'draft') {
        if (apply(boundDef, started.state, { type: 'submit_draft', text: '…' }, who, now, ctx).ok) actions.push({ type: 'submit_draft' });
      } else if (started.ok) actions.push({ type: 'start' });
    }
    if (row) {
      const def = await this.definitions.resolve(row.definition_code, row.version, m);
      const ctx = await this.rows.context(m, t, def);
      const st = row.state;
      const available =
        st.status === 'active' ? availableActions(def, st, who, now, ctx).filter((a) => member || PARTICIPANT_ACTIONS.has(a.type)) : [];
      // an approver from another service (now, or who approved before) reads the draft and the opinions
      const approving =
        available.some((a) => a.type === 'approve' || a.type === 'edit_and_approve') ||
        st.history.some(
          (h) =>
            ['approve', 'edit_and_approve', 'reject'].includes(h.action.type) && (h.actor.id === agent.id || h.onBehalfOf === agent.id),
        );
      const mineOnly = (id: string | undefined, behalf?: string) => member || id === agent.id || behalf === agent.id;
      const ids = [
        ...st.history.flatMap((h) => [h.actor.id, h.onBehalfOf ?? '']),
        ...(st.current.approvals ?? []).flatMap((a) => [a.approvedBy ?? '', a.onBehalfOf ?? '', a.agentId ?? '']),
        ...(st.current.opinions ?? []).flatMap((o) => [o.by ?? '', o.onBehalfOf ?? '']),
        ...(st.draft ? [st.draft.authorId, st.draft.editedBy ?? ''] : []),
        ...(who.delegations ?? []).map((dl) => dl.fromAgentId),
      ];
      const names = await this.rows.names(m, ids);
      const person = (id: string | undefined): WorkflowPerson | null =>
        id ? { id, displayName: id === 'system' ? 'Système' : (names.get(id) ?? id) } : null;
      const deptNames = await this.rows.departmentNames(m);
      const seesDraft = member || approving;
      const revisions: NonNullable<TicketWorkflowView['instance']>['revisions'] = [];
      let rev = 0;
      for (const h of st.history) {
        if (h.action.type === 'start') rev = 0;
        if (h.action.type === 'submit_draft' || h.action.type === 'edit_and_approve')
          revisions.push({ revision: ++rev, text: h.action.text, author: person(h.actor.id), at: h.at, action: h.action.type });
      }
      const late = (due: string | undefined) => due !== undefined && due < now;
      const last = st.history.at(-1);
      instance = {
        definitionCode: row.definition_code,
        name: def.name,
        version: row.version,
        status: st.status,
        outcome: st.outcome ?? null,
        startedAt: st.startedAt,
        finishedAt: st.finishedAt ?? null,
        finished:
          st.status === 'active' || !last
            ? null
            : {
                status: st.status,
                outcome: st.outcome ?? null,
                at: st.finishedAt ?? last.at,
                by: person(last.actor.id),
                reason: st.status === 'cancelled' ? (last.comment ?? null) : null,
              },
        current: {
          stepId: st.current.stepId,
          label: def.steps[st.current.stepId]?.label ?? null,
          kind: st.current.kind,
          enteredAt: st.current.enteredAt,
          dueAt: st.current.dueAt ?? null,
          slaDueAt: st.current.slaDueAt ?? null,
          slaBreached: st.current.slaBreached === true,
          approvals:
            st.status !== 'active'
              ? []
              : (st.current.approvals ?? []).map((a) => ({
                  expected: a.agentId
                    ? (names.get(a.agentId) ?? a.agentId)
                    : `${roleFr(a.role)}${a.departmentId ? ` — ${deptNames.get(a.departmentId) ?? a.departmentId}` : ''}`,
                  approvedBy: person(a.approvedBy),
                  onBehalfOf: person(a.onBehalfOf),
                  at: a.at ?? null,
                  standIn: a.standIn === true,
                })),
          opinions: (st.current.opinions ?? lastOpinions(st))
            // an approver from another service weighs every opinion; a consulted one sees its own
            .filter((o) => seesDraft || scope.answersFor.includes(o.departmentId))
            .map((o) => ({
              department: { code: o.departmentId, name: deptNames.get(o.departmentId) ?? o.departmentId },
              status: o.status,
              verdict: o.verdict ?? null,
              comment: o.comment ?? null,
              by: person(o.by),
              onBehalfOf: person(o.onBehalfOf),
              at: o.at ?? null,
              late: o.status === 'expired' || (o.status === 'pending' && late(st.current.dueAt)),
            })),
        },
        draft:
          st.draft && seesDraft
            ? { text: st.draft.text, revision: st.draft.revision, author: person(st.draft.authorId), editedBy: person(st.draft.editedBy) }
            : null,
        revisions: seesDraft ? revisions : [],
        history: st.history.map((h) => ({
          seq: h.seq,
          at: h.at,
          action: h.action.type,
          actor: person(h.actor.id),
          onBehalfOf: person(h.onBehalfOf),
          comment: mineOnly(h.actor.id, h.onBehalfOf) ? (h.comment ?? null) : null,
          fromStep: h.fromStepId,
          toStep: h.toStepId,
          version: h.version,
        })),
        diagram: diagramOf(def),
      };
      for (const a of available) {
        const r = apply(def, st, a, who, now, ctx);
        const by = r.ok ? r.state.history.at(-1)?.onBehalfOf : undefined;
        actions.push({
          type: a.type as AvailableWorkflowAction['type'],
          ...(a.type === 'give_opinion' ? { department: a.departmentId } : {}),
          ...(by ? { onBehalfOf: person(by)! } : {}),
        });
      }
    }
    return {
      ticketId,
      ticketVersion: t.version,
      bound:
        bound && boundDef
          ? { code: bound.code, name: bound.name, version: bound.version, initialKind: boundDef.steps[boundDef.initial]?.kind ?? 'draft' }
          : null,
      instance,
      actions,
    };
  }
}

const ROLE_FR: Record<string, string> = { agent: 'Agent', head: 'Responsable', admin: 'Administrateur', elected: 'Élu' };
const roleFr = (r: string | undefined) => (r ? (ROLE_FR[r] ?? r) : '');

/** After the circuit left an opinion step, its answers are still shown (from the history). */
function lastOpinions(st: WorkflowInstanceState) {
  const out = new Map<
    string,
    {
      departmentId: string;
      status: 'given';
      by?: string;
      onBehalfOf?: string;
      verdict?: 'favourable' | 'unfavourable' | 'reserved';
      comment?: string;
      at?: string;
    }
  >();
  for (const h of st.history as HistoryEntry[]) {
    if (h.action.type === 'give_opinion') {
      out.set(h.action.departmentId, {
        departmentId: h.action.departmentId,
        status: 'given',
        by: h.actor.id,
        verdict: h.action.verdict,
        comment: h.action.comment,
        at: h.at,
        ...(h.onBehalfOf ? { onBehalfOf: h.onBehalfOf } : {}),
      });
    }
  }
  return [...out.values()];
}
