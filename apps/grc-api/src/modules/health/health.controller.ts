import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type Redis from 'ioredis';
import { REDIS } from '../../infrastructure/redis.module';
import { Public } from '../auth/decorators';
import { GRC_VERSION } from '../../version';
import { HealthRepository } from './health.repository';
import { ProbesService } from './probes.service';
import type { HealthCheckResult } from '@nestjs/terminus';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly postgres: HealthRepository,
    private readonly probes: ProbesService,
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

  /** Kubernetes' liveness probe: the process answers (no dependency checked). */
  @Public()
  @Get('live')
  @ApiOkResponse({ description: 'alive' })
  async live(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const { status, body } = await this.probes.live();
    res.status(status);
    return body;
  }

  /** Kubernetes' readiness probe: PostgreSQL, migrations applied, Redis (degraded, not down, for the api role). */
  @Public()
  @Get('ready')
  @ApiOkResponse({ description: 'ready' })
  @ApiServiceUnavailableResponse({ description: 'not ready: a dependency is down or migrations are pending' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const { status, body } = await this.probes.ready();
    res.status(status);
    return body;
  }
}
