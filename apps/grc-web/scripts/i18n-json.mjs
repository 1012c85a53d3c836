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
/** language → [dictionary file, exported constant] */
export const LANGUAGES = { fr: ['i18n.fr.ts', 'FR'], en: ['i18n.en.ts', 'EN'] };

mkdirSync(OUT, { recursive: true });
for (const [lang, [file, name]] of Object.entries(LANGUAGES)) {
  const result = await build({
    entryPoints: [join(ROOT, 'apps/grc-web/src/app/core', file)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'error',
  });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString('base64')}`);
  const dict = mod[name];
  if (!dict || typeof dict !== 'object') throw new Error(`${file} exports no ${name}`);
  writeFileSync(join(OUT, `${lang}.json`), JSON.stringify(dict));
  console.log(`i18n: ${lang}.json, ${Object.keys(dict).length} messages`);
}
