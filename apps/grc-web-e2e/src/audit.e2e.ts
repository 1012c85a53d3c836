/**
 * The DPO's audit viewer: an agent opens a request; the DPO (who handles no request) signs in, lands on
 * the audit trail instead of the inbox, filters it by the request's reference and the action, reads the
 * agent's consultation worded in French in a captioned table (axe-core clean), and exports the same
 * filters as CSV (filters in the header lines).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const AGENT = 'julie.lefebvre@saint-aubin.fr'; // voirie
const DPO = 'dpo@saint-aubin.fr';

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;
const step = scenarioSteps(() => page);
let ticket: { id: string; reference: string };

const p = (): Page => {
  if (!page) throw new Error('no page');
  return page;
};

async function login(pg: Page, email: string): Promise<void> {
  await pg.goto('/login');
  await pg.getByLabel('Adresse électronique').fill(email);
  await pg.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await pg.getByRole('button', { name: 'Se connecter' }).click();
}

beforeAll(async () => {
  browser = await connectBrowser();
  const [t] = await dbQuery<{ id: string; reference: string }>(
    `SELECT t.id, t.reference FROM tickets t JOIN departments d ON d.id = t.department_id
     WHERE d.code = 'voirie' ORDER BY t.created_at DESC, t.id LIMIT 1`,
  );
  if (!t) throw new Error('no voirie ticket in the demo town');
  ticket = t;
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe("the DPO's audit viewer", () => {
  step('an agent opens a request (a read of personal data, audited)', async () => {
    const agent = await newPage(browser);
    try {
      await login(agent.page, AGENT);
      await agent.page.waitForURL(/\/inbox/);
      await agent.page.goto(`/tickets/${ticket.id}`);
      await agent.page.getByRole('heading', { level: 1 }).filter({ hasText: ticket.reference }).waitFor();
    } finally {
      await agent.context.close();
    }
  });

  step('the DPO signs in and lands on the audit trail, without the inbox in the menu; axe clean', async () => {
    ({ context, page } = await newPage(browser));
    const pg = p();
    await login(pg, DPO);
    await pg.waitForURL(/\/audit/);
    await pg.getByRole('heading', { level: 1, name: 'Journal d’audit' }).waitFor();
    const nav = pg.getByRole('navigation', { name: /principal|main/i });
    await nav.getByRole('link', { name: 'Journal d’audit' }).waitFor();
    await expect(nav.getByRole('link', { name: 'Boîte de réception' }).count()).resolves.toBe(0);
    await pg.getByRole('table', { name: 'Événements du journal, du plus récent au plus ancien' }).waitFor();
    expect(await axeViolations(pg, 'audit viewer')).toEqual([]);
  });

  step("filters by the request's reference and the action: the agent's consultation, worded", async () => {
    const pg = p();
    await pg.getByLabel('Référence de la demande').fill(ticket.reference);
    await pg.getByLabel('Action', { exact: true }).selectOption({ label: 'Consultation d’une demande' });
    await pg.getByRole('button', { name: 'Rechercher' }).click();
    const table = pg.getByRole('table', { name: 'Événements du journal, du plus récent au plus ancien' });
    const row = table.getByRole('row').filter({ hasText: AGENT });
    await row.first().waitFor();
    await expect(row.first().innerText()).resolves.toContain('Consultation d’une demande');
    await expect(row.first().innerText()).resolves.toContain(ticket.id);
    // only that action, only that request
    const rows = await table.locator('tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes('Consultation d’une demande') && r.includes(ticket.id))).toBe(true);
    await pg
      .getByTestId('audit-status')
      .filter({ hasText: /événement/ })
      .waitFor();
    expect(await axeViolations(pg, 'audit viewer, filtered')).toEqual([]);
  });

  step('exports the same filters as CSV', async () => {
    const pg = p();
    const href = await pg.getByTestId('audit-export').getAttribute('href');
    expect(href).toContain(`ticketReference=${ticket.reference}`);
    expect(href).toContain('action=ticket.read');
    const res = await pg.request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/^text\/csv/);
    const text = (await res.text()).replace(/^\ufeff/, '');
    expect(text).toContain(`# filter ticketReference=${ticket.reference}`);
    expect(text).toContain('at,actor_id,actor_label,action,entity_type,entity_id,changes,ip');
    expect(text).toContain(`${AGENT},ticket.read,ticket,${ticket.id}`);
  });
});
