import { Module } from '@nestjs/common';
import { TicketsModule } from '../tickets/tickets.module';
import { DuplicatesController } from './duplicates.controller';
import { DuplicatesService } from './duplicates.service';

/** Duplicate candidates, master/follower links, and the propagation of a master's status to its followers. */
@Module({
  imports: [TicketsModule],
  controllers: [DuplicatesController],
  providers: [DuplicatesService],
  exports: [DuplicatesService],
})
export class DuplicatesModule {}
