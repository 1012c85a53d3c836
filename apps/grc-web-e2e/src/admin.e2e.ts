/**
 * The reference-data screens of Administration (services, agents, categories, routing rules) as the
 * demo administrator: each lists its items under its heading and passes axe; a category is created
 * (empty fields refused next to them first), edited and saved, the status line saying so; Cancel
 * closes a form without saving.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

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

const status = () => page.getByRole('status').filter({ hasText: /./ }).first();

describe('administration of the reference data', () => {
  step('the administrator logs in and each screen lists its items, axe clean', async () => {
    await page.goto('/login');
    await page.getByLabel('Adresse électronique').fill('admin@saint-aubin.fr');
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/inbox/);
    for (const [path, heading, item] of [
      ['/admin/services', 'Services', 'Service voirie et réseaux'],
      ['/admin/agents', 'Agents', 'Julie Lefebvre'],
      ['/admin/categories', 'Catégories', 'Nid-de-poule'],
      ['/admin/routage', 'Règles de routage', null],
      // the reply templates with their department / category scope (issue 13)
      ['/admin/courriel', 'Courriel', 'Modèles de réponse des agents'],
    ] as const) {
      await page.goto(path);
      await page.getByRole('heading', { level: 2, name: heading, exact: true }).waitFor();
      if (item) await page.getByText(item, { exact: true }).first().waitFor();
      expect(await axeViolations(page, `admin ${path}`)).toEqual([]);
    }
  });

  step('a category: empty fields refused next to them, then created, edited and saved', async () => {
    await page.goto('/admin/categories');
    await page.getByRole('button', { name: 'Créer' }).click();
    await page.getByRole('heading', { level: 3, name: 'Nouvel élément' }).waitFor();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.locator('#cat-code[aria-invalid="true"]').waitFor();
    expect(await axeViolations(page, 'admin category with errors')).toEqual([]);

    await page.getByLabel('Code').fill('banc-casse');
    await page.getByLabel('Nom en français').fill('Banc cassé');
    await page.getByLabel('Nom en anglais').fill('Broken bench');
    await page.locator('#cat-dept').selectOption({ label: 'Service espaces verts' });
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await status().filter({ hasText: 'Enregistré.' }).waitFor();
    await page.getByRole('cell', { name: 'Banc cassé', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Modifier Banc cassé' }).click();
    await page.getByLabel('Nom en français').fill('Banc public cassé');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('cell', { name: 'Banc public cassé', exact: true }).waitFor();
    const [row] = await dbQuery<{ name_fr: string; version: number }>(`SELECT name_fr, version FROM categories WHERE code = 'banc-casse'`);
    expect(row).toEqual({ name_fr: 'Banc public cassé', version: 2 });
  });

  step('Cancel closes the form without saving', async () => {
    await page.getByRole('button', { name: 'Modifier Banc public cassé' }).click();
    await page.getByLabel('Nom en français').fill('Ne pas garder');
    await page.getByRole('button', { name: 'Annuler' }).click();
    await page.getByRole('heading', { level: 3 }).waitFor({ state: 'detached' });
    const [row] = await dbQuery<{ name_fr: string }>(`SELECT name_fr FROM categories WHERE code = 'banc-casse'`);
    expect(row.name_fr).toBe('Banc public cassé');
  });
});
