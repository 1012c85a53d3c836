import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { GRC_CONFIG, GrcConfig } from '../config/config';

export const REDIS = Symbol('REDIS');

/** One shared ioredis connection for rate limits and queue producers (BullMQ workers open their own). */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [GRC_CONFIG],
      useFactory: (config: GrcConfig) =>
        new Redis(config.redisUrl, { maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false }),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    // a Redis that is gone would keep QUIT queued for ever: a pod must still stop within its grace period
    const quit = this.redis.quit().catch(() => undefined);
    await Promise.race([quit, new Promise((r) => setTimeout(r, 2_000).unref())]);
    this.redis.disconnect();
  }
}
