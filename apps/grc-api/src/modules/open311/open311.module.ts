import { Module } from '@nestjs/common';
import { CitizensModule } from '../citizens/citizens.module';
import { ReferenceModule } from '../reference/reference.module';
import { TicketsModule } from '../tickets/tickets.module';
import { TownModule } from '../town/town.module';
import { InboxCountersModule } from '../worker/inbox-counters.module';
import { Open311KeysController } from './open311-keys.controller';
import { Open311KeysRepository } from './open311-keys.repository';
import { Open311KeysService } from './open311-keys.service';
import { Open311Repository } from './open311.repository';
import { Open311Controller } from './open311.controller';
import { OPEN311_LIMITS, open311Limits, Open311ReadLimitGuard } from './open311.rate-limit';
import { Open311Service } from './open311.service';

/** The Open311 GeoReport v2 channel (/open311/v2) and its API keys (/api/v1/open311-keys, admins). */
@Module({
  imports: [CitizensModule, TicketsModule, InboxCountersModule, TownModule, ReferenceModule],
  controllers: [Open311KeysController, Open311Controller],
  // limits read when the app is built (tests set the environment for one app at a time)
  providers: [
    Open311Service,
    Open311KeysService,
    Open311Repository,
    Open311KeysRepository,
    Open311ReadLimitGuard,
    { provide: OPEN311_LIMITS, useFactory: () => open311Limits() },
  ],
})
export class Open311Module {}
