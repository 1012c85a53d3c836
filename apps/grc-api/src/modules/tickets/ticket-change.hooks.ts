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

/** A feature that must react to every ticket change inside its transaction (SLA clocks, workflows). */
export interface TicketChangeListener {
  onTicketChanged(m: EntityManager, change: TicketChange): Promise<void>;
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

  /** `afterEach` writes what the listener added (events, SLA summary) before the next listener looks. */
  async emit(m: EntityManager, change: TicketChange, afterEach?: () => Promise<void>): Promise<void> {
    for (const l of this.listeners) {
      await l.onTicketChanged(m, change);
      if (afterEach) await afterEach();
    }
  }
}
