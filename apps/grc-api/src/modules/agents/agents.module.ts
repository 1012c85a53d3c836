import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { AgentsService } from './agents.service';

/** The agents directory (every agent) and their administration (admins). SessionService comes from the global AuthModule (which imports this module for AgentsRepository). */
@Module({
  imports: [ReferenceModule],
  controllers: [AgentsController],
  providers: [AgentsRepository, AgentsService],
  exports: [AgentsRepository],
})
export class AgentsModule {}
