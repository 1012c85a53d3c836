import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type Redis from 'ioredis';
import { REDIS } from '../../infrastructure/redis.module';
import { Public } from '../auth/decorators';
import { GRC_VERSION } from '../../version';
import { HealthRepository } from './health.repository';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly postgres: HealthRepository,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Liveness, the release (package.json's version) and dependencies; PostgreSQL is required, Redis may be down (the system heals). */
  @Public()
  @Get()
  async health(): Promise<{ status: 'ok'; version: string; postgres: 'up'; redis: 'up' | 'down' }> {
    await this.postgres.ping();
    const redis = await Promise.race([
      this.redis
        .ping()
        .then(() => 'up' as const)
        .catch(() => 'down' as const),
      new Promise<'down'>((r) => setTimeout(() => r('down'), 500)),
    ]);
    return { status: 'ok', version: GRC_VERSION, postgres: 'up', redis };
  }
}
