/**
 * The console lives (issue 13, docs/live.md): two agents of voirie in two browser contexts open the same
 * request; each sees the other there (presence), the one who starts writing while the other answers is
 * warned first, a note written by one appears on the other's page without reloading (server-sent
 * events, re-read through REST); a view the head saves and shares with voirie appears as a tab in the
 * agent's inbox, with its count; the header's one search box finds the reference and the citizen, whose page
 * shows their requests (channel) and messages. axe-core on the ticket page with presence, the search page, the
 * citizen page and the inbox with views. When the API refuses the stream, the inbox polls, says so, and goes
 * live again once the stream opens.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const AGENT = { email: 'julie.lefebvre@saint-aubin.fr', name: 'Julie Lefebvre' };
const HEAD = { email: 'thierry.moreau@saint-aubin.fr', name: 'Thierry Moreau' };

let browser: Browser;
const contexts: BrowserContext[] = [];
let agent: Page | undefined;
let head: Page | undefined;
const step = scenarioSteps(() => agent);
let ticket: { id: string; reference: string };
const NOTE = `Passé sur place, le trou fait 40 cm (${Date.now().toString(36)})`;
const VIEW = `Voirie urgente ${Date.now().toString(36)}`;
const REPLY = 'Bonjour, nous intervenons cette semaine.';

const a = (): Page => agent!;
const h = (): Page => head!;

async function login(pg: Page, email: string): Promise<void> {
  await pg.goto('/login');
  await pg.getByLabel('Adresse électronique').fill(email);
  await pg.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await pg.getByRole('button', { name: 'Se connecter' }).click();
  await pg.waitForURL(/\/inbox/);
}

/** A tab's figures, "12 / 40": open ones, all. */
async function countOf(count: Locator): Promise<{ open: number; all: number }> {
  const [open, all] = (await count.locator('[aria-hidden="true"]').innerText()).split('/').map((x) => Number(x.replace(/\D/g, '')));
  return { open: open!, all: all! };
}

/** Retries an assertion until it holds (10 s). */
async function eventually(check: () => Promise<void>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** A request registered through the REST API in the page's session (a phone call). */
async function createPothole(pg: Page, categoryId: string, subject: string, newCitizen?: Record<string, unknown>) {
  return pg.evaluate(
    async ({ categoryId, subject, newCitizen }) => {
      const res = await fetch('/api/v1/tickets', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
        body: JSON.stringify({ channel: 'phone', categoryId, subject, description: 'Signalé par téléphone', newCitizen }),
      });
      return (await res.json()) as { id: string; reference: string };
    },
    { categoryId, subject, newCitizen },
  );
}

