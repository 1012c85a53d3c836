import { Module } from '@nestjs/common';
import { NotificationsCoreModule } from '../notifications/notifications.module';
import { ReferenceModule } from '../reference/reference.module';
import { TicketsModule } from '../tickets/tickets.module';
import { TimersModule } from '../timers/timers.module';
import { SlaBackfill } from './sla-backfill.service';
import { SlaClocks } from './sla-clocks.service';
import { SlaConfigService } from './sla-config.service';
import { SlaEscalationHandler } from './sla-escalation.handler';
import { SlaPolicyReapply } from './sla-policy-reapply.service';
import { SlaTicketListener } from './sla-ticket.listener';
import { SlaRepository } from './sla.repository';
import { SlaController } from './sla.controller';
import { SlaEngine } from './sla.engine';
import { SlaViewService } from './sla-view.service';

/**
 * The SLA engine, both roles: the API starts, pauses and recomputes clocks inside ticket changes;
 * the worker fires escalations (its timer handler). Both register the same listener and handler.
 */
@Module({
  imports: [TicketsModule, TimersModule, NotificationsCoreModule, ReferenceModule],
  providers: [
    SlaRepository,
    SlaConfigService,
    SlaClocks,
    SlaTicketListener,
    SlaEscalationHandler,
    SlaBackfill,
    SlaPolicyReapply,
    SlaEngine,
    SlaViewService,
  ],
  exports: [SlaConfigService, SlaEngine, SlaViewService],
})
export class SlaCoreModule {}

/** REST (api role): a ticket's SLA, breaches, calendars and policies. */
@Module({ imports: [SlaCoreModule], controllers: [SlaController] })
export class SlaModule {}
