import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { hasPermission, type Permission } from '@grc/domain';
import { forbidden, ProblemException } from '../../common/problem';
import { enterCommune } from '../../database/tenancy';
import { isRestricted } from './authenticated-agent';
import { ALLOW_RESTRICTED_KEY, AUTHENTICATED_KEY, PERMISSION_KEY, PUBLIC_KEY } from './decorators';
import { SESSION_COOKIE, SessionService } from './session.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Deny by default: a route without a declared permission is refused. State-changing requests must
 * carry `X-Requested-With: grc`, which a cross-site form cannot send (CSRF, on top of SameSite=Strict).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest<Request & { agent?: unknown }>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets);
    const permission = this.reflector.getAllAndOverride<Permission>(PERMISSION_KEY, targets);
    const anyAgent = this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_KEY, targets);
    const csrfExempt = req.originalUrl.startsWith('/open311/');
    if (!SAFE_METHODS.has(req.method) && !csrfExempt && req.get('x-requested-with') !== 'grc') {
      throw forbidden('En-tête X-Requested-With: grc manquant (protection contre les requêtes intersites).');
    }
    if (isPublic) return true;
    if (!permission && !anyAgent) throw forbidden('Cette route ne déclare aucune permission : accès refusé par défaut.');

    const token = (req as Request & { cookies?: Record<string, string> }).cookies?.[SESSION_COOKIE];
    const agent = token ? await this.sessions.resolve(token) : null;
    if (!agent) throw new ProblemException(401, 'Authentification requise', 'Votre session a expiré ou vous n’êtes pas connecté.');
    req.agent = agent;
    // from here on the request works for the session's commune (database/tenancy.ts)
    if (agent.communeId) enterCommune(agent.communeId);
    // a forced password change or a second factor the town requires comes before anything else
    if (isRestricted(agent) && !this.reflector.getAllAndOverride<boolean>(ALLOW_RESTRICTED_KEY, targets)) {
      const password = agent.mustChangePassword === true;
      const detail = password
        ? 'Un administrateur a réinitialisé votre mot de passe : choisissez-en un nouveau avant de continuer.'
        : 'La commune exige un second facteur pour les administrateurs : enrôlez votre application d’authentification avant de continuer.';
      throw new ProblemException(403, 'Accès refusé', detail, [
        { field: '', message: detail, code: password ? 'password_change_required' : 'second_factor_enrolment_required' },
      ]);
    }
    if (permission && !hasPermission(agent.role, permission, agent)) throw forbidden();
    return true;
  }
}
