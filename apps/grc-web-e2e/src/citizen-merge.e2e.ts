/**
 * Merging two records of the same person (issue 10) in a browser: the same resident known once by e-mail and
 * once at the counter. The administrator (rgpd) opens one record, finds the duplicate, compares both
 * (identity, contacts, requests, what the merge fills), is refused without a reason, confirms with one, and
 * sees the merged record with both requests and links to both records' history; the audit trail shows the
 * merge under each id. A head (no rgpd) is not offered the merge. The same screen in English. axe on each step.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const marker = `mg${Date.now().toString(36)}`;
// hyphenated, as many names are: the search finds it as typed
const LAST_NAME = `Doublon-${marker}`;

let browser: Browser;
const sessions: Array<{ context: BrowserContext; page: Page }> = [];
let page: Page;
const step = scenarioSteps(() => page);

async function login(email: string): Promise<Page> {
  const s = await newPage(browser);
  sessions.push(s);
  page = s.page;
  await page.goto('/login');
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/inbox/);
  return page;
}

async function noAxeViolations(label: string): Promise<void> {
  expect(await axeViolations(page, label)).toEqual([]);
}

beforeAll(async () => {
  browser = await connectBrowser();
});
afterAll(async () => {
  for (const s of sessions) await s.context.close();
  await browser?.close();
});

describe('merge two records of the same person from the citizen page', () => {
  let keptId = '';
  let otherId = '';
  const refs: string[] = [];

  step('two requests of the same resident, one by e-mail, one at the counter, make two records', async () => {
    await login('admin@saint-aubin.fr');
    const [cat] = await dbQuery<{ id: string }>(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
    const made = await page.evaluate(
      async ({ categoryId, lastName, marker }) => {
        const post = (channel: string, newCitizen: Record<string, string>) =>
          fetch('/api/v1/tickets', {
            method: 'POST',
            credentials: 'include',
            headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
            body: JSON.stringify({ channel, categoryId, subject: `Trou rue des Tanneurs ${marker}`, description: 'Signalé.', newCitizen }),
          }).then(async (r) => ({ status: r.status, body: await r.json() }));
        const a = await post('email', { kind: 'resident', lastName, email: `${marker}@citoyens.example` });
        const b = await post('counter', {
          kind: 'resident',
          firstName: 'Lucie',
          lastName,
          phone: '+33612345678',
          address: '3 rue des Tanneurs',
          postcode: '37550',
          city: 'Saint-Aubin',
        });
        return [a, b];
      },
      { categoryId: cat!.id, lastName: LAST_NAME, marker },
    );
    expect(made.map((m) => m.status)).toEqual([201, 201]);
    keptId = made[0]!.body.citizen.id;
    otherId = made[1]!.body.citizen.id;
    expect(keptId).not.toBe(otherId);
    refs.push(made[0]!.body.reference, made[1]!.body.reference);
  });

  step('the record offers the merge; the search finds the duplicate, never the record itself', async () => {
    await page.goto(`/citizens/${keptId}`);
    await page.getByTestId('citizen-merge-open').click();
    await page.getByTestId('citizen-merge-search').fill(LAST_NAME);
    const results = page.getByTestId('citizen-merge-results');
    await results.getByText('Lucie').waitFor();
    await expect(page.getByTestId('citizen-merge-choose').count()).resolves.toBe(1);
    await noAxeViolations('citizen merge: search');
  });

  step('the preview shows both records, their requests and what the merge fills', async () => {
    await page.getByRole('button', { name: `Comparer avec la fiche de Lucie ${LAST_NAME}` }).click();
    const preview = page.getByTestId('citizen-merge-preview');
    await preview.waitFor();
    const phoneRow = preview.getByRole('row', { name: /Téléphone/ });
    await expect(phoneRow.innerText()).resolves.toContain('+33612345678');
    await expect(phoneRow.innerText()).resolves.toContain('repris de l’autre fiche');
    await expect(preview.getByRole('row', { name: /Adresse électronique/ }).innerText()).resolves.toContain(`${marker}@citoyens.example`);
    await page.getByTestId('citizen-merge-other-count').getByText('1 demande').waitFor();
    await expect(page.getByTestId('citizen-merge-kept-count').innerText()).resolves.toBe('1 demande');
    await page.getByTestId('citizen-merge-other-requests').getByText(refs[1]!).waitFor();
    await noAxeViolations('citizen merge: preview');
  });

  step('without a reason the merge is refused, the field says why; nothing changed', async () => {
    await page.getByTestId('citizen-merge-confirm').click();
    await page.locator('#cp-merge-reason-error').getByText('Motif obligatoire').waitFor();
    await expect(page.locator('#cp-merge-reason').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(dbQuery(`SELECT id FROM citizens WHERE id = $1`, [otherId])).resolves.toHaveLength(1);
    await noAxeViolations('citizen merge: reason refused');
  });

  step('confirmed with a reason: one record with both requests, and links to the history of both', async () => {
    await page.getByTestId('citizen-merge-reason').fill('Même nom, même rue : appel de Mme Doublon du 1er décembre');
    await page.getByTestId('citizen-merge-confirm').click();
    const result = page.getByTestId('citizen-merge-result');
    await result.getByText('Fiches fusionnées : 1 demande déplacée sur cette fiche.').waitFor();
    await expect(result.innerText()).resolves.toContain('Repris de l’autre fiche : Prénom, Téléphone, Adresse, Code postal, Commune');
    const tickets = page.getByTestId('citizen-tickets');
    for (const r of refs) await tickets.getByText(r).waitFor();
    await expect(page.getByTestId('citizen-name').innerText()).resolves.toBe(`Lucie ${LAST_NAME}`);
    await expect(dbQuery(`SELECT id FROM citizens WHERE id = $1`, [otherId])).resolves.toEqual([]);
    const trail = await dbQuery<{ entity_id: string; reason: string }>(
      `SELECT entity_id, changes->'reason'->>'after' AS reason FROM audit_events WHERE action = 'citizen.merge' AND entity_id IN ($1, $2)`,
      [keptId, otherId],
    );
    expect(trail.map((t) => t.entity_id).sort()).toEqual([keptId, otherId].sort());
    expect(trail.every((t) => t.reason.startsWith('Même nom'))).toBe(true);
    await noAxeViolations('citizen merge: result');
  });

  step('the other record’s history is still there, in the audit trail', async () => {
    await page.getByTestId('citizen-merge-history-other').click();
    await page.waitForURL(new RegExp(`/audit\\?citizenId=${otherId}`));
    await page.getByRole('cell', { name: 'Fusion de fiches' }).first().waitFor();
  });

  step('in English, the same screen speaks English', async () => {
    await page.goto(`/citizens/${keptId}`);
    await page.getByRole('button', { name: /English/i }).click();
    await page.getByTestId('citizen-merge-open').getByText('Merge with another record').waitFor();
    await page.getByTestId('citizen-merge-open').click();
    await page.getByLabel('Find the other record (name, e-mail address, phone)').waitFor();
    const text = await page.getByTestId('citizen-merge').innerText();
    for (const french of ['fiche', 'Fusionner', 'Chercher', 'caractères']) expect(text).not.toContain(french);
    await noAxeViolations('citizen merge (EN)');
  });

  step('a head, who may not merge, is not offered it', async () => {
    await login('thierry.moreau@saint-aubin.fr');
    await page.goto(`/citizens/${keptId}`);
    await page.getByTestId('citizen-tickets').waitFor();
    await expect(page.getByTestId('citizen-merge-open').count()).resolves.toBe(0);
  });
});
