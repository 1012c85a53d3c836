import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { AgentsService } from './agents.service';

/**
 * The agents' repository alone, for every role: the worker's circuits and the auth module read agents
 * through it without loading the administration (whose service needs the api role's SessionService).
 */
@Module({
  providers: [AgentsRepository],
  exports: [AgentsRepository],
})
export class AgentsCoreModule {}

/** The agents directory (every agent) and their administration (admins), api role. SessionService comes from the global AuthModule. */
@Module({
  imports: [AgentsCoreModule, ReferenceModule],
  controllers: [AgentsController],
  providers: [AgentsService],
})
export class AgentsModule {}
