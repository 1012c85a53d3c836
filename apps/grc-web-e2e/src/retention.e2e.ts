/**
 * Conservation (also Administration › Conservation) as the town's DPO, from the menu: the demo pack's retention rules read as sentences; a duration
 * out of range refused by the server and announced next to its field; the pothole rule changed to 18 months and
 * saved (audited, still there after a reload); the latest runs' reports listed. axe-core (WCAG 2.1 A/AA) on the
 * page with an error shown and after saving.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const DPO = { email: 'dpo@saint-aubin.fr' };

let browser: Browser;
let context: BrowserContext;
let page: Page;
const step = scenarioSteps(() => page);

/** The index of the rule whose category select shows `name` (the rules' controls are numbered in order). */
async function ruleIndex(name: string): Promise<number> {
  // the categories' names come with the reference data, after the rules: wait until the select shows it
  const handle = await page.waitForFunction((label) => {
    const selects = Array.from(document.querySelectorAll<HTMLSelectElement>('select[id^="rule-category-"]'));
    const found = selects.find((s) => s.selectedOptions[0]?.textContent?.trim() === label);
    // +1: waitForFunction waits while the answer is falsy, and the first rule is number 0
    return found ? Number(found.id.replace('rule-category-', '')) + 1 : null;
  }, name);
  const i = ((await handle.jsonValue()) as number) - 1;
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('retention rules through the console', () => {
  step('the DPO opens Administration › Conservation and reads the rules as sentences', async () => {
    await page.goto('/login');
    await page.getByLabel('Adresse électronique').fill(DPO.email);
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/audit/);
    // the DPO reaches it from the menu (not through Administration, which is the administrator's)
    await page.getByTestId('nav-retention').click();
    await page.waitForURL(/\/conservation$/);
    await page.getByRole('heading', { level: 1, name: 'Conservation des données personnelles' }).waitFor();
    const i = await ruleIndex('Nid-de-poule');
    await expect(page.locator(`#rule-months-${i}`).inputValue()).resolves.toBe('24');
    const legends = await page.locator('fieldset.retention-rule legend').allInnerTexts();
    expect(legends).toContain('Conserver l’identité du demandeur 12 mois après la clôture, puis supprimer la demande.');
    expect(legends).toContain('Conserver l’identité du demandeur 36 mois après la clôture, puis anonymiser la demande.');
  });

  step('a duration out of range is refused by the server, next to its field, and nothing changes', async () => {
    const i = await ruleIndex('Nid-de-poule');
    await page.locator(`#rule-months-${i}`).fill('5000');
    await page.getByRole('button', { name: 'Enregistrer les règles' }).click();
    const error = page.locator(`#rule-months-error-${i}`);
    await error.waitFor();
    await expect(page.locator(`#rule-months-${i}`).getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator(`#rule-months-${i}`).getAttribute('aria-describedby')).resolves.toBe(`rule-months-error-${i}`);
    expect(await axeViolations(page, 'retention rules with an error')).toEqual([]);
    const [rule] = await dbQuery<{ months: number }>(
      `SELECT r.months FROM retention_rules r JOIN categories c ON c.id = r.category_id WHERE c.code = 'nid-de-poule'`,
    );
    expect(rule?.months).toBe(24);
  });

  step('18 months saved: announced, audited, still there after a reload', async () => {
    const i = await ruleIndex('Nid-de-poule');
    await page.locator(`#rule-months-${i}`).fill('18');
    await page.getByRole('button', { name: 'Enregistrer les règles' }).click();
    await page.getByRole('status').getByText('Règles enregistrées.').waitFor();
    await expect(page.locator(`#rule-months-error-${i}`).count()).resolves.toBe(0);
    const [rule] = await dbQuery<{ months: number }>(
      `SELECT r.months FROM retention_rules r JOIN categories c ON c.id = r.category_id WHERE c.code = 'nid-de-poule'`,
    );
    expect(rule?.months).toBe(18);
    const audits = await dbQuery<{ actor_label: string }>(`SELECT actor_label FROM audit_events WHERE action = 'retention.rules'`);
    expect(audits.map((a) => a.actor_label)).toContain(DPO.email);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Conservation des données personnelles' }).waitFor();
    const again = await ruleIndex('Nid-de-poule');
    await expect(page.locator(`#rule-months-${again}`).inputValue()).resolves.toBe('18');
    expect(await axeViolations(page, 'retention rules saved')).toEqual([]);
  });

  step('the latest runs are listed with their state and report (the worker runs the rules at start-up)', async () => {
    const deadline = Date.now() + 120_000;
    let done: Array<{ kind: string }> = [];
    while (!done.length && Date.now() < deadline) {
      done = await dbQuery<{ kind: string }>(`SELECT kind FROM retention_runs WHERE state = 'done'`);
      if (!done.length) await page.waitForTimeout(500);
    }
    expect(done.length).toBeGreaterThan(0);
    await page.reload();
    const section = page.getByRole('region', { name: 'Dernières exécutions' });
    await section.locator('tbody tr').first().waitFor();
    const rows = await section.locator('tbody tr').allInnerTexts();
    expect(rows.some((r) => r.includes('terminée') && (r.includes('Conservation') || r.includes('Purges techniques')))).toBe(true);
  });
});
