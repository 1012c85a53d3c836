import { Logger } from '@nestjs/common';
import cluster, { type Worker } from 'node:cluster';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';
import type { GrcConfig } from '../config/config';
import { bearerMatches, PROBE_PATHS } from '../modules/metrics/metrics.server';

/** What a cluster process tells the primary once its HTTP port listens. */
export const READY_MESSAGE = 'grc:listening';
/** A process that dies within this long after its start is not restarted at once (a crash loop). */
const QUICK_DEATH_MS = 5_000;
const PROBE_TIMEOUT_MS = 2_000;

/** Whether `grc serve` runs as the primary of `GRC_API_WORKERS` processes (roles api and all). */
export const clusterPrimary = (config: GrcConfig): boolean => config.apiWorkers > 1 && config.role !== 'worker' && cluster.isPrimary;

/** In a cluster process: tells the primary that the HTTP port listens (readiness of the whole). */
export function announceListening(): void {
  if (cluster.isWorker) process.send?.({ type: READY_MESSAGE });
}

/**
 * The primary of `GRC_API_WORKERS` processes sharing the HTTP port (node:cluster: the primary accepts
 * and hands connections out round-robin). Each process is the whole app of its role (same pool size,
 * same BullMQ workers in role `all`): sessions, caches, rate limits and live events already live in
 * PostgreSQL and Redis, as for several pods. The primary holds no database connection; it restarts a
 * process that dies, stops them all on SIGTERM/SIGINT, and serves on GRC_METRICS_PORT `/metrics`
 * summed over the processes (queue depths and backlogs, read from the shared stores, are taken once:
 * aggregator `max`) and the probes: live while a process runs, ready when every process listens and
 * the API's own readiness (database, Redis, migrations) answers 200.
 */
export async function runClusterPrimary(config: GrcConfig, host: string): Promise<void> {
  const log = new Logger('cluster');
  const listening = new Set<number>();
  const startedAt = new Map<number, number>();
  let stopping = false;

  const fork = (): Worker => {
    const w = cluster.fork();
    startedAt.set(w.id, Date.now());
    w.on('message', (m: { type?: string }) => {
      if (m?.type === READY_MESSAGE) listening.add(w.id);
    });
    return w;
  };
  cluster.on('exit', (w, code, signal) => {
    listening.delete(w.id);
    const lived = Date.now() - (startedAt.get(w.id) ?? 0);
    startedAt.delete(w.id);
    if (stopping) return;
    log.warn(`process ${w.process.pid} ended (${signal ?? code}); starting another`);
    setTimeout(fork, lived < QUICK_DEATH_MS ? QUICK_DEATH_MS : 0).unref();
  });
  for (let i = 0; i < config.apiWorkers; i++) fork();

  const aggregator = new AggregatorRegistry<PrometheusContentType>();
  const ops = config.metrics.port === null ? null : await opsServer(config, host, aggregator, () => listening.size);
  log.log(`${config.apiWorkers} processes (${config.role}) sharing port ${config.port}`);

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} processes`);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    const done = () => {
      if (Object.keys(cluster.workers ?? {}).length) return;
      ops?.close();
      process.exit(0);
    };
    cluster.on('exit', done);
    done();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function opsServer(
  config: GrcConfig,
  host: string,
  aggregator: AggregatorRegistry<PrometheusContentType>,
  listening: () => number,
): Promise<Server> {
  const apiBase = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${config.port}`;
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      const token = config.metrics.token;
      if (token && !bearerMatches(req.headers.authorization, token)) return send(res, 401, 'text/plain', 'unauthorized\n');
      return send(res, 200, aggregator.contentType, await aggregator.clusterMetrics());
    }
    if (path === PROBE_PATHS.live) {
      const n = listening();
      return send(res, n > 0 ? 200 : 503, 'application/json', JSON.stringify({ status: n > 0 ? 'ok' : 'starting', processes: n }));
    }
    if (path === PROBE_PATHS.ready) {
      const n = listening();
      if (n < config.apiWorkers)
        return send(res, 503, 'application/json', JSON.stringify({ status: 'starting', processes: n, expected: config.apiWorkers }));
      // one of the processes answers for the shared stores (database, Redis, migrations)
      const r = await fetch(`${apiBase}/api/v1${PROBE_PATHS.ready}`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).catch(() => null);
      const body = r ? await r.text() : JSON.stringify({ status: 'error', error: 'the API did not answer' });
      return send(res, r?.status ?? 503, 'application/json', body);
    }
    return send(res, 404, 'text/plain', 'not found\n');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) send(res, 500, 'text/plain', `${e.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metrics.port ?? 0, config.metrics.host, () => resolve());
  });
  new Logger('cluster').log(
    `metrics (all processes) and probes on http://${config.metrics.host}:${(server.address() as AddressInfo).port}/metrics`,
  );
  return server;
}
