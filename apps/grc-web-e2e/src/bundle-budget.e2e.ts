/**
 * The console's weight budget (issue 13): the JavaScript needed for the login page and then the inbox stays
 * under 250 KB gzip. Checked twice on the built console: by bench/console-bundle.mjs on the production build's
 * stats.json (each file of the login + inbox closure gzipped as the API serves it; exit 1 above the limit), and
 * in Chromium, by the bytes the browser actually received for its scripts between the login page and the
 * inbox (compressed by the API). Angular's own budgets (apps/grc-web/project.json) count raw bytes of the
 * named chunks only; this test counts every shared chunk they pull in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, connectBrowser, newPage, scenarioSteps } from './support/browser';

const ROOT = resolve(__dirname, '../../..');
const DIST = join(ROOT, 'dist/apps/grc-web');
const LIMIT_KB = 250;

let browser: Browser;
let context: BrowserContext;
let page: Page;
const step = scenarioSteps(() => page);

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('bundle budget: login + inbox ≤ 250 KB of gzip JavaScript', () => {
  step('the production build’s login + inbox closure, gzipped, is within the budget', async () => {
    expect(existsSync(join(DIST, 'stats.json'))).toBe(true);
    const run = spawnSync(process.execPath, [join(ROOT, 'bench/console-bundle.mjs'), DIST], { encoding: 'utf8', cwd: ROOT });
    const total = /login \+ inbox, total JS\s+raw\s+([\d.]+) KB\s+gzip\s+([\d.]+) KB/.exec(run.stdout);
    expect(total).not.toBeNull();
    const gzipKb = Number(total![2]);
    expect(gzipKb).toBeGreaterThan(20);
    expect(gzipKb).toBeLessThanOrEqual(LIMIT_KB);
    expect(run.stdout).toContain('within the 250 KB gzip target');
    expect(run.status).toBe(0);
  });

  step('what Chromium downloads for its scripts, from the login page to the inbox, is within the budget', async () => {
    await page.goto('/login');
    await page.getByLabel('Adresse électronique').fill('julie.lefebvre@saint-aubin.fr');
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/inbox/);
    await page.getByTestId('inbox-search').waitFor();
    const scripts = await page.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((e) => e.initiatorType === 'script' || /\.m?js(\?|$)/.test(e.name))
        .map((e) => ({ name: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize })),
    );
    expect(scripts.length).toBeGreaterThan(1);
    const encoded = scripts.reduce((n, s) => n + s.encoded, 0);
    const decoded = scripts.reduce((n, s) => n + s.decoded, 0);
    // sent compressed: the bytes on the wire are well under the files' sizes
    expect(encoded).toBeLessThan(decoded / 2);
    expect(encoded / 1024).toBeLessThanOrEqual(LIMIT_KB);
  });
});
