#!/usr/bin/env node
/**
 * `npm run grc -- <command>` (or `npx grc <command>`) on a clone: the `grc` administration command line
 * (apps/grc-api/src/cli). Builds grc-api first when the build is missing or older than the sources (and the
 * console too for `serve`), its output on stderr so that a command's own output stays clean, then runs
 * `node dist/apps/grc-api/main.js <command>` in the directory the command was typed in. In the Docker image `grc`
 * is that same main.js.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const main = join(root, 'dist/apps/grc-api/main.js');

/** The newest modification time under a folder (sources only). */
function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function build(project, output, sources) {
  const built = existsSync(output) ? statSync(output).mtimeMs : 0;
  if (built && sources.every((s) => newest(join(root, s)) <= built)) return;
  process.stderr.write(`[grc] building ${project} (${built ? 'sources changed' : 'first run: a minute or two'})…\n`);
  const started = Date.now();
  // the build's own output (Nx, webpack, Angular) only with --verbose or when it fails
  const verbose = args.includes('--verbose');
  const r = spawnSync('npx', ['nx', 'build', project, '--outputStyle=static'], {
    cwd: root,
    stdio: ['ignore', verbose ? process.stderr : 'pipe', verbose ? process.stderr : 'pipe'],
    env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    if (!verbose) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    process.stderr.write(`[grc] the build of ${project} failed (exit ${r.status}); run \`npm install\` first on a fresh clone\n`);
    process.exit(1);
  }
  process.stderr.write(`[grc] ${project} built in ${Math.round((Date.now() - started) / 1000)} s\n`);
  // Nx may restore an unchanged build from its cache without rewriting it: mark it as newer than the sources
  const now = new Date();
  if (existsSync(output)) utimesSync(output, now, now);
}

const help = args.length === 0 || args.includes('--help') || args.includes('-h') || args.includes('--version') || args.includes('-V');
build('grc-api', main, ['apps/grc-api/src', 'libs/domain/src', 'libs/workflows/src']);
if (!help && (args[0] === 'serve' || args[0] === undefined || args[0].startsWith('--')))
  build('grc-web', join(root, 'dist/apps/grc-web/browser/index.html'), ['apps/grc-web/src', 'libs/domain/src']);

// `npm run` moves to the repository's root: run the command where it was typed (npm's INIT_CWD), so that a
// relative pack folder (`npm run grc -- validate-pack ../my-town`) means what it says; GRC_ROOT keeps the build
const cwd = process.env.INIT_CWD && existsSync(process.env.INIT_CWD) ? process.env.INIT_CWD : process.cwd();
const child = spawn(process.execPath, [main, ...args], { cwd, stdio: 'inherit', env: { GRC_ROOT: root, ...process.env } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
