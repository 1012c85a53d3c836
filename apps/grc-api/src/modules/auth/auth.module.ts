import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccountsCoreModule } from '../accounts/accounts.module';
import { AgentsCoreModule } from '../agents/agents.module';
import { AuditModule } from '../audit/audit.module';
import { ReferenceModule } from '../reference/reference.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { OIDC_CONTROLLERS, OIDC_PROVIDERS } from './oidc';
import { SessionService } from './session.service';
import { SessionsRepository } from './sessions.repository';
import { SignInLinkService } from './sign-in-link.service';

@Global()
@Module({
  imports: [AuditModule, AgentsCoreModule, ReferenceModule, AccountsCoreModule],
  controllers: [AuthController, ...OIDC_CONTROLLERS],
  providers: [
    AuthService,
    SessionService,
    SessionsRepository,
    LoginThrottle,
    SignInLinkService,
    ...OIDC_PROVIDERS,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [SessionService, LoginThrottle, AuthService],
})
export class AuthModule {}
