import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { pgAdmin } from './env';

function stop(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}

/** Removes the BullMQ keys of this run's queue prefix. */
async function dropQueueKeys(prefix: string): Promise<void> {
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__GRC_E2E__;
  if (!state) return;
  globalThis.__GRC_E2E__ = undefined;
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      problems.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const { browser, server } = state;
  if (browser) await attempt('close Chromium', () => browser.close());
  if (server) await attempt('stop the server', () => stop(server));
  if (process.env['GRC_E2E_KEEP_DB'] !== 'true') {
    await attempt('drop the database', () => pgAdmin(`DROP DATABASE IF EXISTS ${state.dbName} WITH (FORCE)`));
  }
  await attempt('clean Redis', () => dropQueueKeys(state.queuePrefix));
  await attempt('remove the data folder', async () => rmSync(state.dataDir, { recursive: true, force: true }));
  if (problems.length) process.stderr.write(`[grc-web-e2e] teardown: ${problems.join('; ')}\n`);
}
