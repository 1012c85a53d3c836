import { Module } from '@nestjs/common';
import { PUBLIC_LIMITS, publicLimits, PublicRateLimitGuard } from '../public/public-rate-limiter';
import { TicketsModule } from '../tickets/tickets.module';
import { PlacesController, PublicPlacesController, TicketNearbyController } from './places.controller';
import { PlacesRepository } from './places.repository';
import { PlacesService } from './places.service';

/** Places (issue 12): BAN addresses, reverse geocoding, the map's settings and data; api role. */
@Module({
  imports: [TicketsModule],
  controllers: [PlacesController, TicketNearbyController, PublicPlacesController],
  providers: [PlacesRepository, PlacesService, PublicRateLimitGuard, { provide: PUBLIC_LIMITS, useFactory: () => publicLimits() }],
})
export class PlacesModule {}
