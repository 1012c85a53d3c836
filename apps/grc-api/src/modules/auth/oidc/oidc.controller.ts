import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { IdentityProvider, LoginProvider } from '@grc/domain';
import { notFound } from '../../../common/problem';
import { GRC_CONFIG, GrcConfig } from '../../../config/config';
import { readEnvironment } from '../../../config/environment';
import type { Actor } from '../authenticated-agent';
import { Authenticated, CurrentActor, Public, RequirePermission } from '../decorators';
import { SESSION_COOKIE, SessionService } from '../session.service';
import { EndSessionDto, IdentityProviderDto, UpdateIdentityProviderDto } from './identity-provider.dto';
import { IdentityProvidersService } from './identity-providers.service';
import { OidcService, SsoRefusal, TRANSACTION_SECONDS } from './oidc.service';

/** The cookie that binds a sign-in under way to this browser (it holds the state; the server keeps its hash). */
export const STATE_COOKIE = 'grc_oidc_state';
const STATE_PATH = '/api/v1/auth/oidc';
const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFound('Fournisseur d’identité') });
type CookieRequest = Request & { cookies?: Record<string, string> };

/**
 * The town's public address (PUBLIC_URL), else the address this request came to: the redirect URIs
 * registered at the providers must be built from it, so PUBLIC_URL is needed behind a proxy (docs/sso.md).
 */
export function publicBase(req: Request): string {
  const configured = readEnvironment().PUBLIC_URL;
  return (configured || `${req.protocol}://${req.get('host') ?? 'localhost'}`).replace(/\/+$/, '');
}

/** Signing in through an identity provider (public) and the logout's way back to it. */
@ApiTags('auth')
@Controller('auth/oidc')
export class OidcController {
  constructor(
    private readonly oidc: OidcService,
    private readonly providers: IdentityProvidersService,
    private readonly sessions: SessionService,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
  ) {}

  /** The enabled providers, for the login page's buttons. */
  @Public()
  @Get('providers')
  list(): Promise<LoginProvider[]> {
    return this.providers.listEnabled();
  }

  /** Sends the browser to the provider (302); back to /login?sso_error=… when the provider is unknown or unreachable. */
  @Public()
  @Get(':provider/start')
  @ApiFoundResponse({ description: 'redirect to the identity provider, or to /login?sso_error=<code>' })
  async start(@Param('provider') slug: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const { url, state } = await this.oidc.start(slug, publicBase(req));
      res.cookie(STATE_COOKIE, state, {
        httpOnly: true,
        // Lax: the provider's redirect back is a top-level navigation from another site
        sameSite: 'lax',
        secure: this.config.secureCookies,
        path: STATE_PATH,
        maxAge: TRANSACTION_SECONDS * 1000,
      });
      res.redirect(302, url);
    } catch (e) {
      this.refuse(res, e);
    }
  }

  /** The provider's answer: opens the local session and goes to the inbox, or back to /login?sso_error=…. */
  @Public()
  @Get(':provider/callback')
  @ApiFoundResponse({ description: 'redirect to the console, or to /login?sso_error=<code>' })
  async callback(
    @Param('provider') slug: string,
    @Query() query: Record<string, unknown>,
    @Req() req: CookieRequest,
    @Res() res: Response,
  ): Promise<void> {
    res.clearCookie(STATE_COOKIE, { path: STATE_PATH });
    try {
      const base = publicBase(req);
      const session = await this.oidc.callback(
        slug,
        base,
        query,
        req.cookies?.[STATE_COOKIE],
        req.ip ?? null,
        req.get('user-agent') ?? null,
      );
      // the same cookie as a password login: the town's lifetime and kind of cookie (security settings)
      this.sessions.setCookie(res, session);
      res.redirect(302, '/inbox');
    } catch (e) {
      this.refuse(res, e);
    }
  }

  /** Where the console sends the browser after POST /auth/logout to end the provider's session too (null: nowhere). */
  @Authenticated()
  @Get('end-session')
  async endSession(@Req() req: CookieRequest): Promise<EndSessionDto> {
    return { url: await this.oidc.endSessionUrl(req.cookies?.[SESSION_COOKIE], publicBase(req)) };
  }

  private refuse(res: Response, e: unknown): void {
    if (!(e instanceof SsoRefusal)) throw e;
    res.redirect(302, `/login?sso_error=${e.code}`);
  }
}

/** The identity providers' administration. */
@ApiTags('admin')
@Controller('admin/identity-providers')
export class IdentityProvidersController {
  constructor(private readonly providers: IdentityProvidersService) {}

  @RequirePermission('admin.config')
  @Get()
  list(@Req() req: Request): Promise<IdentityProvider[]> {
    return this.providers.list(publicBase(req));
  }

  @RequirePermission('admin.config')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: IdentityProviderDto, @Req() req: Request): Promise<IdentityProvider> {
    return this.providers.create(actor, dto, publicBase(req));
  }

  @RequirePermission('admin.config')
  @Put(':id')
  update(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateIdentityProviderDto,
    @Req() req: Request,
  ): Promise<IdentityProvider> {
    return this.providers.update(actor, id, dto, publicBase(req));
  }

  @RequirePermission('admin.config')
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<void> {
    return this.providers.remove(actor, id);
  }
}

export const OIDC_CONTROLLERS = [OidcController, IdentityProvidersController];
