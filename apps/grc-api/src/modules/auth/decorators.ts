import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Permission } from '@grc/domain';
import type { Actor, AuthenticatedAgent } from './authenticated-agent';

export const PERMISSION_KEY = 'grc:permission';
export const PUBLIC_KEY = 'grc:public';
export const AUTHENTICATED_KEY = 'grc:authenticated';

/** The permission a route needs. Every route declares one of these three (checked at start-up). */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);
/** Any logged-in agent. */
export const Authenticated = () => SetMetadata(AUTHENTICATED_KEY, true);
/** No login needed (login itself, health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentAgent = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthenticatedAgent => ctx.switchToHttp().getRequest().agent,
);
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest();
  return { agent: req.agent, ip: req.ip ?? null };
});

export const ALLOW_RESTRICTED_KEY = 'grc:allow-restricted';
/**
 * Reachable by a restricted session too (a forced password change, a second factor the town requires
 * and the agent has not enrolled): the account's own routes, `me` and logout.
 */
export const AllowRestricted = () => SetMetadata(ALLOW_RESTRICTED_KEY, true);

/** The raw session token of the request (its cookie), for the routes that act on "this session". */
export const SessionToken = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest().cookies?.['grc_session'] ?? '',
);
