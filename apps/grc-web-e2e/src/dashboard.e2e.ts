/**
 * The dashboards through the console: the voirie head's (their department) and the DGS's (the whole town,
 * departments side by side, the hierarchy rolled up) over the demo's last 12 months: figures with their
 * definitions, the charts' data tables and text summaries, a drill-down into the inbox with its filters,
 * axe-core (WCAG 2.1 A/AA) on each, a screenshot of each in apps/grc-web-e2e/screenshots/ (git-ignored);
 * then the public baromètre, linked from the public form.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, SCREENSHOT_DIR, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';

const HEAD = 'thierry.moreau@saint-aubin.fr';
const DGS = 'helene.marchand@saint-aubin.fr';

let browser: Browser;
let context: BrowserContext;
let page: Page;
const step = scenarioSteps(() => page);

async function signIn(email: string): Promise<void> {
  await context?.close();
  ({ context, page } = await newPage(browser));
  await page.goto('/login');
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/inbox/);
}

async function openYear(): Promise<void> {
  await page.getByRole('link', { name: 'Tableau de bord' }).click();
  await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
  await page.getByRole('button', { name: '12 derniers mois' }).click();
  await page.getByTestId('figures-table').waitFor();
  // the charts are drawn (Chart.js from the feature's own chunk)
  await page.locator('canvas').first().waitFor();
}

/** A screenshot with a stable name (the report points at it). */
async function shot(name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`\nscreenshot: ${file}\n`);
  return file;
}

const receivedValue = async () => Number((await page.getByTestId('figure-received').innerText()).replace(/\s|\u202f/g, ''));

beforeAll(async () => {
  browser = await connectBrowser();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('dashboards', () => {
  step('the voirie head sees their department’s figures, each with its definition, charts with their tables', async () => {
    await signIn(HEAD);
    await openYear();
    await page.getByText('Vos services et ceux qui en dépendent.').waitFor();
    expect(await receivedValue()).toBeGreaterThan(0);
    await page.getByText('Demandes enregistrées dans la période (date de réception', { exact: false }).first().waitFor();
    const rows = await page.getByTestId('breakdown-table').locator('tbody tr').allInnerTexts();
    expect(rows.length).toBe(1); // voirie only: no other department
    expect(rows[0]).toMatch(/voirie/i);
    await expect(page.getByTestId('dashboard-summary').innerText()).resolves.toMatch(/demandes reçues/);
    await page.getByTestId('age-table').waitFor();
    expect(await axeViolations(page, 'head dashboard')).toEqual([]);
    await shot('dashboard-head');
  });

  step('a figure drills down to the inbox with its filters', async () => {
    const link = page.getByTestId('headline').getByRole('link', { name: 'Voir les demandes : Stock en fin de période' });
    await link.click();
    await page.waitForURL(/\/inbox\?.*status=new(%2C|,)open(%2C|,)waiting_citizen/);
  });

  step('the DGS sees the whole town, departments side by side with the hierarchy rolled up', async () => {
    await signIn(DGS);
    await openYear();
    await page.getByText('Toute la commune, services côte à côte.').waitFor();
    const rows = await page.getByTestId('breakdown-table').locator('tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.join('\n')).toMatch(/voirie/i);
    // the English version of the same page
    await page
      .getByRole('button', { name: /English/i })
      .click()
      .catch(() => undefined);
    expect(await axeViolations(page, 'DGS dashboard')).toEqual([]);
    await shot('dashboard-dgs');
  });

  step('the public baromètre is linked from the form and accessible', async () => {
    await page.goto('/demande');
    await page.getByTestId('barometer-link').click();
    await page.waitForURL(/\/barometre/);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await axeViolations(page, 'baromètre')).toEqual([]);
    await shot('barometre');
  });
});
