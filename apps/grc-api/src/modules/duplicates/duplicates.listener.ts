import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { followerStatusAfter } from '@grc/domain';
import { TicketChangeHooks, type TicketChange, type TicketChangeListener } from '../tickets/ticket-change.hooks';
import { TicketsService } from '../tickets/tickets.service';
import { DuplicatesRepository } from './duplicates.repository';

/**
 * One problem, many reporters: inside the master's transaction, every follower makes the move the master's
 * status change means for it (libs/domain followerStatusAfter: resolved, closed, reopened, taken in hand),
 * with its own `status_changed` event (the master's reference), audit `ticket.status.master`, and the
 * ticket-change hooks for the follower — so its SLA clocks follow and its reporter gets the e-mail
 * (modules/mail), in their language, with their own tracking link. The follower changes through
 * TicketsService.mutateIn like any ticket (`propagated`: it may lie in a department the actor does not see).
 *
 * Registered in every process role (DuplicatesCoreModule): tickets also change in the worker — the
 * e-mail intake reopening a resolved master, SLA escalations, circuit timers.
 */
@Injectable()
export class DuplicatesFollowListener implements TicketChangeListener, OnModuleInit {
  constructor(
    private readonly hooks: TicketChangeHooks,
    private readonly rows: DuplicatesRepository,
    private readonly tickets: TicketsService,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async onTicketChanged(m: EntityManager, change: TicketChange): Promise<void> {
    const { before, after } = change;
    if (!before || before.status === after.status) return;
    // quick exit for the common case (no follower can move), before locking anything
    if (!['resolved', 'closed', 'open'].includes(after.status)) return;
    const followers = await this.rows.lockFollowers(change.ticketId, m);
    if (!followers.length) return;
    const masterReference = await this.rows.reference(change.ticketId, m);
    // The agent's comment on the master's status change is for every reporter; a change that came with the
    // master's reporter's own message (an e-mail or tracking-page reply reopening it) speaks of that person: not passed on.
    const fromItsReporter = change.events.some((e) => e.kind === 'inbound');
    const comment = fromItsReporter ? null : (change.events.find((e) => e.kind === 'status_changed')?.body ?? null);
    for (const { id } of followers) {
      await this.tickets.mutateIn(
        m,
        change.actor,
        id,
        null,
        async (_m, f) => {
          const to = followerStatusAfter(before.status, after.status, f.status);
          if (!to) return null;
          const resolvedAt = to === 'resolved' ? (after.resolvedAt ?? new Date()) : to === 'open' ? null : f.resolvedAt;
          const closedAt = to === 'closed' ? (after.closedAt ?? new Date()) : to === 'open' ? null : f.closedAt;
          const data = { from: f.status, to, masterId: change.ticketId, masterReference };
          return {
            set: { status: to, resolvedAt, closedAt },
            events: [{ kind: 'status_changed', body: comment, data }],
            action: 'ticket.status.master',
          };
        },
        { propagated: true },
      );
    }
  }
}
