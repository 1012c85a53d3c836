#!/usr/bin/env node
// The JavaScript a browser downloads to show the login page and then the inbox, gzip and brotli sizes.
//   npx nx run grc-web:build --statsJson && node bench/console-bundle.mjs [dist/apps/grc-web]
// Reads esbuild's metafile (stats.json): the initial files (main's static imports, transitively), plus the
// lazy chunks of the routes 'login', 'shell' and 'inbox' with their own static imports; each file is
// compressed as the API serves it (compression: gzip level 6, brotli default quality 4 of the middleware
// would be larger; here brotli at its default quality 11 as a lower bound and gzip 6 as what is enforced).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';

const dist = resolve(process.argv[2] ?? 'dist/apps/grc-web');
const stats = JSON.parse(readFileSync(join(dist, 'stats.json'), 'utf8'));
const outputs = stats.outputs;
const browser = join(dist, 'browser');

const entry = Object.keys(outputs).find((f) => outputs[f].entryPoint?.endsWith('src/main.ts'));
if (!entry) throw new Error('no main entry in stats.json (build with --statsJson)');

/** A file and every file it imports statically, transitively. */
function closure(file, into = new Set()) {
  if (into.has(file) || !outputs[file]) return into;
  into.add(file);
  for (const i of outputs[file].imports ?? []) if (i.kind === 'import-statement') closure(i.path, into);
  return into;
}

/** The lazy chunk whose entry point is the route's component file. */
function routeChunk(component) {
  const f = Object.keys(outputs).find((o) => outputs[o].entryPoint?.endsWith(component));
  if (!f) throw new Error(`no chunk for ${component}`);
  return f;
}

const initial = closure(entry);
const routes = { login: 'features/login/login.ts', shell: 'features/shell/shell.ts', inbox: 'features/inbox/inbox.ts' };
const loaded = new Set(initial);
const perRoute = {};
for (const [name, component] of Object.entries(routes)) {
  const files = closure(routeChunk(component));
  perRoute[name] = [...files].filter((f) => !loaded.has(f));
  for (const f of files) loaded.add(f);
}

const size = (files) =>
  [...files]
    .filter((f) => f.endsWith('.js'))
    .reduce(
      (acc, f) => {
        const bytes = readFileSync(join(browser, f));
        acc.raw += bytes.length;
        acc.gzip += gzipSync(bytes, { level: 6 }).length;
        acc.br += brotliCompressSync(bytes).length;
        return acc;
      },
      { raw: 0, gzip: 0, br: 0 },
    );
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const line = (label, s) =>
  console.log(`${label.padEnd(28)} raw ${kb(s.raw).padStart(9)}  gzip ${kb(s.gzip).padStart(9)}  brotli ${kb(s.br).padStart(9)}`);

line('initial (main + imports)', size(initial));
for (const [name, files] of Object.entries(perRoute)) line(`+ route ${name}`, size(files));
const total = size(loaded);
line('login + inbox, total JS', total);
const dict = gzipSync(readFileSync(join(browser, 'i18n/fr.json')), { level: 6 }).length;
console.log(`${'+ French dictionary (JSON)'.padEnd(28)} gzip ${kb(dict).padStart(9)} (one language is downloaded)`);
const LIMIT = 250 * 1024;
console.log(total.gzip <= LIMIT ? `within the 250 KB gzip target` : `OVER the 250 KB gzip target`);
process.exitCode = total.gzip <= LIMIT ? 0 : 1;
