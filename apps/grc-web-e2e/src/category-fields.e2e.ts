/**
 * A category's own fields end to end, in French: the administrator adds a category with two fields (a
 * required number with its range, a single choice) in the categories' screen (axe clean with the field
 * editor open); a voirie agent's new-request form asks for them and shows the API's refusals next to the
 * field; the ticket page shows the values in words and edits one, the timeline saying so.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const suffix = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const CODE = `regard-${suffix}`;
const NAME = `Regard descellé ${suffix}`;

let browser: Browser;
let admin: { context: BrowserContext; page: Page } | undefined;
let agent: { context: BrowserContext; page: Page } | undefined;
let page: Page | undefined;
const step = scenarioSteps(() => page);
const p = (): Page => {
  if (!page) throw new Error('no page');
  return page;
};

async function login(pg: Page, email: string): Promise<void> {
  await pg.goto('/login');
  await pg.getByLabel('Adresse électronique').fill(email);
  await pg.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await pg.getByRole('button', { name: 'Se connecter' }).click();
  await pg.waitForURL(/\/inbox/);
}

beforeAll(async () => {
  browser = await connectBrowser();
});

afterAll(async () => {
  await admin?.context.close();
  await agent?.context.close();
  await browser?.close();
});

describe('category fields: defined by the administrator, asked by the agent’s form, shown and edited on the ticket', () => {
  step('the administrator adds a category with a required number (0–300) and a single choice, axe clean', async () => {
    admin = await newPage(browser);
    page = admin.page;
    const pg = p();
    await login(pg, 'admin@saint-aubin.fr');
    await pg.goto('/admin/categories');
    await pg.getByRole('heading', { level: 2, name: 'Catégories', exact: true }).waitFor();
    await pg.getByRole('cell', { name: 'Nid-de-poule', exact: true }).waitFor();
    // the demo pack's pothole has three fields
    await pg.getByTestId('category-fields-nid-de-poule').filter({ hasText: '3 champs' }).waitFor();

    await pg.getByRole('button', { name: 'Créer' }).click();
    await pg.getByRole('heading', { level: 3, name: 'Nouvel élément' }).waitFor();
    await pg.locator('#cat-code').fill(CODE);
    await pg.getByLabel('Nom en français').fill(NAME);
    await pg.getByLabel('Nom en anglais').fill(`Loose manhole cover ${suffix}`);
    await pg.locator('#cat-dept').selectOption({ label: 'Service voirie et réseaux' });

    await pg.getByRole('button', { name: 'Ajouter un champ' }).click();
    const first = pg.getByRole('group', { name: 'Champ 1', exact: true });
    await first.waitFor();
    await first.getByLabel('Code (lettres').fill('diametre_cm');
    await first.getByLabel('Type').selectOption({ label: 'Nombre' });
    await first.getByLabel('Libellé en français', { exact: true }).fill('Diamètre du regard (cm)');
    await first.getByLabel('Libellé en anglais (facultatif)', { exact: true }).fill('Cover diameter (cm)');
    await first.getByLabel('Obligatoire').check();
    await first.getByLabel('Minimum').fill('0');
    await first.getByLabel('Maximum').fill('300');

    await pg.getByRole('button', { name: 'Ajouter un champ' }).click();
    const second = pg.getByRole('group', { name: 'Champ 2', exact: true });
    await second.waitFor();
    await second.getByLabel('Code (lettres').fill('bruit');
    await second.getByLabel('Type').selectOption({ label: 'Choix unique (liste)' });
    await second.getByLabel('Libellé en français', { exact: true }).fill('Fait-il du bruit au passage des voitures ?');
    await second.getByLabel('Clé du choix 1').fill('oui');
    await second.getByLabel('Libellé en français du choix 1').fill('Oui, il claque');
    await second.getByRole('button', { name: 'Ajouter un choix' }).click();
    await second.getByLabel('Clé du choix 2').fill('non');
    await second.getByLabel('Libellé en français du choix 2').fill('Non');
    expect(await axeViolations(pg, 'admin categories (field editor)')).toEqual([]);

    await pg.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await pg.getByRole('status').filter({ hasText: 'Enregistré.' }).first().waitFor();
    await pg.getByTestId(`category-fields-${CODE}`).filter({ hasText: '2 champs' }).waitFor();
    const rows = await dbQuery<{ code: string; datatype: string; required: boolean; min: string | null; max: string | null }>(
      `SELECT a.code, a.datatype, a.required, a.min::text, a.max::text FROM category_attributes a JOIN categories c ON c.id = a.category_id
        WHERE c.code = $1 ORDER BY a."order"`,
      [CODE],
    );
    expect(rows).toEqual([
      { code: 'diametre_cm', datatype: 'number', required: true, min: '0', max: '300' },
      { code: 'bruit', datatype: 'singlevaluelist', required: false, min: null, max: null },
    ]);
  });

  step('the agent’s new-request form asks for the fields and shows the refusals next to them', async () => {
    agent = await newPage(browser);
    page = agent.page;
    const pg = p();
    await login(pg, 'julie.lefebvre@saint-aubin.fr');
    await pg.goto('/tickets/new');
    await pg.getByRole('heading', { level: 1, name: 'Nouvelle demande' }).waitFor();
    await pg.getByLabel('Catégorie').selectOption({ label: NAME });
    const fields = pg.getByTestId('new-ticket-fields');
    await fields.waitFor();
    await pg.getByLabel('Objet').fill(`Regard qui claque ${suffix}`);
    await pg.getByLabel('Description').fill('Le regard devant le 8 rue Nationale est descellé.');
    await fields.getByLabel('Diamètre du regard (cm)').fill('350');
    await pg.getByRole('button', { name: 'Enregistrer la demande' }).click();
    await pg.locator('#new-attr-diametre_cm[aria-invalid="true"]').waitFor();
    await expect(pg.locator('#new-attr-diametre_cm-error').innerText()).resolves.toContain('maximum 300');
    expect(await axeViolations(pg, 'new request (field refused)')).toEqual([]);

    await fields.getByLabel('Diamètre du regard (cm)').fill('60');
    await fields.getByLabel('Fait-il du bruit').selectOption({ label: 'Oui, il claque' });
    await pg.getByRole('button', { name: 'Enregistrer la demande' }).click();
    await pg.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
  });

  step('the ticket page shows the values in words and edits one, on the timeline', async () => {
    const pg = p();
    const card = pg.getByTestId('ticket-fields');
    await card.getByTestId('field-value-bruit').filter({ hasText: 'Oui, il claque' }).waitFor();
    await expect(card.getByTestId('field-value-diametre_cm').innerText()).resolves.toBe('60');
    expect(await axeViolations(pg, 'ticket (category fields)')).toEqual([]);

    await card.getByRole('button', { name: 'Modifier les champs' }).click();
    await card.getByLabel('Diamètre du regard (cm)').fill('65');
    await card.getByLabel('Fait-il du bruit').selectOption({ label: 'Non' });
    await card.getByRole('button', { name: 'Enregistrer les champs' }).click();
    await pg.getByRole('status').filter({ hasText: 'Champs enregistrés.' }).waitFor();
    await card.getByTestId('field-value-diametre_cm').filter({ hasText: '65' }).waitFor();
    await expect(card.getByTestId('field-value-bruit').innerText()).resolves.toBe('Non');
    await pg
      .getByTestId('timeline-event')
      .filter({ hasText: 'Champs de la catégorie modifiés' })
      .filter({ hasText: 'Diamètre du regard (cm)' })
      .waitFor();

    const id = pg.url().split('/').pop();
    const [t] = await dbQuery<{ attributes: Record<string, unknown> }>(`SELECT attributes FROM tickets WHERE id = $1`, [id]);
    expect(t!.attributes).toEqual({ diametre_cm: 65, bruit: 'non' });
  });
});
