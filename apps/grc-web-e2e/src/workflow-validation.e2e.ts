/**
 * A reply through its validation circuit (circuit « Réponse sensible » of the demo town, category
 * « Déclaration préalable de travaux »): the agent drafts, the head of the department rejects with a
 * comment, the agent revises, the head approves, the élu approves, the reply is sent. Three people,
 * each in their own browser context; axe-core on every page visited.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const AGENT = { email: 'emma.clarke@saint-aubin.fr', name: 'Emma Clarke' };
const HEAD = { email: 'olivier.chevalier@saint-aubin.fr', name: 'Olivier Chevalier' };
const ELU = { email: 'bernard.lucas@saint-aubin.fr', name: 'Bernard Lucas' };

const marker = `wf${Date.now().toString(36)}`;
const DRAFT_1 = `Madame, votre déclaration préalable est incomplète (${marker}).`;
const REJECTION = 'Indiquez la pièce manquante et le délai de réponse.';
const DRAFT_2 = `Madame, votre déclaration préalable est incomplète : il manque le plan de masse. Vous disposez de trois mois (${marker}).`;

let browser: Browser;
const sessions: Array<{ context: BrowserContext; page: Page }> = [];
let current: Page | undefined;
let ticketId = '';
let reference = '';
const step = scenarioSteps(() => current);

async function noAxeViolations(page: Page, label: string): Promise<void> {
  expect(await axeViolations(page, label)).toEqual([]);
}

async function login(who: { email: string; name: string }): Promise<Page> {
  const s = await newPage(browser);
  sessions.push(s);
  const pg = s.page;
  current = pg;
  await pg.goto('/login');
  await pg.getByLabel('Adresse électronique').fill(who.email);
  await pg.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await pg.getByRole('button', { name: 'Se connecter' }).click();
  await pg.waitForURL(/\/inbox/);
  await pg.getByText(`Connecté en tant que ${who.name}`).waitFor();
  return pg;
}

async function currentStep(pg: Page, label: string): Promise<void> {
  await pg.waitForFunction((l) => document.querySelector('[data-testid="wf-current-step"]')?.textContent?.trim() === l, label, {
    timeout: 15_000,
  });
}

let agent: Page;
let head: Page;
let elu: Page;

beforeAll(async () => {
  browser = await connectBrowser();
});

afterAll(async () => {
  for (const s of sessions) await s.context.close();
  await browser?.close();
});

describe('a reply goes through its validation circuit: draft, rejection, revision, approvals, sent', () => {
  step('the agent opens a request bound to the sensitive-reply circuit', async () => {
    agent = await login(AGENT);
    const [cat] = await dbQuery<{ id: string }>(`SELECT id FROM categories WHERE code = 'declaration-prealable'`);
    const created = await agent.evaluate(
      async ({ categoryId, marker }) => {
        const res = await fetch('/api/v1/tickets', {
          method: 'POST',
          credentials: 'include',
          headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
          body: JSON.stringify({
            channel: 'counter',
            categoryId,
            subject: `Déclaration préalable – abri de jardin ${marker}`,
            description: 'Dépôt au guichet d’une déclaration préalable.',
          }),
        });
        return { status: res.status, body: await res.json() };
      },
      { categoryId: cat!.id, marker },
    );
    expect(created.status).toBe(201);
    ticketId = created.body.id;
    reference = created.body.reference;
    await agent.goto(`/tickets/${ticketId}`);
    await agent.getByTestId('wf-panel').waitFor();
    await expect(agent.getByTestId('wf-panel').innerText()).resolves.toContain('Circuit applicable');
    await noAxeViolations(agent, 'ticket with a circuit (not started)');
  });

  step('the agent drafts the reply and submits it', async () => {
    await agent.getByTestId('wf-text').fill(DRAFT_1);
    await agent.getByTestId('wf-submit-draft').click();
    await currentStep(agent, 'Validation par le responsable du service');
    await expect(agent.getByTestId('wf-draft').innerText()).resolves.toContain(DRAFT_1);
    await agent.getByTestId('timeline-event').filter({ hasText: 'Projet de réponse soumis' }).waitFor();
    await noAxeViolations(agent, 'ticket (draft submitted)');
  });

  step('the head finds it in « À valider » and rejects it with a comment (mandatory)', async () => {
    head = await login(HEAD);
    await head.getByTestId('nav-awaiting').click();
    await head.waitForURL(/\/a-valider$/);
    const row = head.getByTestId('wf-inbox-item').filter({ hasText: reference });
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain('Validation');
    await noAxeViolations(head, 'awaiting my validation');
    await row.getByRole('link', { name: reference }).click();
    await head.waitForURL(new RegExp(`/tickets/${ticketId}$`));
    await head.getByTestId('wf-reject').waitFor();
    await noAxeViolations(head, 'ticket (head, approval step)');

    await head.getByTestId('wf-reject').click();
    await head.locator('#wf-comment-error').waitFor();
    await head.getByTestId('wf-comment').fill(REJECTION);
    await head.getByTestId('wf-reject').click();
    await currentStep(head, 'Rédaction du projet de réponse');
    await head.getByTestId('timeline-event').filter({ hasText: REJECTION }).waitFor();
  });

  step('the agent sees the comment, revises the draft and submits it again', async () => {
    current = agent;
    await agent.reload();
    await currentStep(agent, 'Rédaction du projet de réponse');
    const rejection = agent.getByTestId('timeline-event').filter({ hasText: REJECTION });
    await rejection.waitFor();
    await expect(rejection.innerText()).resolves.toContain(HEAD.name);
    // the comment is on the draft itself too, where the agent revises it
    await expect(agent.getByTestId('wf-rejection').innerText()).resolves.toContain(REJECTION);
    await expect(agent.getByTestId('wf-text').inputValue()).resolves.toBe(DRAFT_1);
    await agent.getByTestId('wf-text').fill(DRAFT_2);
    await agent.getByTestId('wf-submit-draft').click();
    await currentStep(agent, 'Validation par le responsable du service');
    await expect(agent.getByTestId('wf-draft').innerText()).resolves.toContain(DRAFT_2);
    // a new round: the comments of the last one leave the draft (they stay in the history)
    await expect(agent.getByTestId('wf-rejection').count()).resolves.toBe(0);
    await noAxeViolations(agent, 'ticket (revised draft)');
  });

  step('the head approves', async () => {
    current = head;
    await head.reload();
    await head.getByTestId('wf-approve').click();
    await currentStep(head, 'Visa de la DGS ou d’un élu');
    await expect(head.getByTestId('wf-draft').innerText()).resolves.toContain(DRAFT_2);
  });

  step('the élu approves from « À valider »: the reply is sent', async () => {
    elu = await login(ELU);
    await elu.getByTestId('nav-awaiting').click();
    const row = elu.getByTestId('wf-inbox-item').filter({ hasText: reference });
    await row.waitFor();
    await row.getByRole('link', { name: reference }).click();
    await elu.waitForURL(new RegExp(`/tickets/${ticketId}$`));
    await elu.getByTestId('wf-approve').click();
    await elu.getByTestId('wf-sent').waitFor();
    await expect(elu.getByTestId('wf-outcome').innerText()).resolves.toBe('Réponse envoyée');
    const reply = elu.getByTestId('timeline-event').filter({ hasText: 'Réponse au citoyen' }).filter({ hasText: DRAFT_2 });
    await reply.waitFor();
    await expect(elu.getByTestId('timeline-event').filter({ hasText: 'Circuit terminé' }).count()).resolves.toBe(1);
    await elu.getByText('Historique du circuit').click();
    await expect(elu.getByTestId('wf-history').innerText()).resolves.toMatch(
      /Refus par Olivier Chevalier[\s\S]*Validation par Bernard Lucas/,
    );
    await noAxeViolations(elu, 'ticket (reply sent)');
  });

  step('the admin reviews the circuits page (list, diagram, bindings)', async () => {
    const admin = await login({ email: 'admin@saint-aubin.fr', name: 'Administrateur GRC' });
    await admin.goto('/admin/circuits');
    const open = admin.getByRole('button', { name: 'Ouvrir reponse-sensible-urbanisme' });
    await open.waitFor();
    await open.click();
    // the forms and the graph first; the condition in words, not JSON
    await admin.getByTestId('ce-graph').waitFor();
    // the graph is laid out after the circuit's data arrive: wait for its 7 steps (fails on time-out)
    await admin.waitForFunction((n) => document.querySelectorAll('[data-testid="ce-node"]').length === n, 7);
    await expect(admin.getByTestId('ce-graph-text').innerText()).resolves.toMatch(
      /validé, si catégorie est « [^»]+ » ou priorité est « Urgente » → Visa de la direction générale des services/,
    );
    await admin.getByTestId('wf-validate').click();
    await admin.getByTestId('wf-valid').waitFor();
    await noAxeViolations(admin, 'admin circuits');
    await admin.getByLabel('Fichier YAML').check();
    await admin.getByTestId('wf-diagram').waitFor();
    await expect(admin.getByTestId('wf-diagram').innerText()).resolves.toMatch(/si catégorie est « [^»]+ » ou priorité est « Urgente »/);
    await admin.getByTestId('wf-source').fill('id: faux\nname: Faux\ninitial: nulle-part\nsteps:\n  a: { kind: end }\n');
    await admin.getByTestId('wf-validate').click();
    await admin.getByTestId('wf-errors').waitFor();
    await expect(admin.getByTestId('wf-errors').innerText()).resolves.toContain('initial');
  });
});
