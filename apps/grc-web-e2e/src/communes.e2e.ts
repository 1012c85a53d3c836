/**
 * Administration › Communes (issue 15) as a métropole's administrator: a métropole of this spec's own is added to the
 * run's install (a commune row and its administrator: Saint-Aubin, the default commune, is not its member, so the
 * other specs see nothing of it). The screen lists the métropole and passes axe; a commune with a malformed code and
 * host is refused next to both fields (axe clean with the errors); it is then created, appears with its public page
 * link, and is edited (name, public texts): its public form shows them. Saint-Aubin's administrator has no such screen.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

let browser: Browser;
let context: BrowserContext;
let page: Page;
const step = scenarioSteps(() => page);
const run = Date.now().toString(36);
const METROPOLE = `e2e-metropole-${run}`;
const CODE = `e2e-bourg-${run}`;
const ADMIN = `admin-${run}@metropole-e2e.fr`;
const TECH = `tech-${run}@metropole-e2e.fr`;
const status = () => page.locator('p.live[role="status"]');

beforeAll(async () => {
  const [m] = await dbQuery<{ id: string }>(
    `INSERT INTO communes (code, name, kind) VALUES ($1, 'Métropole de test', 'metropole') RETURNING id`,
    [METROPOLE],
  );
  const [a] = await dbQuery<{ id: string }>(
    `INSERT INTO agents (email, display_name, password_hash, role)
     SELECT $1, 'Administratrice de la métropole', password_hash, 'admin' FROM agents WHERE email = 'admin@saint-aubin.fr' RETURNING id`,
    [ADMIN],
  );
  await dbQuery(`INSERT INTO agent_communes (agent_id, commune_id) VALUES ($1, $2)`, [a!.id, m!.id]);
  // a métropole's agent the administrator gives to the new commune
  await dbQuery(
    `WITH a AS (INSERT INTO agents (email, display_name, password_hash, role) VALUES ($1, 'Technicien Intercommunal', 'x', 'admin') RETURNING id)
     INSERT INTO agent_communes (agent_id, commune_id) SELECT id, $2 FROM a`,
    [TECH, m!.id],
  );
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const signIn = async (email: string) => {
  await page.goto('/login');
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/inbox/);
};

describe('the communes of a métropole', () => {
  step('Saint-Aubin’s administrator has no Communes screen', async () => {
    await signIn('admin@saint-aubin.fr');
    await page.goto('/admin/commune');
    await page.getByRole('heading', { level: 2, name: 'La commune' }).waitFor();
    expect(
      await page
        .getByRole('navigation', { name: 'Rubriques d’administration' })
        .getByRole('link', { name: 'Communes', exact: true })
        .count(),
    ).toBe(0);
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(/\/login/);
  });

  step('the métropole’s administrator opens Administration › Communes: the métropole listed, axe clean', async () => {
    await signIn(ADMIN);
    await page.goto('/admin/services');
    await page.getByRole('link', { name: 'Communes', exact: true }).click();
    await page.waitForURL(/\/admin\/communes/);
    await page.getByRole('heading', { level: 2, name: 'Communes de la métropole' }).waitFor();
    const row = page.getByTestId(`commune-${METROPOLE}`);
    await row.waitFor();
    expect(await row.innerText()).toContain('Métropole');
    expect(await axeViolations(page, 'communes list')).toEqual([]);
  });

  step('a malformed code and host are refused next to their fields, then the commune is created with its public page', async () => {
    await page.getByRole('button', { name: 'Ajouter une commune' }).click();
    await page.getByRole('heading', { level: 3, name: 'Nouvelle commune de la métropole' }).waitFor();
    await page.getByLabel('Code', { exact: true }).fill('Bourg Neuf');
    await page.getByLabel('Nom', { exact: true }).fill('Commune de Bourg-Neuf');
    await page.getByLabel(/Adresse publique propre/).fill('https://bourg-neuf.fr/demande');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.locator('#commune-code[aria-invalid="true"]').waitFor();
    await page.locator('#commune-host[aria-invalid="true"]').waitFor();
    // each message is the field's description (RGAA: an error tied to its field)
    for (const [id, text] of [
      ['commune-code', 'lettres minuscules sans accent'],
      ['commune-host', 'nom d’hôte seul'],
    ] as const) {
      const described = (await page.locator(`#${id}`).getAttribute('aria-describedby')) ?? '';
      const messages = await Promise.all(
        described
          .split(/\s+/)
          .filter(Boolean)
          .map((d) => page.locator(`#${d}`).innerText()),
      );
      expect(messages.join(' ')).toContain(text);
    }
    expect(await axeViolations(page, 'communes form with errors')).toEqual([]);

    await page.getByLabel('Code', { exact: true }).fill(CODE);
    await page.getByLabel(/Adresse publique propre/).fill(`${CODE}.example.fr`);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await status().filter({ hasText: 'Enregistré.' }).waitFor();
    const row = page.getByTestId(`commune-${CODE}`);
    await row.waitFor();
    expect(await row.innerText()).toContain(`${CODE}.example.fr`);
    expect(await row.getByRole('link', { name: 'Formulaire de Commune de Bourg-Neuf' }).getAttribute('href')).toBe(`/c/${CODE}/demande`);
    const [saved] = await dbQuery<{ parent: string; name: string }>(
      `SELECT p.code AS parent, t.name FROM communes c JOIN communes p ON p.id = c.parent_id JOIN town_settings t ON t.commune_id = c.id
       WHERE c.code = $1`,
      [CODE],
    );
    expect(saved).toEqual({ parent: METROPOLE, name: 'Commune de Bourg-Neuf' });
  });

  step('the commune is renamed and given a footer: its public form shows them', async () => {
    await page.getByRole('button', { name: 'Modifier Commune de Bourg-Neuf' }).click();
    await page.getByRole('heading', { level: 3, name: 'Modifier « Commune de Bourg-Neuf »' }).waitFor();
    expect(await page.getByLabel('Code', { exact: true }).getAttribute('readonly')).not.toBeNull();
    await page.getByLabel('Nom', { exact: true }).fill('Ville de Bourg-Neuf');
    await page.getByLabel('Pied de page (adresse, horaires d’accueil)').fill('Mairie de Bourg-Neuf, place de la Fontaine');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByTestId(`commune-${CODE}`).getByRole('cell', { name: 'Ville de Bourg-Neuf', exact: true }).waitFor();
    await page.goto(`/c/${CODE}/demande`);
    await page.getByText('Mairie de Bourg-Neuf, place de la Fontaine').waitFor();
    await page
      .getByRole('link', { name: /Ville de Bourg-Neuf/ })
      .first()
      .waitFor();
  });

  step('the commune is given an agent of the métropole, found by search, then taken back; axe clean', async () => {
    await page.goto('/admin/communes');
    await page.getByRole('button', { name: 'Modifier Ville de Bourg-Neuf' }).click();
    const members = page.getByTestId('commune-members');
    await members.getByRole('heading', { level: 3, name: 'Agents de Ville de Bourg-Neuf' }).waitFor();
    await members.getByText('Aucun agent ne travaille encore pour cette commune.').waitFor();
    await page.getByTestId('commune-member-add-search').fill('intercommunal');
    const select = page.getByTestId('commune-member-add');
    await select.locator('option', { hasText: 'Technicien Intercommunal' }).waitFor({ state: 'attached' });
    await select.selectOption({ label: `Technicien Intercommunal (${TECH})` });
    await members.getByRole('button', { name: 'Ajouter à la commune' }).click();
    await members.getByTestId(`member-${TECH}`).waitFor();
    const member = () =>
      dbQuery<{ n: number }>(
        `SELECT count(*)::int AS n FROM agent_communes ac JOIN agents a ON a.id = ac.agent_id JOIN communes c ON c.id = ac.commune_id
         WHERE a.email = $1 AND c.code = $2`,
        [TECH, CODE],
      );
    expect((await member())[0]!.n).toBe(1);
    expect(await axeViolations(page, 'commune members')).toEqual([]);
    await members.getByRole('button', { name: 'Retirer Technicien Intercommunal' }).click();
    await members.getByText('Aucun agent ne travaille encore pour cette commune.').waitFor();
    expect((await member())[0]!.n).toBe(0);
  });
});
