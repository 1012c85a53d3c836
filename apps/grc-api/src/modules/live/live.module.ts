import { Module } from '@nestjs/common';
import { AgentsCoreModule } from '../agents/agents.module';
import { TicketsModule } from '../tickets/tickets.module';
import { LiveController } from './live.controller';
import { LiveHub } from './live-hub';
import { LiveLog } from './live-log';
import { LivePublisher } from './live-publisher';
import { LIVE_CONFIG, loadLiveConfig } from './live.config';
import { LiveService } from './live.service';
import { PresenceStore } from './presence.store';

const config = { provide: LIVE_CONFIG, useFactory: () => loadLiveConfig() };

/** Both roles: every committed ticket change is appended to the live log and published (the worker changes tickets too). */
@Module({
  imports: [TicketsModule],
  providers: [config, LiveLog, LivePublisher],
  exports: [config, LiveLog],
})
export class LiveCoreModule {}

/** The api role: the SSE streams and presence. */
@Module({
  imports: [LiveCoreModule, TicketsModule, AgentsCoreModule],
  controllers: [LiveController],
  providers: [LiveHub, PresenceStore, LiveService],
})
export class LiveModule {}
