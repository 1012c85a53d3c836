import { Module } from '@nestjs/common';
import { AgentsCoreModule } from '../agents/agents.module';
import { CitizensModule } from '../citizens/citizens.module';
import { ReferenceModule } from '../reference/reference.module';
import { InboxCountersModule } from '../worker/inbox-counters.module';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { ATTACHMENT_STORE, attachmentStoreFor } from './attachment-store';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentsService } from './attachments.service';
import { InboxQuery } from './inbox.query';
import { InboxRepository } from './inbox.repository';
import { TicketChangeHooks } from './ticket-change.hooks';
import { TicketsController } from './tickets.controller';
import { TicketsRepository } from './tickets.repository';
import { TicketsService } from './tickets.service';

@Module({
  imports: [CitizensModule, InboxCountersModule, AgentsCoreModule, ReferenceModule],
  controllers: [TicketsController],
  providers: [
    TicketsService,
    TicketsRepository,
    InboxQuery,
    InboxRepository,
    AttachmentsService,
    AttachmentsRepository,
    TicketChangeHooks,
    { provide: ATTACHMENT_STORE, inject: [GRC_CONFIG], useFactory: (c: GrcConfig) => attachmentStoreFor(c) },
  ],
  exports: [TicketsService, InboxQuery, TicketChangeHooks, AttachmentsService, AttachmentsRepository, ATTACHMENT_STORE],
})
export class TicketsModule {}
