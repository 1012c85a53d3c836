import { Module } from '@nestjs/common';
import { CitizensModule } from '../citizens/citizens.module';
import { InboxCountersModule } from '../worker/inbox-counters.module';
import { AttachmentsService } from './attachments.service';
import { InboxQuery } from './inbox.query';
import { TicketChangeHooks } from './ticket-change.hooks';
import { TicketsController } from './tickets.controller';
import { TicketsRepository } from './tickets.repository';
import { TicketsService } from './tickets.service';

@Module({
  imports: [CitizensModule, InboxCountersModule],
  controllers: [TicketsController],
  providers: [TicketsService, TicketsRepository, InboxQuery, AttachmentsService, TicketChangeHooks],
  exports: [TicketsService, InboxQuery, TicketChangeHooks],
})
export class TicketsModule {}
