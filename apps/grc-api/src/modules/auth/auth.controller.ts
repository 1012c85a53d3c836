import { Body, Controller, Get, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Me, SecondFactorChallenge, SignInLinkView } from '@grc/domain';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { SecondFactorCodeDto } from '../accounts/account.dto';
import { LoginDto, SignInLinkCheckDto, SignInLinkRedeemDto, SwitchCommuneDto } from './auth.dto';
import { AuthService, CHALLENGE_SECONDS, type LoginOutcome } from './auth.service';
import type { AuthenticatedAgent } from './authenticated-agent';
import { AllowRestricted, Authenticated, CurrentAgent, Public } from './decorators';
import { LoginThrottled } from './login-throttle';
import { SESSION_COOKIE, SessionService } from './session.service';
import { SignInLinkService } from './sign-in-link.service';

/** The pending second step of a login (httpOnly, only sent to the auth routes). */
export const LOGIN_CHALLENGE_COOKIE = 'grc_login';
const CHALLENGE_PATH = '/api/v1/auth';

type Req = Request & { cookies?: Record<string, string> };

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly links: SignInLinkService,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
  ) {}

  /** The agent (and its session cookie), or — the account has a second factor — `{ secondFactor }` and a pending-login cookie. */
  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Req() req: Req, @Res({ passthrough: true }) res: Response): Promise<Me | SecondFactorChallenge> {
    const outcome = await this.auth
      .login(body.email, body.password, req.ip ?? 'unknown', req.get('user-agent') ?? null)
      .catch((e: unknown) => this.retryAfter(e, res));
    return this.answer(outcome, res);
  }

  /** The login's second step: the code of the authenticator app, or a recovery code. */
  @Public()
  @Post('login/second-factor')
  @HttpCode(200)
  async secondFactor(@Body() body: SecondFactorCodeDto, @Req() req: Req, @Res({ passthrough: true }) res: Response): Promise<Me> {
    const outcome = await this.auth
      .completeSecondFactor(req.cookies?.[LOGIN_CHALLENGE_COOKIE] ?? '', body.code, req.ip ?? 'unknown', req.get('user-agent') ?? null)
      .catch((e: unknown) => this.retryAfter(e, res));
    res.clearCookie(LOGIN_CHALLENGE_COOKIE, { path: CHALLENGE_PATH });
    return this.answer(outcome, res) as Me;
  }

  /** A sign-in link of `grc create-admin`: whose it is and until when; 400 forged, 410 expired or used, 403 account deactivated. */
  @Public()
  @Post('sign-in-link/check')
  @HttpCode(200)
  checkSignInLink(@Body() body: SignInLinkCheckDto, @Req() req: Req, @Res({ passthrough: true }) res: Response): Promise<SignInLinkView> {
    return this.links.check(body.token, req.ip ?? 'unknown').catch((e: unknown) => this.retryAfter(e, res));
  }

  /** The password chosen with a sign-in link: the link is spent, the agent signed in (or asked for their second factor). */
  @Public()
  @Post('sign-in-link/redeem')
  @HttpCode(200)
  async redeemSignInLink(
    @Body() body: SignInLinkRedeemDto,
    @Req() req: Req,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Me | SecondFactorChallenge> {
    const outcome = await this.links
      .redeem(body.token, body.newPassword, req.ip ?? 'unknown', req.get('user-agent') ?? null)
      .catch((e: unknown) => this.retryAfter(e, res));
    return this.answer(outcome, res);
  }

  @Authenticated()
  @AllowRestricted()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Req, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) await this.sessions.close(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Authenticated()
  @AllowRestricted()
  @Get('me')
  me(@CurrentAgent() agent: AuthenticatedAgent): Promise<Me> {
    return this.auth.me(agent);
  }

  /** The session works for another of the agent's communes from now on (GET /auth/me's `communes`); the agent as that commune sees it. */
  @Authenticated()
  @Put('commune')
  switchCommune(@Body() body: SwitchCommuneDto, @CurrentAgent() agent: AuthenticatedAgent, @Req() req: Req): Promise<Me> {
    return this.auth.switchCommune(req.cookies?.[SESSION_COOKIE] ?? '', agent, body.communeId, req.ip ?? null);
  }

  private answer(outcome: LoginOutcome, res: Response): Me | SecondFactorChallenge {
    if (outcome.kind === 'second_factor') {
      res.cookie(LOGIN_CHALLENGE_COOKIE, outcome.challengeToken, {
        httpOnly: true,
        sameSite: 'strict',
        secure: this.config.secureCookies,
        path: CHALLENGE_PATH,
        maxAge: CHALLENGE_SECONDS * 1000,
      });
      return outcome.challenge;
    }
    this.sessions.setCookie(res, outcome.session);
    return outcome.me;
  }

  private retryAfter(e: unknown, res: Response): never {
    if (e instanceof LoginThrottled) res.setHeader('Retry-After', String(e.retryAfterSeconds));
    throw e;
  }
}
