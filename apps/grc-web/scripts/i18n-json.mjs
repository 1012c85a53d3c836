#!/usr/bin/env node
// Writes one JSON dictionary per language (tmp/grc-web-i18n/<lang>.json) from the typed TypeScript
// dictionaries (apps/grc-web/src/app/core/i18n.<lang>.ts and the feature files they spread), so that the
// browser downloads only the active language (the build copies them to /i18n/, see project.json). The
// TypeScript files stay the source: the compiler checks that every language has every key.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const OUT = join(ROOT, 'tmp/grc-web-i18n');
const CORE = join(ROOT, 'apps/grc-web/src/app/core');

/** A TypeScript module of the console, bundled by esbuild and imported. */
async function load(file) {
  const result = await build({
    entryPoints: [join(CORE, file)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'error',
  });
  return import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString('base64')}`);
}

/** the console's languages (core/languages.ts): each is `i18n.<code>.ts` exporting `<CODE>` */
const { LANGUAGES } = await load('languages.ts');

mkdirSync(OUT, { recursive: true });
for (const { code: lang } of LANGUAGES) {
  const file = `i18n.${lang}.ts`;
  const name = lang.toUpperCase();
  const mod = await load(file);
  const dict = mod[name];
  if (!dict || typeof dict !== 'object') throw new Error(`${file} exports no ${name}`);
  writeFileSync(join(OUT, `${lang}.json`), JSON.stringify(dict));
  console.log(`i18n: ${lang}.json, ${Object.keys(dict).length} messages`);
}
