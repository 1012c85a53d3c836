/**
 * Administration › Importer un pack as the demo administrator: the console's own export reads back with no
 * difference; a pack that renames a category shows that one difference (axe clean), is applied all at once
 * (audited), then the export re-imported puts it back; an invalid pack lists its errors by file and line.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let exported: Record<string, Uint8Array>;
const step = scenarioSteps(() => page);

const choose = (name: string, files: Record<string, Uint8Array>) =>
  page.setInputFiles('#pack-files', { name, mimeType: 'application/zip', buffer: Buffer.from(zipSync(files)) });

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('importing a town pack in the console', () => {
  step('the administrator’s own export reads back with no difference', async () => {
    await page.goto('/login');
    await page.getByLabel('Adresse électronique').fill('admin@saint-aubin.fr');
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/inbox/);
    const zip = await page.request.get('/api/v1/admin/pack');
    expect(zip.status()).toBe(200);
    exported = unzipSync(new Uint8Array(await zip.body()));
    await page.goto('/admin/pack');
    await page.getByRole('heading', { level: 2, name: 'Importer la configuration d’un pack' }).waitFor();
    await choose('pack-commune.zip', exported);
    await page.getByTestId('pack-files-read').waitFor();
    await page.getByRole('button', { name: 'Voir les différences' }).click();
    await page.getByText('Aucune différence : la configuration est déjà celle du pack.').waitFor();
  });

  step('a renamed category: one difference previewed (axe clean), applied, audited, then put back', async () => {
    const categories = strFromU8(exported['categories.yaml']!);
    expect(categories).toContain('nameEn: Other request');
    await choose('pack-commune.zip', {
      ...exported,
      'categories.yaml': strToU8(categories.replace('nameEn: Other request', 'nameEn: Anything else')),
    });
    await page.getByRole('button', { name: 'Voir les différences' }).click();
    const table = page.getByRole('table', { name: '1 différence' });
    await table.waitFor();
    expect(await table.getByRole('row').nth(1).innerText()).toMatch(/Catégorie\s+autre\s+modification\s+nameEn/);
    expect(await axeViolations(page, 'pack import preview')).toEqual([]);
    // nothing written by the preview
    const name = async () => (await dbQuery<{ name_en: string }>(`SELECT name_en FROM categories WHERE code = 'autre'`))[0]!.name_en;
    expect(await name()).toBe('Other request');
    await page.getByTestId('pack-apply').click();
    await page.getByText('Pack appliqué : 1 différence.').waitFor();
    expect(await name()).toBe('Anything else');
    const [audit] = await dbQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'pack.import'`);
    expect(audit!.n).toBeGreaterThanOrEqual(1);
    // the export, imported again: as before
    await choose('pack-commune.zip', exported);
    await page.getByRole('button', { name: 'Voir les différences' }).click();
    await page.getByRole('table', { name: '1 différence' }).waitFor();
    await page.getByTestId('pack-apply').click();
    await page.getByText('Pack appliqué : 1 différence.').waitFor();
    expect(await name()).toBe('Other request');
  });

  step('an invalid pack: its errors by file and line, nothing imported', async () => {
    await choose('pack-commune.zip', {
      ...exported,
      'categories.yaml': strToU8('- { code: autre, nameFr: Autre, nameEn: Other, department: nulle-part }\n'),
    });
    await page.getByRole('button', { name: 'Voir les différences' }).click();
    await page.getByText('Le pack a des erreurs ; rien n’a été importé.').waitFor();
    expect(await page.getByTestId('pack-errors').innerText()).toMatch(
      /categories\.yaml, ligne 1, 0\.department : unknown department code "nulle-part"/,
    );
    expect(await axeViolations(page, 'pack import errors')).toEqual([]);
  });
});
