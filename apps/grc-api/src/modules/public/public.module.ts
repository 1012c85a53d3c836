import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { CitizensModule } from '../citizens/citizens.module';
import { TicketsModule } from '../tickets/tickets.module';
import { TownModule } from '../town/town.module';
import { InboxCountersModule } from '../worker/inbox-counters.module';
import { PublicController } from './public.controller';
import { PUBLIC_LIMITS, publicLimits, PublicRateLimitGuard } from './public-rate-limiter';
import { PublicRepository } from './public.repository';
import { PublicService } from './public.service';
import { TrackingRepository } from './tracking.repository';
import { TrackingService } from './tracking.service';

/**
 * The citizen side: the public request form and the tracking page (/api/v1/public/…, no account).
 * Exports TrackingService: acknowledgements (modules/mail) put `issueLink()` in their e-mails.
 */
@Module({
  imports: [CitizensModule, ReferenceModule, TicketsModule, InboxCountersModule, TownModule],
  controllers: [PublicController],
  providers: [
    PublicService,
    PublicRepository,
    TrackingService,
    TrackingRepository,
    PublicRateLimitGuard,
    // read when the app is built (tests set the environment for one app at a time)
    { provide: PUBLIC_LIMITS, useFactory: () => publicLimits() },
  ],
  exports: [TrackingService, TrackingRepository],
})
export class PublicModule {}
