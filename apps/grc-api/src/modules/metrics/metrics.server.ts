import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import cluster from 'node:cluster';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { ProbesService } from '../health/probes.service';
import { MetricsRegistry } from './metrics.registry';

/** The probes' paths on the operations port (the worker's Kubernetes probes). */
export const PROBE_PATHS = { live: '/health/live', ready: '/health/ready' } as const;

/**
 * In one of GRC_API_WORKERS processes: the primary (cli/cluster.ts) asks each process for its registry over
 * IPC (prom-client's AggregatorRegistry) instead of each process opening the operations port.
 */
export function answerClusterMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs the process side's IPC listener
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the request carries `Authorization: Bearer <GRC_METRICS_TOKEN>` (compared in constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return !!m && timingSafeEqual(digest(m[1]!), digest(token));
}

/**
 * The operations port (GRC_METRICS_PORT), in every role: `GET /metrics` (Prometheus text format; with
 * GRC_METRICS_TOKEN set, only with `Authorization: Bearer <token>`), `GET /health/live` and
 * `GET /health/ready` (the same probes as /api/v1/health/*, for the worker, which has no HTTP port
 * otherwise). Kept off the public port: the console's port never serves /metrics, so a town's reverse
 * proxy cannot expose it by mistake, and a NetworkPolicy can open this port to Prometheus alone.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Metrics');
  private server: Server | null = null;

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly probes: ProbesService,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.metrics;
    if (port === null) return;
    // one of GRC_API_WORKERS processes (cli/cluster.ts): the primary serves the operations port, summing the
    // processes' registries, which it asks for over IPC
    if (cluster.isWorker && this.config.apiWorkers > 1) return answerClusterMetrics(this.metrics.registry);
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    server.on('error', (e) => this.log.warn(`metrics port: ${e.message}`));
    this.server = server;
    this.log.log(`metrics and probes on http://${host}:${(server.address() as AddressInfo).port}/metrics`);
  }

  /** The port it listens on (GRC_METRICS_PORT=0 picks a free one: the tests), null when off. */
  port(): number | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : null;
  }

  async onApplicationShutdown(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return this.send(res, 405, 'text/plain', 'method not allowed\n', { Allow: 'GET, HEAD' });
      if (path === '/metrics') {
        const token = this.config.metrics.token;
        if (token && !bearerMatches(req.headers.authorization, token))
          return this.send(res, 401, 'text/plain', 'unauthorized\n', { 'WWW-Authenticate': 'Bearer realm="grc-metrics"' });
        return this.send(res, 200, this.metrics.contentType, await this.metrics.metrics());
      }
      if (path === PROBE_PATHS.live || path === PROBE_PATHS.ready) {
        const { status, body } = path === PROBE_PATHS.live ? await this.probes.live() : await this.probes.ready();
        return this.send(res, status, 'application/json', JSON.stringify(body));
      }
      return this.send(res, 404, 'text/plain', 'not found\n');
    } catch (e) {
      this.log.warn(`metrics port: ${(e as Error).message}`);
      if (!res.headersSent) this.send(res, 500, 'text/plain', 'error\n');
    }
  }

  private send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
    res.end(body);
  }
}
