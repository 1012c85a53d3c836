import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import {
  availableActions,
  type Actor as EngineActor,
  type PublishedDefinition,
  type TicketContext,
  type WorkflowInstanceState,
} from '@grc/workflows';
import type { WorkflowActionRequestType } from '@grc/domain';
import { notFound, ProblemException } from '../../common/problem';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { canSeeDepartment } from '../tickets/ticket-access';
import { CircuitsRepository, type InstanceRow, type TicketRow } from './circuits.repository';
import { DelegationsService } from './delegations.service';
import { WorkflowDefinitionsService } from './definitions.service';

/** What a participant of another department may do: answer for their department, approve in their slot. */
export const PARTICIPANT_ACTIONS: ReadonlySet<string> = new Set(['give_opinion', 'approve', 'reject', 'edit_and_approve']);

export interface CircuitScope {
  /** the agent, with the ticket's department added for a participant (so the ticket reads through) */
  agent: AuthenticatedAgent;
  ticket: TicketRow;
  /**
   * The ticket's department (or an admin): sees the whole circuit and takes every action it offers.
   * Otherwise a participant of another department: a consulted department, an approver or a delegate
   * from another service, who sees what their opinion needs and takes only PARTICIPANT_ACTIONS.
   */
  member: boolean;
  /** participant: the departments (codes) they answer for, delegations included */
  answersFor: readonly string[];
}

/**
 * Who may see a ticket's circuit. Another department's ticket answers 404 unless the circuit expects
 * something of the agent now (a pending slot or opinion admits them) or they gave it before; taking
 * part means an opinion or an approval — not any action the engine would accept from anyone.
 */
@Injectable()
export class CircuitScopes {
  constructor(
    /** reads outside a transaction */
    @InjectEntityManager() private readonly reader: EntityManager,
    private readonly rows: CircuitsRepository,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly delegations: DelegationsService,
  ) {}

  async resolve(agent: AuthenticatedAgent, ticketId: string): Promise<CircuitScope> {
    const m = this.reader;
    const t = await this.rows.ticket(m, ticketId);
    if (!t) throw notFound('Demande');
    if (canSeeDepartment(agent, t.department_id)) return { agent, ticket: t, member: true, answersFor: [] };
    const row: InstanceRow | undefined = await this.rows.instance(m, ticketId);
    if (row) {
      const def = await this.definitions.resolve(row.definition_code, row.version);
      const who = await this.delegations.engineActor(m, agent);
      if (participates(def, row.state, who, await this.rows.context(m, t, def), new Date().toISOString())) {
        const now = new Date().toISOString();
        const answersFor = [
          ...who.departmentIds,
          ...(who.delegations ?? []).filter((d) => d.from <= now && now < d.to).flatMap((d) => d.fromDepartmentIds),
        ];
        return {
          agent: { ...agent, visibleDepartmentIds: [...agent.visibleDepartmentIds, t.department_id] },
          ticket: t,
          member: false,
          answersFor,
        };
      }
    }
    throw notFound('Demande');
  }
}

/** A participant of the circuit: the engine offers them an opinion or an approval now, or they gave one before. */
export function participates(
  def: PublishedDefinition,
  state: WorkflowInstanceState,
  who: EngineActor,
  ctx: TicketContext,
  now: string,
): boolean {
  if (state.history.some((h) => PARTICIPANT_ACTIONS.has(h.action.type) && (h.actor.id === who.id || h.onBehalfOf === who.id))) return true;
  return availableActions(def, state, who, now, ctx).some((a) => PARTICIPANT_ACTIONS.has(a.type));
}

/** Participants of another department only give their opinion or approve in their slot: never cancel, draft or move the circuit. */
export function assertMayTake(scope: CircuitScope, type: WorkflowActionRequestType): void {
  if (scope.member || PARTICIPANT_ACTIONS.has(type)) return;
  throw new ProblemException(
    403,
    'Action refusée',
    'Cette demande relève d’un autre service : vous pouvez seulement donner l’avis ou la validation que le circuit attend de vous.',
    [
      {
        field: 'type',
        message: 'réservé au service de la demande',
        code: 'participant_only',
        params: { department: scope.ticket.department_name },
      },
    ],
  );
}
