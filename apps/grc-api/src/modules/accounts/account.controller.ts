import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { RecoveryCodes, SecondFactorStatus, SecuritySettings, SessionSummary, TotpEnrolment } from '@grc/domain';
import type { Actor } from '../auth/authenticated-agent';
import { AllowRestricted, Authenticated, CurrentActor, RequirePermission, SessionToken } from '../auth/decorators';
import { idParam } from '../reference/id-param';
import { ChangePasswordDto, SecondFactorCodeDto, SecuritySettingsDto } from './account.dto';
import { AccountService } from './account.service';
import { SecondFactorService } from './second-factor.service';

/** One's own account ("Mon compte"): password, second factor, sessions. */
@ApiTags('account')
@Controller('account')
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly secondFactor: SecondFactorService,
  ) {}

  /** Current password required; every other session ends. */
  @Authenticated()
  @AllowRestricted()
  @Post('password')
  @HttpCode(204)
  changePassword(@CurrentActor() actor: Actor, @SessionToken() token: string, @Body() body: ChangePasswordDto): Promise<void> {
    return this.account.changePassword(actor, token, body.currentPassword, body.newPassword);
  }

  @Authenticated()
  @AllowRestricted()
  @Get('second-factor')
  secondFactorStatus(@CurrentActor() actor: Actor): Promise<SecondFactorStatus> {
    return this.secondFactor.status(actor.agent);
  }

  /** A new TOTP secret and its QR code; the factor is on once a first code confirms it. */
  @Authenticated()
  @AllowRestricted()
  @Post('second-factor/enrolment')
  @HttpCode(200)
  startEnrolment(@CurrentActor() actor: Actor): Promise<TotpEnrolment> {
    return this.secondFactor.startEnrolment(actor);
  }

  /** The first code: the factor is on; the ten recovery codes are in the answer, and only there. */
  @Authenticated()
  @AllowRestricted()
  @Post('second-factor/confirm')
  @HttpCode(200)
  confirmEnrolment(@CurrentActor() actor: Actor, @SessionToken() token: string, @Body() body: SecondFactorCodeDto): Promise<RecoveryCodes> {
    return this.account.confirmSecondFactor(actor, token, body.code);
  }

  @Authenticated()
  @Post('second-factor/disable')
  @HttpCode(204)
  disable(@CurrentActor() actor: Actor, @SessionToken() token: string, @Body() body: SecondFactorCodeDto): Promise<void> {
    return this.account.disableSecondFactor(actor, token, body.code);
  }

  @Authenticated()
  @Get('sessions')
  sessions(@CurrentActor() actor: Actor, @SessionToken() token: string): Promise<SessionSummary[]> {
    return this.account.listSessions(actor, token);
  }

  /** "Se déconnecter partout": every session but this one. */
  @Authenticated()
  @Post('sessions/close-others')
  @HttpCode(200)
  closeOthers(@CurrentActor() actor: Actor, @SessionToken() token: string): Promise<{ closed: number }> {
    return this.account.closeOtherSessions(actor, token);
  }

  @Authenticated()
  @Delete('sessions/:id')
  @HttpCode(204)
  closeSession(@CurrentActor() actor: Actor, @Param('id', idParam('Session')) id: string): Promise<void> {
    return this.account.closeSession(actor, id);
  }
}

/** The town's security settings (one row): second factor for admins, session timeouts, cookie kind. */
@ApiTags('account')
@Controller('security-settings')
export class SecuritySettingsController {
  constructor(private readonly account: AccountService) {}

  @RequirePermission('admin.config')
  @Get()
  get(): Promise<SecuritySettings> {
    return this.account.getSettings();
  }

  @RequirePermission('admin.config')
  @Put()
  update(@CurrentActor() actor: Actor, @Body() body: SecuritySettingsDto): Promise<SecuritySettings> {
    return this.account.updateSettings(actor, body);
  }
}
