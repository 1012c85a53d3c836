import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Me } from '@grc/domain';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { ProblemException } from '../../common/problem';
import { LoginDto } from './auth.dto';
import { AuthService } from './auth.service';
import type { AuthenticatedAgent } from './authenticated-agent';
import { Authenticated, CurrentAgent, Public } from './decorators';
import { LoginRateLimiter } from './login-rate-limiter';
import { SESSION_COOKIE, SessionService } from './session.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly limiter: LoginRateLimiter,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<Me> {
    const ip = req.ip ?? 'unknown';
    if (await this.limiter.hit(ip, body.email)) {
      throw new ProblemException(429, 'Trop de tentatives', 'Trop de tentatives de connexion. Patientez une minute avant de réessayer.');
    }
    const agentId = await this.auth.verify(body.email, body.password, ip);
    const { token, expiresAt } = await this.sessions.open(agentId, this.config.sessionTtlHours, ip, req.get('user-agent') ?? null);
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true, sameSite: 'strict', secure: this.config.secureCookies, path: '/', expires: expiresAt,
    });
    const agent = await this.sessions.resolve(token);
    return this.auth.me(agent!);
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
