/**
 * The quick start's métropole in a browser (issue 15): a server of this spec's own, started as `npm start`
 * starts it (`--demo` demo-town, then packs/demo-metropole's métropole and Val-Fleuri). Val-Fleuri's public
 * form under /c/val-fleuri (its categories, axe clean), Saint-Aubin's still at the root; a request filed
 * there reaches the métropole's shared service, whose agent sees Val-Fleuri's encombrants and nothing of
 * Saint-Aubin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, scenarioSteps } from './support/browser';
import { databaseUrlFor, pgAdmin } from './support/env';

const ROOT = resolve(__dirname, '../../..');
let server: ChildProcess;
let baseUrl = '';
const dbName = `grc_e2e_metropole_${process.pid}_${Date.now().toString(36)}`;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const step = scenarioSteps(() => page);

beforeAll(async () => {
  await pgAdmin(`CREATE DATABASE ${dbName}`);
  const port = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address() as AddressInfo;
      s.close(() => res(a.port));
    });
  });
  baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const demo = ['packs/demo-town', 'packs/demo-metropole/grand-aubin', 'packs/demo-metropole/val-fleuri'].flatMap((f) => ['--demo', f]);
  server = spawn(process.execPath, [join(ROOT, 'dist/apps/grc-api/main.js'), 'serve', '--migrate', ...demo], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrlFor(dbName),
      PORT: String(port),
      HOST: '127.0.0.1',
      GRC_ROLE: 'all',
      GRC_ROOT: ROOT,
      GRC_QUEUE_PREFIX: `grc-e2e-metropole-${process.pid}`,
      GRC_DATA_DIR: mkdtempSync(join(tmpdir(), 'grc-e2e-metropole-')),
      GRC_LOGIN_ACCOUNT_FAILURES: '1000',
      GRC_LOGIN_IP_FAILURES: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-50_000)));
  server.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-50_000)));
  const deadline = Date.now() + 420_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the métropole server exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the métropole server did not start:\n${output}`);
    const up = await fetch(`${baseUrl}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  browser = await connectBrowser();
  context = await browser.newContext({
    baseURL: baseUrl,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
}, 480_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  server?.kill('SIGTERM');
  await new Promise((r) => (server && server.exitCode === null ? server.once('exit', r) : r(null)));
  await pgAdmin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
});

const options = async () =>
  (await page.getByTestId('public-category').locator('option').allInnerTexts()).map((s) => s.trim()).filter(Boolean);

describe('the demo métropole', () => {
  step('Val-Fleuri’s public form under /c/val-fleuri: its own categories, axe clean; Saint-Aubin’s at the root', async () => {
    await page.goto('/c/val-fleuri/demande');
    await page
      .getByRole('link', { name: /Val-Fleuri/ })
      .first()
      .waitFor();
    await page.getByTestId('public-category').locator('option', { hasText: 'Encombrants' }).waitFor({ state: 'attached' });
    const mine = await options();
    expect(mine).toEqual(expect.arrayContaining(['Autre demande', 'Encombrants', 'Nid-de-poule']));
    expect(await axeViolations(page, 'Val-Fleuri public form')).toEqual([]);
    await page.goto('/demande');
    await page
      .getByRole('link', { name: /Saint-Aubin/ })
      .first()
      .waitFor();
    await page.getByTestId('public-category').locator('option', { hasText: 'Nid-de-poule' }).waitFor({ state: 'attached' });
    expect((await options()).length).toBeGreaterThan(mine.length);
  });

  step('the métropole’s shared service agent sees Val-Fleuri’s encombrants, nothing of Saint-Aubin', async () => {
    await page.goto('/login');
    await page.getByLabel('Adresse électronique').fill('collecte@grand-aubin.fr');
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/inbox/);
    // the default view is "my requests": the shared service's are in "my departments"
    await page.getByRole('link', { name: /^Mes services/ }).click();
    await page.waitForURL(/view=departments/);
    await page
      .getByText(/VF-\d{4}-\d+/)
      .first()
      .waitFor();
    const text = await page.locator('main').innerText();
    expect(text).not.toMatch(/GRC-\d{4}-\d+/);
    expect(await axeViolations(page, 'métropole inbox')).toEqual([]);
  });
});
