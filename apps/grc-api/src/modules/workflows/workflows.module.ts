import { Module } from '@nestjs/common';
import { AgentsCoreModule } from '../agents/agents.module';
import { ReferenceModule } from '../reference/reference.module';
import { NotificationsCoreModule } from '../notifications/notifications.module';
import { TicketsModule } from '../tickets/tickets.module';
import { TimersModule } from '../timers/timers.module';
import { CircuitDryRunService } from './circuit-dry-run.service';
import { CircuitGuard } from './circuit-guard.listener';
import { CircuitInboxQuery } from './circuit-inbox.query';
import { CircuitsRepository } from './circuits.repository';
import { CircuitScopes } from './circuit-scope';
import { CircuitViewPresenter } from './circuit-view.presenter';
import { CitizenAnswerListener } from './citizen-answer.listener';
import { DefinitionsRepository } from './definitions.repository';
import { DelegationsRepository } from './delegations.repository';
import { DelegationsService } from './delegations.service';
import { WorkflowDefinitionsService } from './definitions.service';
import { TicketWorkflowsService } from './ticket-workflows.service';
import { WorkflowEffectsPort } from './workflow-effects.port';
import { TicketWorkflowController, WorkflowsAdminController, WorkflowsController } from './workflows.controller';

/**
 * Validation circuits (libs/workflows), both roles: the API applies actions inside ticket changes;
 * the worker fires their timers (opinion due, citizen timeout, step SLA) through the durable timers.
 */
@Module({
  imports: [TicketsModule, TimersModule, NotificationsCoreModule, AgentsCoreModule, ReferenceModule],
  providers: [
    WorkflowDefinitionsService,
    DelegationsService,
    TicketWorkflowsService,
    WorkflowEffectsPort,
    CircuitsRepository,
    DefinitionsRepository,
    DelegationsRepository,
    CircuitScopes,
    CircuitViewPresenter,
    CircuitInboxQuery,
    CircuitGuard,
    CitizenAnswerListener,
  ],
  exports: [WorkflowDefinitionsService, DelegationsService, TicketWorkflowsService, CircuitInboxQuery],
})
export class WorkflowsCoreModule {}

/** REST (api role): definitions, bindings, a ticket's circuit, the inbox, delegations. */
@Module({
  imports: [WorkflowsCoreModule, AgentsCoreModule, ReferenceModule],
  providers: [CircuitDryRunService],
  controllers: [WorkflowsAdminController, WorkflowsController, TicketWorkflowController],
})
export class WorkflowsModule {}
