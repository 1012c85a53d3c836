/**
 * An agent's day, in French: log in, register a phone request for a known citizen, find it again with the
 * inbox's full-text search (accents ignored), reply to the citizen and resolve it. Every page passes axe-core
 * (WCAG 2.0/2.1 A and AA).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

// A voirie and éclairage public agent of the demo town (packs/demo-town/agents.yaml).
const AGENT = { email: 'karim.benali@saint-aubin.fr', name: 'Karim Benali' };
const CATEGORY = 'Lampadaire en panne'; // routed to Éclairage public, one of the agent's departments

/** A word no demo ticket contains, so the search finds exactly this run's request. */
const marker = `zephyrin${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const SUBJECT = `Lampadaire éteint devant le ${marker}`;
const DESCRIPTION = `Éclairage public en panne depuis trois soirs au carrefour ${marker}, la rue est très sombre.`;
const REPLY = `Bonjour, l'équipe de l'éclairage public a remplacé la lampe ce matin (${marker}).`;

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;
let citizen: { displayName: string; lastName: string };
let reference = '';
const step = scenarioSteps(() => page);

const p = (): Page => {
  if (!page) throw new Error('no page');
  return page;
};

async function expectNoAxeViolations(label: string): Promise<void> {
  const violations = await axeViolations(p(), label);
  expect(violations).toEqual([]);
}

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
  // An existing resident whose full name is unique in the demo town, known to the agent's departments
  // (need-to-know: without the citizen directory an agent finds only the requesters of its departments).
  const [row] = await dbQuery<{ first_name: string; last_name: string }>(
    `SELECT z.first_name, z.last_name FROM citizens z
      WHERE z.kind = 'resident' AND z.first_name IS NOT NULL AND z.last_name IS NOT NULL
        AND EXISTS (SELECT 1 FROM tickets t JOIN departments d ON d.id = t.department_id WHERE t.citizen_id = z.id AND d.code IN ('voirie', 'eclairage'))
        AND (SELECT count(*) FROM citizens o WHERE o.first_name = z.first_name AND o.last_name = z.last_name) = 1
      ORDER BY z.last_name, z.first_name LIMIT 1`,
  );
  if (!row) throw new Error('the demo town has no resident citizen');
  citizen = { displayName: `${row.first_name} ${row.last_name}`, lastName: row.last_name };
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('agent registers, finds, answers and resolves a phone request', () => {
  step('the login page is accessible and the agent logs in', async () => {
    const pg = p();
    await pg.goto('/login');
    await pg.getByRole('heading', { level: 1, name: /Connexion/ }).waitFor(); // the first page of a cold run may take a while
    await expectNoAxeViolations('login');

    await pg.getByLabel('Adresse électronique').fill(AGENT.email);
    await pg.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await pg.getByRole('button', { name: 'Se connecter' }).click();
    await pg.waitForURL(/\/inbox/);
    await pg.getByText(`Connecté en tant que ${AGENT.name}`).waitFor();
  });

  step('the inbox is accessible', async () => {
    const pg = p();
    await pg.getByRole('heading', { level: 1, name: 'Boîte de réception' }).waitFor();
    await pg
      .getByRole('status')
      .filter({ hasText: /affichées|Aucune demande/ })
      .waitFor();
    await expectNoAxeViolations('inbox');
  });

  step('registers a phone request for an existing citizen', async () => {
    const pg = p();
    await pg.getByTestId('new-ticket-link').click();
    await pg.waitForURL(/\/tickets\/new$/);
    await pg.getByRole('heading', { level: 1, name: 'Nouvelle demande' }).waitFor();
    await expectNoAxeViolations('new request');

    await pg.getByLabel('Rechercher un citoyen').fill(citizen.displayName);
    await pg.getByTestId('citizen-search-submit').click();
    const result = pg.getByTestId('citizen-result').filter({ hasText: citizen.displayName });
    await result.first().click();
    await pg.getByRole('heading', { name: 'Demandeur sélectionné' }).waitFor();
    await expect(pg.getByRole('region', { name: '1. Demandeur' }).innerText()).resolves.toContain(citizen.lastName);

    await pg.getByLabel('Canal de réception').selectOption({ label: 'Téléphone' });
    await pg.getByLabel('Catégorie').selectOption({ label: CATEGORY });
    await pg.getByLabel('Priorité').selectOption({ label: 'Haute' });
    await pg.getByLabel('Objet').fill(SUBJECT);
    await pg.getByLabel('Description').fill(DESCRIPTION);
    await expectNoAxeViolations('new request (citizen picked, form filled)');
    await pg.getByRole('button', { name: 'Enregistrer la demande' }).click();

    await pg.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    const ref = pg.getByTestId('ticket-reference');
    await ref.waitFor();
    reference = (await ref.innerText()).trim();
    expect(reference).toMatch(/^GRC-\d{4}-\d{6,}$/);
    await expect(pg.getByRole('status').filter({ hasText: 'Demande enregistrée sous la référence' }).innerText()).resolves.toContain(
      reference,
    );
    await expect(pg.getByTestId('ticket-status').innerText()).resolves.toBe('Nouvelle');
    await expect(pg.locator('.facts').innerText()).resolves.toContain('Téléphone');
    await expect(pg.getByRole('region', { name: 'Demandeur', exact: true }).innerText()).resolves.toContain(citizen.lastName);
    await expectNoAxeViolations('ticket (just created)');
  });

  step('finds it in the inbox with an accent-free full-text search', async () => {
    const pg = p();
    await pg.getByRole('link', { name: 'Boîte de réception' }).first().click();
    await pg.waitForURL(/\/inbox/);
    // The default view is "my requests"; a new request is not assigned yet: look in the agent's departments.
    await pg.getByRole('link', { name: /^Mes services/ }).click();
    await pg.waitForURL(/view=departments/);
    await pg.getByRole('searchbox', { name: 'Rechercher dans les demandes' }).fill(`eclairage ${marker}`);
    await pg.getByTestId('inbox-search-submit').click();
    await pg.waitForURL(/[?&]q=/);

    const row = pg.getByTestId('inbox-row').filter({ hasText: reference });
    await row.waitFor();
    // the new request is also on the unfiltered list: wait for the search's answer to replace it
    await pg.waitForFunction(() => document.querySelectorAll('[data-testid="inbox-row"]').length === 1);
    await expect(pg.getByTestId('inbox-row').count()).resolves.toBe(1);
    await expect(row.innerText()).resolves.toContain(SUBJECT);
    await expect(row.innerText()).resolves.toContain(citizen.displayName);
    await expectNoAxeViolations('inbox (search results)');
    await row.getByRole('link', { name: reference }).click();
    await pg.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    await expect(pg.getByTestId('ticket-reference').innerText()).resolves.toBe(reference);
  });

  step('replies to the citizen and resolves the request', async () => {
    const pg = p();
    await pg.getByRole('radio', { name: 'Réponse au citoyen' }).check();
    await pg.getByLabel('Texte de la réponse au citoyen').fill(REPLY);
    await pg.getByRole('button', { name: 'Envoyer la réponse' }).click();
    await pg.getByTestId('timeline-event').filter({ hasText: REPLY }).waitFor();

    await pg.getByLabel('Nouveau statut').selectOption({ label: 'Résolue' });
    await pg.getByRole('button', { name: 'Changer le statut' }).click();
    await pg.waitForFunction(() => document.querySelector('[data-testid="ticket-status"]')?.textContent?.trim() === 'Résolue', undefined, {
      timeout: 15_000,
    });

    const reply = pg.getByTestId('timeline-event').filter({ hasText: REPLY });
    await expect(reply.count()).resolves.toBe(1);
    await expect(reply.innerText()).resolves.toContain('Réponse au citoyen');
    await expect(reply.innerText()).resolves.toContain(AGENT.name);
    const statusEvent = pg.getByTestId('timeline-event').filter({ hasText: 'Changement de statut' }).filter({ hasText: '→ Résolue' });
    await statusEvent.waitFor();
    await expectNoAxeViolations('ticket (replied and resolved)');

    // Still there after a reload: the timeline comes from the server, not from the page's memory.
    await pg.reload();
    await pg.getByTestId('timeline-event').filter({ hasText: REPLY }).waitFor();
    await expect(pg.getByTestId('ticket-status').innerText()).resolves.toBe('Résolue');
  });
});
