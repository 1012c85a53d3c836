import { Module } from '@nestjs/common';
import { InboxCountersScheduler } from './inbox-counters.scheduler';

/** The producer side of the inbox counters (API role): inject InboxCountersScheduler and call requestRecompute(). */
@Module({ providers: [InboxCountersScheduler], exports: [InboxCountersScheduler] })
export class InboxCountersModule {}
