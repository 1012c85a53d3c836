import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { AccountsCoreModule } from '../accounts/accounts.module';
import { AgentsController } from './agents.controller';
import { AgentsCoreModule } from './agents-core.module';
import { AgentsService } from './agents.service';

export { AgentsCoreModule } from './agents-core.module';

/** The agents directory (every agent) and their administration (admins), api role. SessionService comes from the global AuthModule. */
@Module({
  imports: [AgentsCoreModule, ReferenceModule, AccountsCoreModule],
  controllers: [AgentsController],
  providers: [AgentsService],
})
export class AgentsModule {}
