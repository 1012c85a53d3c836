import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { createHash } from 'node:crypto';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { readEnvironment } from '../../config/environment';
import { REDIS } from '../../infrastructure/redis.module';
import { Open311KeysRepository } from './open311-keys.repository';
import { Open311Error } from './open311.errors';

/** GET requests per window: per IP, and per known api_key (a partner app serving many people behind one address). */
export interface Open311Limits {
  windowSeconds: number;
  perIp: number;
  perKey: number;
}

export function open311Limits(env: NodeJS.ProcessEnv = process.env): Open311Limits {
  const e = readEnvironment(env);
  return {
    windowSeconds: e.GRC_OPEN311_RATE_WINDOW_SECONDS,
    perIp: e.GRC_OPEN311_RATE_LIMIT,
    perKey: e.GRC_OPEN311_KEY_RATE_LIMIT,
  };
}
export const OPEN311_LIMITS = Symbol('OPEN311_LIMITS');

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Rate limit of Open311's GET routes (rate-limiter-flexible): counted in Redis, shared by every API instance;
 * when Redis is not ready, each process counts in memory (the insurance limiter) — an outage never lets
 * a scraper through. The bucket is the api_key when it is a known, unrevoked one (an invented key does not
 * open a new bucket), else the IP. Past the limit: 429 in the standard's error format, with Retry-After.
 */
@Injectable()
export class Open311ReadLimitGuard implements CanActivate {
  private readonly log = new Logger('Open311RateLimit');
  private readonly byIp: RateLimiterRedis;
  private readonly byKey: RateLimiterRedis;

  constructor(
    private readonly keys: Open311KeysRepository,
    @Inject(REDIS) redis: Redis,
    @Inject(GRC_CONFIG) config: GrcConfig,
    @Inject(OPEN311_LIMITS) limits: Open311Limits,
  ) {
    const make = (name: string, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.queuePrefix}:open311:${name}`,
        points,
        duration: limits.windowSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `open311:${name}`, points, duration: limits.windowSeconds }),
      });
    this.byIp = make('ip', limits.perIp);
    this.byKey = make('key', limits.perKey);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (req.method !== 'GET') return true;
    const keyHash = await this.knownKey(req.query['api_key']);
    try {
      if (keyHash) await this.byKey.consume(keyHash);
      else await this.byIp.consume(req.ip ?? 'unknown');
      return true;
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) {
        // both stores failed (should not happen: the insurance is in memory): refuse rather than let it through
        this.log.warn(`rate limiter failed: ${(e as Error).message}`);
        throw new Open311Error(429, 'Trop de requêtes : le service est momentanément limité. Réessayez dans une minute.');
      }
      const seconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      ctx.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(seconds));
      throw new Open311Error(
        429,
        `Trop de requêtes depuis ${keyHash ? 'cette clé' : 'cette adresse'} : réessayez dans ${seconds} seconde(s).`,
      );
    }
  }

  private async knownKey(value: unknown): Promise<string | null> {
    if (typeof value !== 'string' || value === '' || value.length > 200) return null;
    const hash = sha256Hex(value);
    return (await this.keys.findActive(hash)) ? hash : null;
  }
}
