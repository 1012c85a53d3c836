import { Module } from '@nestjs/common';
import { InboxCountersModule } from './inbox-counters.module';
import { InboxCountersRepository } from './inbox-counters.repository';
import { InboxCountersProcessor } from './inbox-counters.processor';

/** BullMQ processors of the worker role. */
@Module({ imports: [InboxCountersModule], providers: [InboxCountersProcessor, InboxCountersRepository] })
export class WorkerModule {}
