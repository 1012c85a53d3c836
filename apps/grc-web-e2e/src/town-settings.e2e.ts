/**
 * Administration › Commune as the demo administrator: the screen shows the pack's town and passes axe; an
 * unknown time zone is refused next to its field; a footer for the public pages is saved (audited) and the
 * citizen's request page shows it. The footer is removed at the end (other specs read the public pages).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

let browser: Browser;
let context: BrowserContext;
let page: Page;
const step = scenarioSteps(() => page);
const FOOTER = 'Hôtel de ville, place du Marché — du lundi au vendredi, 8 h 30 - 17 h';

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
});

afterAll(async () => {
  await dbQuery(`UPDATE town_settings SET public_texts = '{}'::jsonb WHERE id = 1`);
  await context?.close();
  await browser?.close();
});

describe("the town's own settings", () => {
  step('the administrator opens Administration › Commune: the pack’s town, axe clean', async () => {
    await page.goto('/login');
    await page.getByLabel('Adresse électronique').fill('admin@saint-aubin.fr');
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/inbox/);
    await page.goto('/admin/commune');
    await page.getByRole('heading', { level: 2, name: 'La commune' }).waitFor();
    expect(await page.getByLabel('Nom affiché').inputValue()).toBe('Ville de Saint-Aubin-sur-Loire');
    expect(await page.getByLabel('Préfixe des références').inputValue()).toBe('GRC');
    expect(await axeViolations(page, 'town settings')).toEqual([]);
  });

  step('an unknown time zone is refused next to its field, nothing saved', async () => {
    await page.getByLabel('Fuseau horaire').fill('Europe/Saint-Aubin');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.locator('#town-tz[aria-invalid="true"]').waitFor();
    expect(await axeViolations(page, 'town settings with an error')).toEqual([]);
    const [row] = await dbQuery<{ timezone: string }>(`SELECT timezone FROM town_settings`);
    expect(row!.timezone).toBe('Europe/Paris');
  });

  step('a footer for the public pages is saved, audited, and shown to citizens', async () => {
    await page.getByLabel('Fuseau horaire').fill('Europe/Paris');
    await page.getByLabel('Pied de page (adresse, horaires d’accueil)').fill(FOOTER);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('status').filter({ hasText: 'Enregistré.' }).waitFor();
    const [audit] = await dbQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'town.update'`);
    expect(audit!.n).toBeGreaterThanOrEqual(1);
    await page.goto('/demande');
    await page.getByText(FOOTER).waitFor();
  });
});
