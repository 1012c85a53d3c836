import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { REDIS } from '../../infrastructure/redis.module';
import { HealthRepository } from './health.repository';

const TIMEOUT_MS = 1_000;

export interface ProbeAnswer {
  /** 200 (serve me) or 503 (not now) */
  status: 200 | 503;
  body: HealthCheckResult;
}

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

/**
 * Kubernetes' probes (@nestjs/terminus), for both roles (the worker answers them on its metrics port):
 * - liveness: the process and its event loop answer; no dependency is checked (a database outage must not
 *   restart every pod);
 * - readiness: PostgreSQL answers, every migration of this build is applied (a new image waits for the
 *   migration Job), Redis answers. Redis is required for the worker (its queues); for the api (and all) role a lost
 *   Redis is reported (`reachable: false`) but the pod stays ready, because requests never wait on Redis and the system heals
 *   (docs/architecture.md) — so that a Redis restart does not take every API pod out of the Service.
 */
@Injectable()
export class ProbesService {
  /** once applied, migrations stay applied for this process */
  private migrated = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly postgres: HealthRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
  ) {}

  live(): Promise<ProbeAnswer> {
    return this.run([
      async () => this.indicator.check('process').up({ role: this.config.role, uptimeSeconds: Math.round(process.uptime()) }),
    ]);
  }

  ready(): Promise<ProbeAnswer> {
    return this.run([
      () => this.typeorm.pingCheck('database', { timeout: TIMEOUT_MS }),
      async () => {
        const check = this.indicator.check('migrations');
        try {
          if (!this.migrated) this.migrated = !(await within(this.postgres.pendingMigrations(), TIMEOUT_MS));
          return this.migrated ? check.up() : check.down({ message: 'pending' });
        } catch (e) {
          return check.down({ message: (e as Error).message });
        }
      },
      async () => {
        const check = this.indicator.check('redis');
        try {
          await within(this.redis.ping(), TIMEOUT_MS);
          return check.up();
        } catch (e) {
          const message = (e as Error).message;
          return this.config.role === 'worker' ? check.down({ message }) : check.up({ reachable: false, message });
        }
      },
    ]);
  }

  private async run(checks: Parameters<HealthCheckService['check']>[0]): Promise<ProbeAnswer> {
    try {
      return { status: 200, body: await this.health.check(checks) };
    } catch (e) {
      if (e instanceof ServiceUnavailableException) return { status: 503, body: e.getResponse() as HealthCheckResult };
      throw e;
    }
  }
}
