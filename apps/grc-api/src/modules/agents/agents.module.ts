import { Module } from '@nestjs/common';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';

/** The agents directory (every agent) and their administration (admins). SessionService comes from the global AuthModule. */
@Module({ controllers: [AgentsController], providers: [AgentsService] })
export class AgentsModule {}
