import { Module } from '@nestjs/common';
import { TicketsModule } from '../tickets/tickets.module';
import { DuplicatesController } from './duplicates.controller';
import { DuplicatesFollowListener } from './duplicates.listener';
import { DuplicatesRepository } from './duplicates.repository';
import { DuplicatesService } from './duplicates.service';

/**
 * Every role: followers follow their master's status. Tickets change in the API (agents) and in the worker
 * (e-mail intake, SLA escalations, circuit timers), so the listener is registered wherever tickets change.
 */
@Module({
  imports: [TicketsModule],
  providers: [DuplicatesFollowListener, DuplicatesRepository],
  exports: [DuplicatesRepository],
})
export class DuplicatesCoreModule {}

/** REST (api role): candidates, master/follower links. */
@Module({
  imports: [TicketsModule, DuplicatesCoreModule],
  controllers: [DuplicatesController],
  providers: [DuplicatesService],
  exports: [DuplicatesService],
})
export class DuplicatesModule {}
