import { Module } from '@nestjs/common';
import { TimersProcessor } from './timers.processor';
import { TimersRepository } from './timers.repository';
import { TimersService } from './timers.service';

/**
 * Durable timers, both roles: inject TimersService to schedule or cancel timers in your transaction,
 * and register a handler per kind at start-up (`registerHandler`). TimersWorkerModule (worker role)
 * fires them. TimersRepository holds every query on `timers`.
 */
@Module({ providers: [TimersRepository, TimersService], exports: [TimersService, TimersRepository] })
export class TimersModule {}

/** The worker role's side: BullMQ processor and reconciler. */
@Module({ imports: [TimersModule], providers: [TimersProcessor], exports: [TimersProcessor] })
export class TimersWorkerModule {}
