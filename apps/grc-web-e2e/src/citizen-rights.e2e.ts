/**
 * The rights of the citizen in a browser: the administrator (rgpd) reaches the citizen page from a request's
 * requester block, rectifies the record (the status line says so, the change is audited), sees the export
 * links (the archive downloads as a zip); the privacy settings screen saves; the public form shows the
 * full information notice in French and English. axe (WCAG 2.1 A/AA) on each page.
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

describe('citizen rights: citizen page, privacy settings, public notice', () => {
  let citizenId = '';

  step('the administrator opens a request and follows the requester link to the citizen page', async () => {
    await page.goto('/login');
    await page.getByLabel('Adresse électronique').fill('admin@saint-aubin.fr');
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/inbox/);
    const [t] = await dbQuery<{ id: string; citizen_id: string }>(
      `SELECT t.id, t.citizen_id FROM tickets t JOIN citizens z ON z.id = t.citizen_id
       WHERE z.kind = 'resident' AND z.last_name IS NOT NULL ORDER BY t.created_at DESC LIMIT 1`,
    );
    citizenId = t!.citizen_id;
    await page.goto(`/tickets/${t!.id}`);
    await page.getByTestId('citizen-page-link').click();
    await page.waitForURL(new RegExp(`/citizens/${citizenId}`));
    await page.getByTestId('citizen-tickets').waitFor();
    await page.getByTestId('citizen-rights').waitFor();
    expect(await axeViolations(page, 'citizen page')).toEqual([]);
  });

  step('rectifies the record: saved, said in the status line, audited', async () => {
    await page.getByTestId('citizen-edit').click();
    await page.getByLabel('Adresse', { exact: true }).fill('12 rue de la Rectification');
    expect(await axeViolations(page, 'citizen page, editing')).toEqual([]);
    await page.getByTestId('citizen-save').click();
    await page.getByTestId('citizen-notice').getByText('Fiche enregistrée.').waitFor();
    const [audit] = await dbQuery<{ changes: Record<string, { after: unknown }> }>(
      `SELECT changes FROM audit_events WHERE action = 'citizen.update' AND entity_id = $1 ORDER BY id DESC LIMIT 1`,
      [citizenId],
    );
    // the trail says the address changed, not what it is; the value is in the person's own history
    expect(audit!.changes['address']!.after).toBe('changed');
    const [revision] = await dbQuery<{ changes: Record<string, { after: unknown }> }>(
      `SELECT changes FROM citizen_revisions WHERE citizen_id = $1 AND action = 'citizen.update' ORDER BY id DESC LIMIT 1`,
      [citizenId],
    );
    expect(revision!.changes['address']!.after).toBe('12 rue de la Rectification');
  });

  step('the archive link downloads a zip', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('citizen-export-zip').click()]);
    expect(download.suggestedFilename()).toMatch(/^donnees-[0-9a-f]{8}\.zip$/);
  });

  step('the privacy settings screen saves the DPO', async () => {
    await page.goto('/protection-donnees');
    await page.getByLabel('Courriel du DPO').fill('dpo@saint-aubin.fr');
    expect(await axeViolations(page, 'privacy settings')).toEqual([]);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Réglages enregistrés : la notice publique est à jour.').waitFor();
  });

  step('the public form shows the full notice, in French and in English', async () => {
    await page.goto('/demande');
    const notice = page.getByRole('region', { name: 'Protection de vos données personnelles' });
    await notice.getByText('dpo@saint-aubin.fr', { exact: false }).waitFor();
    await notice.getByRole('heading', { name: 'Vos droits' }).waitFor();
    await notice.getByRole('link', { name: /CNIL/ }).waitFor();
    await page.getByRole('button', { name: /English/i }).click();
    await page.getByRole('region', { name: 'How we protect your personal data' }).getByRole('heading', { name: 'Your rights' }).waitFor();
    expect(await axeViolations(page, 'public form with notice (EN)')).toEqual([]);
  });
});
