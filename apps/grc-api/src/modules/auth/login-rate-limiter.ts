import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { REDIS } from '../../infrastructure/redis.module';

/**
 * Fixed one-minute windows per IP and per e-mail, counted in Redis so every API instance shares them.
 * If Redis is unreachable, logins still work (availability beats the limiter) and the failure is logged.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly log = new Logger('LoginRateLimiter');
  constructor(@Inject(REDIS) private readonly redis: Redis, @Inject(GRC_CONFIG) private readonly config: GrcConfig) {}

  /** Counts the attempt; true when the caller is over the limit. */
  async hit(ip: string, email: string): Promise<boolean> {
    const window = Math.floor(Date.now() / 60_000);
    const prefix = `${this.config.queuePrefix}:login`;
    const keys = [`${prefix}:ip:${ip}:${window}`, `${prefix}:email:${email.toLowerCase()}:${window}`];
    try {
      const multi = this.redis.multi();
      for (const k of keys) multi.incr(k).expire(k, 120);
      const res = await multi.exec();
      const counts = (res ?? []).filter((_, i) => i % 2 === 0).map(([, v]) => Number(v));
      return counts.some((c) => c > this.config.loginRateLimit);
    } catch (e) {
      this.log.warn(`rate limiter unavailable: ${(e as Error).message}`);
      return false;
    }
  }
}
