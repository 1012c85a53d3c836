import { Module } from '@nestjs/common';
import { AgentsRepository } from './agents.repository';

/**
 * The agents' repository alone, for every role: the worker's circuits and the auth module read agents
 * through it without loading the administration (whose service needs the api role's SessionService).
 */
@Module({
  providers: [AgentsRepository],
  exports: [AgentsRepository],
})
export class AgentsCoreModule {}
