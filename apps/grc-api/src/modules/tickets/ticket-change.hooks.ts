import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TimelineEventKind } from '@grc/domain';
import type { TicketEntity } from '../../database/entities';
import type { Actor } from '../auth/authenticated-agent';

export interface NewEvent {
  kind: TimelineEventKind;
  body?: string | null;
  data?: Record<string, unknown>;
}

/**
 * What a listener (or a change's decision) may add to the ticket's change without writing SQL on
 * `tickets` / `ticket_events` itself: the tickets module writes them, in the same transaction, and the
 * change's audit event sees them.
 */
export interface TicketChangeEffects {
  /** timeline events written by the system on this ticket (an SLA deadline that moved) */
  addEvents(...events: NewEvent[]): void;
  /** recompute tickets.sla_due_at / sla_breached from ticket_sla (the SLA clocks were saved) */
  refreshSla(): void;
}

export interface TicketChange extends TicketChangeEffects {
  ticketId: string;
  /** null on creation */
  before: TicketEntity | null;
  after: TicketEntity;
  /** the timeline events this change wrote */
  events: NewEvent[];
  actor: Actor;
}

/** A ticket about to be created: what its listeners may prepare from before the row is written. */
export interface TicketDraft {
  categoryId: string;
  departmentId: string;
  /** rank (libs/domain priorityRank) */
  priority: number;
  channel: string;
}

/** The SLA summary of `tickets` (sla_due_at, sla_breached), as `refreshSla` would compute it. */
export interface SlaSummary {
  slaDueAt: Date | null;
  slaBreached: boolean;
}

/** What a listener prepared for a creation: columns the row is written with, and its own plan, handed back to it. */
export interface PreparedCreation {
  /** the SLA summary the clocks it will start give: written with the row, so no `refreshSla` is needed */
  sla?: SlaSummary;
  plan?: unknown;
}

/** The listeners' preparations of one creation (TicketChangeHooks.prepareCreation). */
export interface PreparedCreations {
  sla: SlaSummary | null;
  plans: Map<TicketChangeListener, unknown>;
}

/** A feature that must react to every ticket change inside its transaction (SLA clocks, workflows). */
export interface TicketChangeListener {
  /** `prepared`: on creation, the plan this listener's `prepareCreation` returned (when it has one) */
  onTicketChanged(m: EntityManager, change: TicketChange, prepared?: unknown): Promise<void>;
  /**
   * Creation only, before the row is written: what the listener will need on `onTicketChanged`, and the
   * columns it would otherwise have the tickets module update right after the insert (the SLA clocks' summary:
   * one more write of the row and of its indexes per created ticket, bench/intake.mjs). It writes nothing.
   */
  prepareCreation?(m: EntityManager, draft: TicketDraft): Promise<PreparedCreation>;
}

/**
 * Lets feature modules follow ticket changes without the tickets module knowing them: they register
 * at start-up and are called inside the same transaction, so their rows commit or roll back with it.
 * Only TicketsService emits: a listener that must change a ticket (a duplicate's follower) calls
 * `TicketsService.changeIn`, which runs the listeners for that ticket in turn.
 */
@Injectable()
export class TicketChangeHooks {
  private readonly listeners: TicketChangeListener[] = [];

  register(listener: TicketChangeListener): void {
    this.listeners.push(listener);
  }

  get active(): boolean {
    return this.listeners.length > 0;
  }

  /** Each listener's preparation of a creation, in the order they run (TicketsService.createIn, before the insert). */
  async prepareCreation(m: EntityManager, draft: TicketDraft): Promise<PreparedCreations> {
    const prepared: PreparedCreations = { sla: null, plans: new Map() };
    for (const l of this.listeners) {
      if (!l.prepareCreation) continue;
      const p = await l.prepareCreation(m, draft);
      if (p.sla) prepared.sla = p.sla;
      if (p.plan !== undefined) prepared.plans.set(l, p.plan);
    }
    return prepared;
  }

  /**
   * `afterEach` writes what the listener added (events, SLA summary) before the next listener looks; `prepared`:
   * a creation's preparations, each listener given its own plan.
   */
  async emit(m: EntityManager, change: TicketChange, afterEach?: () => Promise<void>, prepared?: PreparedCreations): Promise<void> {
    for (const l of this.listeners) {
      await l.onTicketChanged(m, change, prepared?.plans.get(l));
      if (afterEach) await afterEach();
    }
  }
}
