import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../../infrastructure/redis.module';
import { Public } from '../auth/decorators';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Liveness and dependencies; PostgreSQL is required, Redis may be down (the system heals). */
  @Public()
  @Get()
  async health(): Promise<{ status: 'ok'; postgres: 'up'; redis: 'up' | 'down' }> {
    await this.db.query('SELECT 1');
    const redis = await Promise.race([
      this.redis
        .ping()
        .then(() => 'up' as const)
        .catch(() => 'down' as const),
      new Promise<'down'>((r) => setTimeout(() => r('down'), 500)),
    ]);
    return { status: 'ok', postgres: 'up', redis };
  }
}
