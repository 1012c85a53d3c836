import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

export const ROOT = resolve(__dirname, '../../..');
export const MAIN = join(ROOT, 'dist/apps/grc-api/main.js');
export const STARTER = join(ROOT, 'packs/starter-town');

const serverUrl = () => process.env['E2E_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const databaseUrlFor = (name: string, password?: string) => {
  const u = new URL(serverUrl());
  u.pathname = `/${name}`;
  if (password) u.password = password;
  return u.toString();
};

export async function pg<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A database of its own, dropped by the returned function. */
export async function emptyDatabase(tag: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npx nx build grc-api\` (or \`npx nx run grc-api:e2e\`)`);
  const name = `grc_cli_${tag}_${process.pid}_${Date.now().toString(36)}`;
  await pg(serverUrl(), `CREATE DATABASE ${name}`);
  return {
    name,
    url: databaseUrlFor(name),
    drop: async () => {
      if (process.env['GRC_KEEP_TEST_DB'] !== 'true') await pg(serverUrl(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** A copy of the starter pack to change. */
export function copyOfStarterPack(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'grc-pack-')), 'my-town');
  cpSync(STARTER, dir, { recursive: true });
  return dir;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `grc <args>` as a separate process (the built main.js), with this environment on top of a clean one. */
export function grc(args: string[], env: Record<string, string>, script = MAIN, as?: { uid: number; gid: number }): Promise<Run> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env }, timeout: 170_000, ...as },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        res({ code, stdout, stderr });
      },
    );
  });
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** `grc serve` in the background, resolved once /api/v1/health answers. */
export async function serve(
  env: Record<string, string>,
): Promise<{ url: string; process: ChildProcess; output(): string; stop(): Promise<void> }> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`grc serve exited with ${child.exitCode}:\n${output}`);
    try {
      const r = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`grc serve was not healthy in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

/** A tiny cookie-keeping HTTP client speaking to the console's API as the console does. */
export class Browserless {
  private cookies = new Map<string, string>();
  constructor(private readonly base: string) {}
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, read by the spec
  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        'X-Requested-With': 'grc',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(this.cookies.size ? { Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: r.status, body: parsed };
  }
}
