import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TimelineEventKind } from '@grc/domain';
import type { TicketEntity } from '../../database/entities';
import type { Actor } from '../auth/authenticated-agent';

export interface TicketChange {
  ticketId: string;
  /** null on creation */
  before: TicketEntity | null;
  after: TicketEntity;
  /** the timeline events this change wrote */
  events: Array<{ kind: TimelineEventKind; body?: string | null; data?: Record<string, unknown> }>;
  actor: Actor;
}

/** A feature that must react to every ticket change inside its transaction (SLA clocks, workflows). */
export interface TicketChangeListener {
  onTicketChanged(m: EntityManager, change: TicketChange): Promise<void>;
}

/**
 * Lets feature modules follow ticket changes without the tickets module knowing them: they register
 * at start-up and are called inside the same transaction, so their rows commit or roll back with it.
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

  async emit(m: EntityManager, change: TicketChange): Promise<void> {
    for (const l of this.listeners) await l.onTicketChanged(m, change);
  }
}
