import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Me } from '@grc/domain';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { LoginDto } from './auth.dto';
import { AuthService } from './auth.service';
import type { AuthenticatedAgent } from './authenticated-agent';
import { Authenticated, CurrentAgent, Public } from './decorators';
import { LoginThrottled } from './login-throttle';
import { SESSION_COOKIE, SessionService } from './session.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<Me> {
    const { token, expiresAt, me } = await this.auth
      .login(body.email, body.password, req.ip ?? 'unknown', req.get('user-agent') ?? null, this.config.sessionTtlHours)
      .catch((e: unknown) => {
        if (e instanceof LoginThrottled) res.setHeader('Retry-After', String(e.retryAfterSeconds));
        throw e;
      });
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.secureCookies,
      path: '/',
      expires: expiresAt,
    });
    return me;
  }

  @Authenticated()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request & { cookies?: Record<string, string> }, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) await this.sessions.close(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Authenticated()
  @Get('me')
  me(@CurrentAgent() agent: AuthenticatedAgent): Promise<Me> {
    return this.auth.me(agent);
  }
}
