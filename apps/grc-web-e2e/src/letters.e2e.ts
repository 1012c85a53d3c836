/**
 * Replies by post (issue 13): a request taken at the counter from a citizen with a postal address, under the
 * « Réponse simple » circuit of the green spaces. The agent drafts the reply from a template proposed for the
 * request, the head approves it; the letter then appears in « Courrier à envoyer » (not before), its PDF is
 * downloaded and its text checked (letterhead, address, reference, text, the head's signature), and the agent
 * marks it sent, which the ticket's timeline shows. The ticket page's letters panel shows the letter as it goes
 * (to send, its PDF, sent by whom); a second request, answered by post without a circuit, is marked sent from
 * its ticket page. axe-core on the new page and on the ticket with its panel.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pdfText } from './support/pdf-text';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const AGENT = { email: 'antoine.mercier@saint-aubin.fr', name: 'Antoine Mercier' };
const HEAD = { email: 'claire.bonnet@saint-aubin.fr', name: 'Claire Bonnet' };
const marker = `lt${Date.now().toString(36)}`;
const LAST_NAME = `Courrier-${marker}`;

let browser: Browser;
const sessions: Array<{ context: BrowserContext; page: Page }> = [];
let current: Page | undefined;
let ticketId = '';
let reference = '';
let agent: Page;
let head: Page;
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

beforeAll(async () => {
  browser = await connectBrowser();
});
afterAll(async () => {
  for (const s of sessions) await s.context.close();
  await browser?.close();
});

describe('a counter request answered by post: drafted, validated, queued, printed, marked sent', () => {
  step('the agent registers a counter request from a citizen with a postal address', async () => {
    agent = await login(AGENT);
    const [cat] = await dbQuery<{ id: string }>(`SELECT id FROM categories WHERE code = 'entretien-espaces-verts'`);
    const created = await agent.evaluate(
      async ({ categoryId, lastName, marker }) => {
        const res = await fetch('/api/v1/tickets', {
          method: 'POST',
          credentials: 'include',
          headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
          body: JSON.stringify({
            channel: 'counter',
            categoryId,
            subject: `Haie du square à tailler ${marker}`,
            description: 'Signalée à l’accueil de la mairie.',
            newCitizen: {
              kind: 'resident',
              firstName: 'Irène',
              lastName,
              address: '5 allée des Charmes',
              postcode: '37550',
              city: 'Saint-Aubin',
            },
          }),
        });
        return { status: res.status, body: await res.json() };
      },
      { categoryId: cat!.id, lastName: LAST_NAME, marker },
    );
    expect(created.status).toBe(201);
    ticketId = created.body.id;
    reference = created.body.reference;
  });

  step('the agent drafts the reply from a template proposed for the request, and submits it', async () => {
    await agent.goto(`/tickets/${ticketId}`);
    const picker = agent.getByTestId('wf-reply-template');
    await picker.waitFor();
    // the templates written for this department come first, in their own group
    await expect(picker.locator('optgroup').first().getAttribute('label')).resolves.toBe('Pour cette demande');
    await expect(picker.locator('optgroup').first().innerText()).resolves.toContain('Entretien des espaces verts programmé');
    await picker.selectOption({ label: 'Entretien des espaces verts programmé' });
    await agent.waitForFunction(() =>
      (document.querySelector('[data-testid="wf-text"]') as HTMLTextAreaElement | null)?.value.includes('jardiniers'),
    );
    await agent.getByTestId('wf-submit-draft').click();
    await currentStep(agent, 'Validation par le responsable du service');
    // not validated yet: no letter
    const rows = await dbQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ticket_letters WHERE ticket_id = $1`, [ticketId]);
    expect(rows[0]!.n).toBe(0);
    await agent.getByTestId('nav-letters').click();
    await agent.waitForURL(/\/courrier$/);
    await agent.getByTestId('letters-count').waitFor();
    await expect(agent.getByTestId('letter-row').filter({ hasText: reference }).count()).resolves.toBe(0);
  });

  step('the head approves: the reply leaves as a letter', async () => {
    head = await login(HEAD);
    await head.goto(`/tickets/${ticketId}`);
    await head.getByTestId('wf-approve').click();
    await head.getByTestId('wf-sent').waitFor();
    await head.getByTestId('timeline-event').filter({ hasText: 'Courrier à envoyer (réponse par voie postale)' }).waitFor();
  });

  step('the ticket page shows the letter to send, signed by the head, with its PDF', async () => {
    current = agent;
    await agent.goto(`/tickets/${ticketId}`);
    const letter = agent.getByTestId('ticket-letter');
    await letter.waitFor();
    await expect(letter.getByTestId('ticket-letter-state').innerText()).resolves.toBe('À envoyer');
    await expect(letter.innerText()).resolves.toContain(`Signé par ${HEAD.name}`);
    await expect(letter.getByTestId('ticket-letter-mark-sent').isVisible()).resolves.toBe(true);
    await noAxeViolations(agent, 'ticket with its letter to send');
    const [download] = await Promise.all([agent.waitForEvent('download'), letter.getByTestId('ticket-letter-pdf').click()]);
    expect(download.suggestedFilename()).toBe(`courrier-${reference}.pdf`);
    const saved = join(mkdtempSync(join(tmpdir(), 'grc-letter-')), download.suggestedFilename());
    await download.saveAs(saved);
    const text = await pdfText(readFileSync(saved));
    expect(text).toContain(`Nos références : ${reference}`);
    expect(text).toContain(HEAD.name);
  });

  step('the letter is in « Courrier à envoyer »; its PDF carries the letterhead, address, reference, text and signature', async () => {
    current = agent;
    await agent.goto('/courrier');
    const row = agent.getByTestId('letter-row').filter({ hasText: reference });
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain('5 allée des Charmes');
    await expect(row.innerText()).resolves.toContain(HEAD.name);
    await noAxeViolations(agent, 'letters to send');
    const [download] = await Promise.all([agent.waitForEvent('download'), row.getByTestId('letter-pdf').click()]);
    expect(download.suggestedFilename()).toBe(`courrier-${reference}.pdf`);
    // the browser runs remotely: a local copy of the file it received
    const saved = join(mkdtempSync(join(tmpdir(), 'grc-letter-')), download.suggestedFilename());
    await download.saveAs(saved);
    const text = await pdfText(readFileSync(saved));
    for (const fact of [
      'Ville de Saint-Aubin-sur-Loire',
      `Irène ${LAST_NAME}`,
      '5 allée des Charmes',
      '37550 SAINT-AUBIN',
      `Nos références : ${reference}`,
      'inscrit au planning de nos jardiniers',
      'Pour le maire et par délégation,',
      HEAD.name,
    ])
      expect(text).toContain(fact);
  });

  step('the agent marks it sent: it leaves the queue and the ticket’s timeline says so', async () => {
    const row = agent.getByTestId('letter-row').filter({ hasText: reference });
    await row.getByTestId('letter-mark-sent').click();
    await agent.waitForFunction((r) => document.querySelector('[data-testid="letters-notice"]')?.textContent?.includes(r), reference);
    await agent.getByTestId('letter-row').filter({ hasText: reference }).waitFor({ state: 'detached' });
    await agent.getByTestId('letters-sent').click();
    await agent.getByTestId('letter-row').filter({ hasText: reference }).filter({ hasText: AGENT.name }).waitFor();
    await noAxeViolations(agent, 'letters sent');
    await agent.goto(`/tickets/${ticketId}`);
    await agent.getByTestId('timeline-event').filter({ hasText: 'Courrier envoyé' }).waitFor();
    // the panel says it is sent and by whom; nothing left to mark
    const letter = agent.getByTestId('ticket-letter');
    await expect(letter.getByTestId('ticket-letter-state').innerText()).resolves.toBe('Envoyé');
    await expect(letter.innerText()).resolves.toContain(`par ${AGENT.name}`);
    await expect(letter.getByTestId('ticket-letter-mark-sent').count()).resolves.toBe(0);
    await noAxeViolations(agent, 'ticket (letter sent)');
  });
});

describe('a request received by post, answered without a circuit, marked sent from its ticket page', () => {
  const VOIRIE = { email: 'julie.lefebvre@saint-aubin.fr', name: 'Julie Lefebvre' };
  let id = '';
  let ref = '';
  let voirie: Page;

  step('the agent answers a letter request directly: its ticket page shows the letter to send', async () => {
    voirie = await login(VOIRIE);
    const [cat] = await dbQuery<{ id: string }>(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
    const done = await voirie.evaluate(
      async ({ categoryId, marker }) => {
        const headers = { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' };
        const res = await fetch('/api/v1/tickets', {
          method: 'POST',
          credentials: 'include',
          headers,
          body: JSON.stringify({
            channel: 'mail',
            categoryId,
            subject: `Nid-de-poule signalé par lettre ${marker}`,
            description: 'Courrier reçu en mairie.',
            newCitizen: {
              kind: 'resident',
              firstName: 'Paul',
              lastName: `Poste-${marker}`,
              address: '2 rue du Port',
              postcode: '37550',
              city: 'Saint-Aubin',
            },
          }),
        });
        const t = await res.json();
        const reply = await fetch(`/api/v1/tickets/${t.id}/messages`, {
          method: 'POST',
          credentials: 'include',
          headers,
          body: JSON.stringify({ kind: 'reply', body: 'Le trou sera rebouché cette semaine.', version: t.version }),
        });
        return { created: res.status, replied: reply.status, id: t.id, reference: t.reference };
      },
      { categoryId: cat!.id, marker },
    );
    expect([done.created, done.replied]).toEqual([201, 201]);
    id = done.id;
    ref = done.reference;
    await voirie.goto(`/tickets/${id}`);
    const letter = voirie.getByTestId('ticket-letter');
    await letter.waitFor();
    await expect(letter.getByTestId('ticket-letter-state').innerText()).resolves.toBe('À envoyer');
    await expect(letter.innerText()).resolves.toContain(`Signé par ${VOIRIE.name}`);
  });

  step('« Marquer envoyé » on the ticket page: the panel, the timeline and « Envoyés » agree', async () => {
    const letter = voirie.getByTestId('ticket-letter');
    await letter.getByTestId('ticket-letter-mark-sent').click();
    await voirie.waitForFunction((r) => document.querySelector('[data-testid="ticket-letters-notice"]')?.textContent?.includes(r), ref);
    await expect(letter.getByTestId('ticket-letter-state').innerText()).resolves.toBe('Envoyé');
    await voirie.getByTestId('timeline-event').filter({ hasText: 'Courrier envoyé' }).waitFor();
    await noAxeViolations(voirie, 'ticket (letter marked sent from the panel)');
    const [row] = await dbQuery<{ state: string }>(`SELECT state FROM ticket_letters WHERE ticket_id = $1`, [id]);
    expect(row!.state).toBe('sent');
    await voirie.goto('/courrier');
    await voirie.getByTestId('letters-sent').click();
    await voirie.getByTestId('letter-row').filter({ hasText: ref }).filter({ hasText: VOIRIE.name }).waitFor();
  });
});
