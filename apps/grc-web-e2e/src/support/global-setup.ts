import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserServer } from 'playwright-core';
import { CHROMIUM_ARGS, E2E_ENV, databaseUrlFor, pgAdmin } from './env';

/** Handles shared with the global teardown (same process, same globalThis). */
export interface E2eState {
  dbName: string;
  dataDir: string;
  queuePrefix: string;
  server?: ChildProcess;
  browser?: BrowserServer;
}
declare global {
  var __GRC_E2E__: E2eState | undefined;
}

const ROOT = resolve(__dirname, '../../../..');
const MAIN = join(ROOT, 'dist/apps/grc-api/main.js');
const START_TIMEOUT_MS = Number(process.env['GRC_E2E_START_TIMEOUT_MS'] ?? 180_000);

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls GET /api/v1/health until it answers 200, the process dies, or the time is up. */
async function waitForHealth(baseUrl: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(
        `the GRC server exited (code ${server.exitCode}, signal ${server.signalCode}) before it was healthy.\n--- server output ---\n${output()}`,
      );
    }
    try {
      const r = await fetch(`${baseUrl}/api/v1/health`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return;
      last = `HTTP ${r.status} ${await r.text()}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await sleep(300);
  }
  throw new Error(`the GRC server was not healthy after ${START_TIMEOUT_MS} ms (last: ${last}).\n--- server output ---\n${output()}`);
}

export default async function globalSetup(): Promise<void> {
  const stamp = Date.now().toString(36);
  const dbName = `grc_e2e_${process.pid}_${stamp}`;
  const state: E2eState = {
    dbName,
    dataDir: mkdtempSync(join(tmpdir(), 'grc-e2e-data-')),
    queuePrefix: `grc-e2e-${process.pid}-${stamp}`,
  };
  globalThis.__GRC_E2E__ = state;
  try {
    await start(state);
  } catch (e) {
    // Jest skips the global teardown when the setup throws: clean up here.
    const { default: teardown } = await import('./global-teardown');
    await teardown();
    throw e;
  }
}

async function start(state: E2eState): Promise<void> {
  await pgAdmin(`CREATE DATABASE ${state.dbName}`);
  const databaseUrl = databaseUrlFor(state.dbName);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;

  let output = '';
  const server = spawn(process.execPath, [MAIN, 'serve', '--migrate', '--demo', 'packs/demo-town'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      PORT: String(port),
      HOST: '127.0.0.1',
      GRC_ROLE: 'all',
      GRC_ROOT: ROOT,
      GRC_QUEUE_PREFIX: state.queuePrefix,
      GRC_DATA_DIR: state.dataDir,
      // the specs log in several times from the same address
      GRC_LOGIN_ACCOUNT_FAILURES: '1000',
      GRC_LOGIN_IP_FAILURES: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  state.server = server;
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
    if (process.env['GRC_E2E_VERBOSE'] === 'true') process.stderr.write(chunk);
  };
  server.stdout?.on('data', collect);
  server.stderr?.on('data', collect);
  server.on('error', (e) => (output += `\n[spawn error] ${e.message}\n`));

  await waitForHealth(baseUrl, server, () => output || '(no output)');

  state.browser = await chromium.launchServer({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });

  process.env[E2E_ENV.baseUrl] = baseUrl;
  process.env[E2E_ENV.databaseUrl] = databaseUrl;
  process.env[E2E_ENV.wsEndpoint] = state.browser.wsEndpoint();
  process.stdout.write(`\n[grc-web-e2e] server ${baseUrl}, database ${state.dbName}\n`);
}
