import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ProblemException } from '../../common/problem';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { readEnvironment } from '../../config/environment';
import { REDIS } from '../../infrastructure/redis.module';

export type PublicBucket = 'create' | 'message' | 'read';

/** Requests per IP and per window; GRC_PUBLIC_RATE_LIMIT sets the creations (default 5 per 10 minutes). */
export interface PublicLimits {
  windowSeconds: number;
  create: number;
  message: number;
  read: number;
}

export function publicLimits(env: NodeJS.ProcessEnv = process.env): PublicLimits {
  const e = readEnvironment(env);
  const create = e.GRC_PUBLIC_RATE_LIMIT;
  return {
    windowSeconds: e.GRC_PUBLIC_RATE_WINDOW_SECONDS,
    create,
    message: Math.max(create * 2, 10),
    read: Math.max(create * 20, 120),
  };
}
export const PUBLIC_LIMITS = Symbol('PUBLIC_LIMITS');

const BUCKET_KEY = 'grc:public-bucket';
/** The rate-limit bucket of a public route (checked before the body is read: multer runs after guards). */
export const RateLimited = (bucket: PublicBucket) => SetMetadata(BUCKET_KEY, bucket);

/**
 * Fixed windows per IP counted in Redis (shared by every API instance) with rate-limiter-flexible. When
 * Redis is unreachable each bucket answers from its in-memory insurance limiter (per process): the form
 * stays limited, never open.
 */
@Injectable()
export class PublicRateLimitGuard implements CanActivate {
  private readonly buckets: Record<PublicBucket, RateLimiterRedis>;
  constructor(
    private readonly reflector: Reflector,
    @Inject(REDIS) redis: Redis,
    @Inject(GRC_CONFIG) config: GrcConfig,
    @Inject(PUBLIC_LIMITS) private readonly limits: PublicLimits,
  ) {
    const bucket = (name: PublicBucket) => {
      const opts = { points: limits[name], duration: limits.windowSeconds };
      return new RateLimiterRedis({
        ...opts,
        storeClient: redis,
        keyPrefix: `${config.queuePrefix}:public:${name}`,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ ...opts, keyPrefix: `public:${name}` }),
      });
    };
    this.buckets = { create: bucket('create'), message: bucket('message'), read: bucket('read') };
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const bucket = this.reflector.get<PublicBucket | undefined>(BUCKET_KEY, ctx.getHandler());
    if (!bucket) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    try {
      await this.buckets[bucket].consume(req.ip ?? 'unknown');
      return true;
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      const retry = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      ctx.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retry));
      throw new ProblemException(
        429,
        'Trop de requêtes',
        `Trop de demandes envoyées depuis cette connexion. Réessayez dans ${Math.ceil(retry / 60)} minute(s).`,
        [{ field: '', message: 'Trop de demandes.', code: 'rate_limited' }],
      );
    }
  }
}
