/**
 * Pick-lists that scale (issue 13): every agent picker of the console is one searchable component filled by the
 * API's search for the relevant departments, never the town's whole directory. The voirie head names a delegate
 * (only voirie's agents are offered; the search narrows them, without accents), filters the audit trail by an
 * actor of voirie, and assigns a voirie request. Each picker's requests to GET /agents carry the department
 * filter and a limit. axe on the delegations screen, the audit viewer and the ticket page.
 */
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const HEAD = 'thierry.moreau@saint-aubin.fr';

let browser: Browser;
let context: BrowserContext;
let page: Page;
const step = scenarioSteps(() => page);
/** every GET /api/v1/agents the console sent */
const agentRequests: URL[] = [];

const optionsOf = (id: string) =>
  page.locator(`select#${id} option`).evaluateAll((os) => os.map((o) => (o.textContent ?? '').trim()).filter(Boolean));

async function waitForOptions(id: string, expected: string[]): Promise<void> {
  await page.waitForFunction(
    ({ id, expected }) =>
      JSON.stringify(Array.from(document.querySelectorAll(`select#${id} option`)).map((o) => (o.textContent ?? '').trim())) ===
      JSON.stringify(expected),
    { id, expected },
    { timeout: 15_000 },
  );
}

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
  page.on('request', (r: Request) => {
    const u = new URL(r.url());
    if (u.pathname === '/api/v1/agents' && r.method() === 'GET') agentRequests.push(u);
  });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('agent pickers: searchable, limited to the relevant departments', () => {
  let voirie = '';

  step('the voirie head’s delegations screen offers voirie’s agents only', async () => {
    [{ id: voirie }] = (await dbQuery<{ id: string }>(`SELECT id FROM departments WHERE code = 'voirie'`)) as [{ id: string }];
    await page.goto('/login');
    await page.getByLabel('Adresse électronique').fill(HEAD);
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/inbox/);
    agentRequests.length = 0;
    await page.goto('/delegations');
    await waitForOptions('deleg-to', ['—', 'Julie Lefebvre', 'Karim Benali']);
    expect(agentRequests.length).toBeGreaterThan(0);
    for (const u of agentRequests) {
      expect(u.searchParams.get('departmentId')).toBe(voirie);
      expect(u.searchParams.get('limit')).toBe('51');
    }
    expect(await axeViolations(page, 'delegations with the agent picker')).toEqual([]);
  });

  step('the search narrows the list (accents and case ignored) and the delegation is saved', async () => {
    await page.getByLabel('Chercher un agent (nom ou adresse)').fill('BENALI');
    await waitForOptions('deleg-to', ['—', 'Karim Benali']);
    expect(agentRequests.at(-1)!.searchParams.get('q')).toBe('BENALI');
    await page.getByTestId('deleg-to').selectOption({ label: 'Karim Benali' });
    await page.getByTestId('deleg-create').click();
    await page.getByText('Délégation enregistrée.').waitFor();
    await page.getByRole('cell', { name: 'Karim Benali' }).first().waitFor();
    // someone outside voirie is not found, however typed
    await page.getByLabel('Chercher un agent (nom ou adresse)').fill('helene');
    await waitForOptions('deleg-to', ['—']);
  });

  step('the audit viewer’s actor filter offers the head’s departments’ agents, with their address', async () => {
    agentRequests.length = 0;
    await page.goto('/audit');
    await page
      .locator('select#a-actor option', { hasText: 'Julie Lefebvre (julie.lefebvre@saint-aubin.fr)' })
      .waitFor({ state: 'attached' });
    const options = await optionsOf('a-actor');
    expect(options[0]).toBe('Tous les agents');
    expect(options.some((o) => o.startsWith('Hélène Marchand'))).toBe(false);
    expect(agentRequests.every((u) => u.searchParams.get('departmentId')?.split(',').includes(voirie))).toBe(true);
    await page.locator('#a-actor-search').fill('julie');
    await waitForOptions('a-actor', ['Tous les agents', 'Julie Lefebvre (julie.lefebvre@saint-aubin.fr)']);
    expect(await axeViolations(page, 'audit viewer with the actor picker')).toEqual([]);
  });

  step('a voirie request is assigned from its department’s agents', async () => {
    const [t] = await dbQuery<{ id: string }>(
      `SELECT t.id FROM tickets t JOIN departments d ON d.id = t.department_id
       WHERE d.code = 'voirie' AND t.status NOT IN ('closed', 'resolved', 'rejected') ORDER BY t.created_at DESC LIMIT 1`,
    );
    agentRequests.length = 0;
    await page.goto(`/tickets/${t!.id}`);
    await waitForOptions('assign-select', ['Moi (Thierry Moreau)', 'Julie Lefebvre', 'Karim Benali', 'Personne (retirer l’attribution)']);
    // the picker's searches (the page also reads the directory once, to name agents in the timeline)
    const searches = agentRequests.filter((u) => u.searchParams.has('limit'));
    expect(searches.length).toBeGreaterThan(0);
    expect(searches.every((u) => u.searchParams.get('departmentId') === voirie)).toBe(true);
    await page.getByTestId('assign-search').fill('lefeb');
    await waitForOptions('assign-select', ['Moi (Thierry Moreau)', 'Julie Lefebvre', 'Personne (retirer l’attribution)']);
    await page.getByTestId('assign').selectOption({ label: 'Julie Lefebvre' });
    await page.getByRole('button', { name: 'Attribuer', exact: true }).click();
    await page.waitForFunction(
      async (id) => {
        const r = await fetch(`/api/v1/tickets/${id}`, { headers: { 'X-Requested-With': 'grc' } });
        return (await r.json()).assignee?.displayName === 'Julie Lefebvre';
      },
      t!.id,
      { timeout: 15_000, polling: 500 },
    );
    expect(await axeViolations(page, 'ticket with the assignment picker')).toEqual([]);
  });
});
