import { Injectable, OnModuleInit } from '@nestjs/common';
import type { SlaPolicy } from '@grc/domain';
import type { Actor } from '../auth/authenticated-agent';
import { TicketChangeHooks } from '../tickets/ticket-change.hooks';
import { TimersService } from '../timers/timers.service';
import { SlaBackfill } from './sla-backfill.service';
import { SLA_ESCALATION } from './sla-clocks.service';
import { SlaEscalationHandler } from './sla-escalation.handler';
import { SlaPolicyReapply } from './sla-policy-reapply.service';
import { SlaTicketListener } from './sla-ticket.listener';

export { SLA_ESCALATION } from './sla-clocks.service';

/**
 * The SLA engine's entry points, its parts in files of their own:
 * - sla-ticket.listener.ts: the clocks follow every ticket change, inside its transaction;
 * - sla-escalation.handler.ts: fired escalation timers (kind 'sla.escalation', key
 *   `${ticketId}:${target}:${atPercent}:${generation}`) run the ladder's actions as the system actor;
 * - sla-clocks.service.ts: policy, calendars, start and save of a clock (row, timers, timeline);
 * - sla-backfill.service.ts, sla-policy-reapply.service.ts: clocks for open tickets without them, a
 *   policy edited "for open requests too";
 * - sla-clock.ts (the stored clock folded by libs/domain), sla-wording.ts (timeline texts),
 *   sla.repository.ts (every query of the module).
 * The engine writes no SQL on tickets / ticket_events: its timeline events (`sla_changed`) and the
 * inbox's summary columns (sla_due_at, sla_breached) go through the change's TicketChangeEffects.
 */
@Injectable()
export class SlaEngine implements OnModuleInit {
  constructor(
    private readonly timers: TimersService,
    private readonly hooks: TicketChangeHooks,
    private readonly listener: SlaTicketListener,
    private readonly escalations: SlaEscalationHandler,
    private readonly backfiller: SlaBackfill,
    private readonly reapplier: SlaPolicyReapply,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this.listener);
    this.timers.registerHandler(SLA_ESCALATION, (m, t) => this.escalations.escalate(m, t));
  }

  /** Clocks for the open tickets that have none (after loading a pack; `main.js sla-backfill`); the tickets examined. */
  backfill(batch = 200): Promise<number> {
    return this.backfiller.run(batch);
  }

  /** Recomputes the running clocks of an edited policy (`applyToOpen`); the tickets recomputed. */
  reapply(actor: Actor, policy: SlaPolicy, batch = 200): Promise<number> {
    return this.reapplier.run(actor, policy, batch);
  }
}