beforeAll(async () => {
  browser = await connectBrowser();
  for (const who of ['agent', 'head'] as const) {
    const { context, page } = await newPage(browser);
    contexts.push(context);
    if (who === 'agent') agent = page;
    else head = page;
  }
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

describe('live console: presence, a colleague’s note without reload, a shared view', () => {
  step('both log in; the agent registers a pothole, both open it and see each other there', async () => {
    await login(a(), AGENT.email);
    await login(h(), HEAD.email);
    const [category] = await dbQuery<{ id: string }>(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
    ticket = await createPothole(a(), category!.id, 'Nid-de-poule rue des Tanneurs', {
      kind: 'resident',
      firstName: 'Camille',
      lastName: 'Ardoisier',
      email: `camille.ardoisier.${Date.now().toString(36)}@example.org`,
      phone: null,
      address: null,
      postcode: null,
      city: null,
      organisationName: null,
      contactPerson: null,
      preferredChannel: null,
    });
    await a().goto(`/tickets/${ticket.id}`);
    // the timeline in words: the department's name, not its id
    await a().getByTestId('timeline-event').filter({ hasText: 'Service voirie et réseaux' }).waitFor();
    await h().goto(`/tickets/${ticket.id}`);
    await a()
      .getByTestId('presence-entry')
      .filter({ hasText: `${HEAD.name} consulte` })
      .waitFor();
    await h()
      .getByTestId('presence-entry')
      .filter({ hasText: `${AGENT.name} consulte` })
      .waitFor();
  });

  step('the head starts a reply; the agent who starts writing is warned first', async () => {
    await h().getByTestId('composer-kind-reply').check();
    await h().getByTestId('composer-body').focus();
    await a()
      .getByTestId('presence-entry')
      .filter({ hasText: `${HEAD.name} rédige une réponse` })
      .waitFor();
    await a().getByTestId('composer-kind-note').check();
    await a().getByTestId('composer-body').focus();
    await expect(a().getByTestId('presence-warning').innerText()).resolves.toContain(`${HEAD.name} est en train de répondre à cet usager`);
    expect(await axeViolations(a(), 'ticket page with presence and warning')).toEqual([]);
  });

  step('the agent adds a note: it appears on the head’s page without reloading, marked new', async () => {
    await h().evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));
    await a().getByTestId('composer-body').fill(NOTE);
    await a().getByTestId('composer-submit').click();
    await a().getByTestId('timeline-event').filter({ hasText: NOTE }).waitFor();
    const seen = h().getByTestId('timeline-event').filter({ hasText: NOTE });
    await seen.waitFor();
    await seen.getByTestId('timeline-new').waitFor();
    // the same document: no reload happened
    await expect(h().evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)).resolves.toBe(true);
    // the head's draft is untouched
    await h().getByTestId('composer-body').fill(REPLY);
    await expect(h().getByTestId('composer-body').inputValue()).resolves.toBe(REPLY);
    // and sent on the version the live update brought (no 409)
    await h().getByTestId('composer-submit').click();
    await h().getByTestId('timeline-event').filter({ hasText: REPLY }).waitFor();
    await a().getByTestId('timeline-event').filter({ hasText: REPLY }).waitFor();
  });

  step(
    'one search box: the reference and the citizen are found from any page; the citizen page shows every request and message',
    async () => {
      await a().getByTestId('global-search').fill(ticket.reference.toLowerCase().replace(/-/g, ' '));
      await a().getByTestId('global-search').press('Enter');
      await a().getByTestId('search-reference').filter({ hasText: ticket.reference }).waitFor();
      await a().getByTestId('search-counts').waitFor();
      expect(await axeViolations(a(), 'search page')).toEqual([]);
      await a().getByTestId('global-search').fill('Ardoisier');
      await a().getByTestId('global-search').press('Enter');
      await a().getByTestId('search-citizens').getByRole('link', { name: 'Camille Ardoisier' }).click();
      await a().waitForURL(/\/citizens\//);
      await a().getByTestId('citizen-tickets').filter({ hasText: ticket.reference }).waitFor();
      await expect(a().getByTestId('citizen-tickets').innerText()).resolves.toContain('Téléphone');
      await a().getByTestId('citizen-messages').filter({ hasText: REPLY }).waitFor();
      expect(await axeViolations(a(), 'citizen page')).toEqual([]);
    },
  );

  step('the head saves a view shared with voirie; the agent sees it as a tab with its count', async () => {
    await h().goto('/inbox?view=departments&priority=normal&sort=due_asc');
    await h().getByText('Enregistrer cette vue').click();
    await h().getByTestId('view-name').fill(VIEW);
    await h().getByTestId('view-share').check();
    await h().getByTestId('view-save').click();
    await h().getByTestId('saved-view-tab').filter({ hasText: VIEW }).waitFor();

    await a().goto('/inbox');
    const tab = a().getByTestId('saved-view-tab').filter({ hasText: VIEW });
    await tab.waitFor();
    await expect(tab.innerText()).resolves.toContain(`partagée par ${HEAD.name}`);
    await tab.locator('.count').waitFor();
    await tab.click();
    await a().waitForURL(/sort=due_asc/);
    expect(await axeViolations(a(), 'inbox with saved views')).toEqual([]);
  });

  step(
    'the stream refused (503): the inbox says it re-reads every 30 s, shows a new request without reload, and goes live again',
    async () => {
      const refuse = '**/api/v1/live/**';
      await a().route(refuse, (r) =>
        r.fulfill({
          status: 503,
          headers: { 'Retry-After': '30' },
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'about:blank', title: 'Indisponible', status: 503, code: 'live.too_many_clients' }),
        }),
      );
      await a().goto('/inbox?view=departments');
      await a().getByTestId('live-polling').waitFor();
      await a().evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));
      const [category] = await dbQuery<{ id: string }>(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
      const polled = await createPothole(h(), category!.id, `Relevé au passage ${Date.now().toString(36)}`);
      // the next poll (at most 30 s) re-reads the list
      await a().getByTestId('inbox-row').filter({ hasText: polled.reference }).waitFor({ timeout: 40_000 });
      await expect(a().evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)).resolves.toBe(true);
      // the API takes streams again: the next tick opens one, the notice goes
      await a().unroute(refuse);
      await a().getByTestId('live-polling').waitFor({ state: 'detached', timeout: 40_000 });
      // live again: a new request shows in the list, and the tabs' counts (a built-in one, the shared view) follow
      const viewTab = a().getByTestId('saved-view-tab').filter({ hasText: VIEW });
      const figures = async () => ({
        departments: await countOf(a().getByTestId('view-count-departments')),
        shared: await countOf(viewTab.locator('.count')),
      });
      const before = await figures();
      const live = await createPothole(h(), category!.id, `En direct ${Date.now().toString(36)}`);
      await a().getByTestId('inbox-row').filter({ hasText: live.reference }).waitFor({ timeout: 10_000 });
      const plusOne = (c: { open: number; all: number }) => ({ open: c.open + 1, all: c.all + 1 });
      await eventually(async () =>
        expect(await figures()).toEqual({ departments: plusOne(before.departments), shared: plusOne(before.shared) }),
      );
      // and the open list's count says the same as its tab, in words
      const inWords = (await a().getByTestId('inbox-counts').innerText()).replace(/(\d)[\s\u202f\u00a0](?=\d)/g, '$1');
      expect(inWords).toMatch(new RegExp(`${before.departments.all + 1} demandes, dont ${before.departments.open + 1} ouvertes`));
    },
    120_000,
  );
});
