import { Module } from '@nestjs/common';
import { TicketsModule } from '../tickets/tickets.module';
import { AnonymisationRepository } from './anonymisation.repository';
import { AnonymisationService } from './anonymisation.service';

/**
 * The anonymisation engine, both roles: the retention job (worker) and the citizen's erasure (api, rights)
 * inject AnonymisationService.
 */
@Module({ imports: [TicketsModule], providers: [AnonymisationService, AnonymisationRepository], exports: [AnonymisationService] })
export class AnonymisationModule {}
