import { Module } from '@nestjs/common';
import { AgentsCoreModule } from '../agents/agents-core.module';
import { AuditModule } from '../audit/audit.module';
import { AccountController, SecuritySettingsController } from './account.controller';
import { AccountService } from './account.service';
import { SecondFactorRepository } from './second-factor.repository';
import { SecondFactorService } from './second-factor.service';
import { SecuritySettingsRepository } from './security-settings.repository';
import { SignInLinksRepository } from './sign-in-links.repository';

/**
 * The second factor and the security settings, for the auth module (the login's second step, the
 * session's settings) and the agents' administration (reset of an agent's second factor).
 */
@Module({
  imports: [AuditModule, AgentsCoreModule],
  providers: [SecondFactorRepository, SecondFactorService, SecuritySettingsRepository, SignInLinksRepository],
  exports: [SecondFactorService, SecondFactorRepository, SecuritySettingsRepository, SignInLinksRepository],
})
export class AccountsCoreModule {}

/** "Mon compte" and the security settings' administration (api role); SessionService and LoginThrottle come from the global AuthModule. */
@Module({
  imports: [AccountsCoreModule, AuditModule, AgentsCoreModule],
  controllers: [AccountController, SecuritySettingsController],
  providers: [AccountService],
})
export class AccountsModule {}
