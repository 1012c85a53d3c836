import { CanActivate, ExecutionContext, Inject, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import { ProblemException } from '../../common/problem';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { REDIS } from '../../infrastructure/redis.module';

export type PublicBucket = 'create' | 'message' | 'read';

/** Requests per IP and per window; GRC_PUBLIC_RATE_LIMIT sets the creations (default 5 per 10 minutes). */
export interface PublicLimits { windowSeconds: number; create: number; message: number; read: number }

export function publicLimits(env: NodeJS.ProcessEnv = process.env): PublicLimits {
  const int = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);
  const create = int(env['GRC_PUBLIC_RATE_LIMIT'], 5);
  return { windowSeconds: int(env['GRC_PUBLIC_RATE_WINDOW_SECONDS'], 600), create, message: Math.max(create * 2, 10), read: Math.max(create * 20, 120) };
}
export const PUBLIC_LIMITS = Symbol('PUBLIC_LIMITS');

const BUCKET_KEY = 'grc:public-bucket';
/** The rate-limit bucket of a public route (checked before the body is read: multer runs after guards). */
export const RateLimited = (bucket: PublicBucket) => SetMetadata(BUCKET_KEY, bucket);

/**
 * Fixed windows per IP counted in Redis (shared by every API instance), as the login limiter does. When
 * Redis is unreachable the request goes through: availability beats the limiter; the failure is logged.
 */
@Injectable()
export class PublicRateLimitGuard implements CanActivate {
  private readonly log = new Logger('PublicRateLimit');
  constructor(
    private readonly reflector: Reflector,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    @Inject(PUBLIC_LIMITS) private readonly limits: PublicLimits,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const bucket = this.reflector.get<PublicBucket | undefined>(BUCKET_KEY, ctx.getHandler());
    if (!bucket) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const window = Math.floor(Date.now() / (this.limits.windowSeconds * 1000));
    const key = `${this.config.queuePrefix}:public:${bucket}:${req.ip ?? 'unknown'}:${window}`;
    let count = 0;
    try {
      const res = await this.redis.multi().incr(key).expire(key, this.limits.windowSeconds * 2).exec();
      count = Number(res?.[0]?.[1] ?? 0);
    } catch (e) {
      this.log.warn(`rate limiter unavailable: ${(e as Error).message}`);
      return true;
    }
    if (count > this.limits[bucket]) {
      const retry = this.limits.windowSeconds - Math.floor((Date.now() / 1000) % this.limits.windowSeconds);
      ctx.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retry));
      throw new ProblemException(429, 'Trop de requêtes',
        `Trop de demandes envoyées depuis cette connexion. Réessayez dans ${Math.ceil(retry / 60)} minute(s).`,
        [{ field: '', message: 'Trop de demandes.', code: 'rate_limited' }]);
    }
    return true;
  }
}
