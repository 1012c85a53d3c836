/**
 * Administration › Délais (SLA) through its forms, as the demo administrator: Wednesday afternoon
 * hours of the town's calendar changed and saved; a range ending before it starts refused by the
 * server and announced next to its field (error summary focused, aria-invalid, aria-describedby);
 * a negative duration likewise on a policy; a policy's escalation ladder edited; a stale version
 * (409) offered a reload; everything still there after reloading the page. axe-core (WCAG 2.1 A/AA)
 * on the SLA admin page with both editors open, on the heads' breaches page and on a ticket's SLA panel.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const ADMIN = { email: 'admin@saint-aubin.fr', name: 'Administrateur GRC' };

let browser: Browser;
let context: BrowserContext;
let page: Page;
const step = scenarioSteps(() => page);

async function noAxeViolations(label: string): Promise<void> {
  expect(await axeViolations(page, label)).toEqual([]);
}

/** The element a control's aria-describedby points to that holds an error message (id ending in -error). */
async function describedError(control: Locator): Promise<string> {
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter((id) => id.endsWith('-error'));
  expect(ids).toHaveLength(1);
  return (await page.locator(`[id="${ids[0]}"]`).innerText()).trim();
}

async function focusedIsSummary(): Promise<void> {
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'sla-error-summary');
}

const calendarEditor = () => page.getByTestId('calendar-editor');
const policyEditor = () => page.getByTestId('policy-editor');

async function openAdmin(): Promise<void> {
  await page.goto('/admin/delais');
  await page.getByRole('heading', { level: 2, name: 'Calendriers ouvrés' }).waitFor();
  await page.getByRole('button', { name: 'Modifier Hôtel de ville' }).waitFor();
}

async function openCalendar(name: string): Promise<void> {
  await page.getByRole('button', { name: `Modifier ${name}` }).click();
  await calendarEditor()
    .getByRole('heading', { name: `Modifier le calendrier « ${name} »` })
    .waitFor();
}

async function openPolicy(name: string): Promise<void> {
  await page.getByRole('button', { name: `Modifier ${name}` }).click();
  await policyEditor()
    .getByRole('heading', { name: `Modifier la politique « ${name} »` })
    .waitFor();
}

const wednesdayFrom = () => calendarEditor().getByLabel('De (plage 2 du mercredi)', { exact: true });
const wednesdayTo = () => calendarEditor().getByLabel('à (plage 2 du mercredi)', { exact: true });
const level = (n: number) => policyEditor().getByRole('group', { name: new RegExp(`^Palier ${n}\\b`) });

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('SLA administration through forms', () => {
  step('the administrator opens Administration › Délais (SLA) and the town calendar as a form', async () => {
    await page.goto('/login');
    await page.getByLabel('Adresse électronique').fill(ADMIN.email);
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/inbox/);
    await page.getByText(`Connecté en tant que ${ADMIN.name}`).waitFor();
    await openAdmin();
    await openCalendar('Hôtel de ville');
    await expect(wednesdayFrom().inputValue()).resolves.toBe('13:30');
    await expect(wednesdayTo().inputValue()).resolves.toBe('17:30');
    // Thursday's late opening, Saturday morning, Sunday closed
    await expect(calendarEditor().getByLabel('à (plage 2 du jeudi)', { exact: true }).inputValue()).resolves.toBe('19:00');
    await expect(calendarEditor().getByLabel('De (plage 1 du samedi)', { exact: true }).inputValue()).resolves.toBe('09:00');
    await expect(calendarEditor().locator('tr[data-day="sunday"]').innerText()).resolves.toContain('Fermé');
    // this year's public holidays, computed by the domain
    const preview = calendarEditor().getByTestId('holiday-preview');
    await expect(preview.innerText()).resolves.toMatch(/Fête nationale[\s\S]*Noël/);
    await expect(preview.innerText()).resolves.not.toContain('Saint-Étienne');
    await calendarEditor().getByLabel('Jours fériés d’Alsace-Moselle').check();
    await preview.getByText('Saint-Étienne').waitFor();
    await preview.getByText('Vendredi saint').waitFor();
    await calendarEditor().getByLabel('Jours fériés d’Alsace-Moselle').uncheck();
    await preview.getByText('Saint-Étienne').waitFor({ state: 'detached' });
  });

  step('Wednesday afternoon becomes 14:00 to 18:00 and is saved', async () => {
    await wednesdayFrom().fill('14:00');
    await wednesdayTo().fill('18:00');
    await calendarEditor().getByTestId('calendar-save').click();
    await calendarEditor().getByTestId('calendar-status').filter({ hasText: 'Enregistré' }).waitFor();
    const [row] = await dbQuery<{ data: { weeklyHours: Record<string, string[]> } }>(
      `SELECT data FROM sla_calendars WHERE department_id IS NULL`,
    );
    expect(row.data.weeklyHours['wednesday']).toEqual(['08:30-12:00', '14:00-18:00']);
    expect(row.data.weeklyHours['thursday']).toEqual(['08:30-12:00', '13:30-19:00']);
  });

  step('a range that ends before it starts is refused by the server and announced next to the field', async () => {
    await wednesdayTo().fill('12:30');
    await calendarEditor().getByTestId('calendar-save').click();
    await focusedIsSummary();
    const summary = calendarEditor().getByTestId('sla-error-summary');
    await expect(summary.innerText()).resolves.toContain('Plage horaire invalide');
    await expect(wednesdayTo().getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(wednesdayFrom().getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(describedError(wednesdayTo())).resolves.toContain('Plage horaire invalide : « 14:00-12:30 »');
    // the summary's link leads to the field
    await summary.getByRole('link', { name: /plage 2 du mercredi/ }).click();
    await page.waitForFunction(() => /^cal-wednesday-1-(from|to)$/.test(document.activeElement?.id ?? ''));
    await noAxeViolations('SLA admin: calendar editor with a server error');
    // nothing was saved
    const [row] = await dbQuery<{ data: { weeklyHours: Record<string, string[]> } }>(
      `SELECT data FROM sla_calendars WHERE department_id IS NULL`,
    );
    expect(row.data.weeklyHours['wednesday']).toEqual(['08:30-12:00', '14:00-18:00']);
    // an incomplete range is caught before asking the server
    await calendarEditor().getByRole('button', { name: 'Ajouter une plage (dimanche)' }).click();
    await calendarEditor().getByTestId('calendar-save').click();
    await focusedIsSummary();
    await expect(describedError(calendarEditor().getByLabel('De (plage 1 du dimanche)', { exact: true }))).resolves.toContain(
      'heure de début et l’heure de fin',
    );
    await calendarEditor().getByRole('button', { name: 'Retirer plage 1 du dimanche' }).click();
    await wednesdayTo().fill('18:00');
  });

  step('a department gets its own calendar: department chosen in the form, hours copied from the town’s', async () => {
    await page.getByRole('button', { name: 'Nouveau calendrier de service' }).click();
    await calendarEditor().getByRole('heading', { name: 'Nouveau calendrier de service' }).waitFor();
    await calendarEditor().getByTestId('calendar-save').click();
    await focusedIsSummary();
    const dept = calendarEditor().getByLabel('Service', { exact: true });
    await expect(dept.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(describedError(calendarEditor().getByLabel('Nom', { exact: true }))).resolves.toContain('Champ obligatoire');
    // departments that already have a calendar are not offered
    await expect(dept.locator('option', { hasText: 'Police municipale' }).count()).resolves.toBe(0);
    await dept.selectOption({ label: 'Service enfance et restauration scolaire' });
    await calendarEditor().getByLabel('Nom', { exact: true }).fill('Accueil de loisirs');
    await expect(wednesdayTo().inputValue()).resolves.toBe('18:00');
    await calendarEditor().getByTestId('calendar-save').click();
    await calendarEditor().getByRole('heading', { name: 'Modifier le calendrier « Accueil de loisirs »' }).waitFor();
    await page
      .getByTestId('calendar-list')
      .getByRole('row', { name: /Accueil de loisirs/ })
      .getByText('Service enfance et restauration scolaire')
      .waitFor();
    const [row] = await dbQuery<{ name: string; data: { weeklyHours: Record<string, string[]> } }>(
      `SELECT c.name, c.data FROM sla_calendars c JOIN departments d ON d.id = c.department_id WHERE d.code = 'enfance'`,
    );
    expect(row.name).toBe('Accueil de loisirs');
    expect(row.data.weeklyHours['wednesday']).toEqual(['08:30-12:00', '14:00-18:00']);
    await calendarEditor().getByRole('button', { name: 'Fermer' }).click();
    await page.waitForFunction(() => document.activeElement?.id?.startsWith('cal-edit-'));
    await openCalendar('Hôtel de ville');
  });

  step('a policy: a negative duration is refused next to its field; the escalation ladder is edited and saved', async () => {
    const [before] = await dbQuery<{ data: { targets: { steps?: Record<string, unknown> } } }>(
      `SELECT data FROM sla_policies WHERE id = 'standard'`,
    );
    await openPolicy("Engagement standard (charte d'accueil)");
    const resolution = policyEditor().getByRole('group', { name: 'Résolution', exact: true }).getByLabel('Durée');
    await expect(resolution.inputValue()).resolves.toBe('10');
    await resolution.fill('-3');
    await policyEditor().getByTestId('policy-save').click();
    await focusedIsSummary();
    await expect(resolution.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(describedError(resolution)).resolves.toContain('La durée doit être strictement positive');
    await resolution.fill('10');

    // level 3 moves from 125 % to 150 %, no longer raises the priority but tells the head; a 4th level at 200 %
    await expect(level(3).getByLabel('Pourcentage du délai écoulé').inputValue()).resolves.toBe('125');
    await level(3).getByLabel('Pourcentage du délai écoulé').fill('150');
    await level(3).getByLabel('Augmenter la priorité').uncheck();
    await level(3).getByLabel('Prévenir le responsable du service').check();
    await policyEditor().getByRole('button', { name: 'Ajouter un palier' }).click();
    await page.waitForFunction(() => document.activeElement?.id === 'pol-ld-3-pct');
    await expect(level(4).getByLabel('Pourcentage du délai écoulé').inputValue()).resolves.toBe('175');
    await level(4).getByLabel('Pourcentage du délai écoulé').fill('200');
    await level(4).getByLabel('Prévenir tout le service').check();
    // the open requests under this policy take the new ladder too (recomputed, each one's history says so)
    await policyEditor().getByLabel('Appliquer aussi aux demandes en cours').check();
    await policyEditor().getByTestId('policy-save').click();
    const status = policyEditor().getByTestId('policy-status').filter({ hasText: 'Enregistré' });
    await status.waitFor();
    await expect(status.textContent()).resolves.toMatch(/\d+ demande\(s\) en cours recalculée\(s\)\./);
    await expect(policyEditor().getByLabel('Appliquer aussi aux demandes en cours').isChecked()).resolves.toBe(false);
    const [row] = await dbQuery<{ data: { ladder: unknown[]; targets: unknown } }>(`SELECT data FROM sla_policies WHERE id = 'standard'`);
    expect(row.data.ladder).toEqual([
      { atPercent: 75, actions: [{ type: 'notify', to: 'assignee' }] },
      { atPercent: 100, actions: [{ type: 'notify', to: 'head' }, { type: 'mark_breached' }] },
      { atPercent: 150, actions: [{ type: 'reassign_to_queue' }, { type: 'notify', to: 'head' }] },
      { atPercent: 200, actions: [{ type: 'notify', to: 'department' }] },
    ]);
    // the targets, per-step ones included, are kept as they were
    expect(row.data.targets).toEqual(before.data.targets);
    expect(row.data.targets).toMatchObject({
      firstResponse: { amount: 2, unit: 'working_days' },
      resolution: { amount: 10, unit: 'working_days' },
    });
  });

  step('axe: the SLA admin page with the calendar and the policy editors open', async () => {
    await expect(calendarEditor().isVisible()).resolves.toBe(true);
    await expect(policyEditor().isVisible()).resolves.toBe(true);
    await policyEditor().getByText('Avancé : JSON (importer, exporter)').click();
    await page.waitForFunction(() =>
      (document.getElementById('pol-json') as HTMLTextAreaElement | null)?.value.includes('"atPercent": 200'),
    );
    await noAxeViolations('SLA admin: calendar and policy editors');
  });

  step('a stale version answers 409: the form says so and reloads the latest version', async () => {
    const other = await page.evaluate(async () => {
      const list = await (await fetch('/api/v1/sla/policies', { credentials: 'include' })).json();
      const p = list.find((x: { id: string }) => x.id === 'standard');
      const res = await fetch('/api/v1/sla/policies/standard', {
        method: 'PUT',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
        body: JSON.stringify({ ...p, name: 'Engagement standard (charte Marianne)' }),
      });
      return res.status;
    });
    expect(other).toBe(200);
    await policyEditor().getByLabel('Nom').fill('Engagement standard (modifié)');
    await policyEditor().getByTestId('policy-save').click();
    await focusedIsSummary();
    await expect(policyEditor().getByTestId('sla-error-summary').innerText()).resolves.toContain(
      'Quelqu’un a enregistré une autre version entre-temps',
    );
    await policyEditor().getByTestId('sla-reload').click();
    await policyEditor().getByRole('heading', { name: 'Modifier la politique « Engagement standard (charte Marianne) »' }).waitFor();
    await expect(policyEditor().getByLabel('Nom').inputValue()).resolves.toBe('Engagement standard (charte Marianne)');
    await expect(level(4).getByLabel('Pourcentage du délai écoulé').inputValue()).resolves.toBe('200');
  });

  step('after reloading the page, the calendar and the policy show what was saved', async () => {
    await page.reload();
    await openAdmin();
    await openCalendar('Hôtel de ville');
    await expect(wednesdayFrom().inputValue()).resolves.toBe('14:00');
    await expect(wednesdayTo().inputValue()).resolves.toBe('18:00');
    await openPolicy('Engagement standard (charte Marianne)');
    await expect(level(3).getByLabel('Pourcentage du délai écoulé').inputValue()).resolves.toBe('150');
    await expect(level(3).getByLabel('Augmenter la priorité').isChecked()).resolves.toBe(false);
    await expect(level(3).getByLabel('Prévenir le responsable du service').isChecked()).resolves.toBe(true);
    await expect(level(3).getByLabel('Remettre dans la file du service (désattribuer)').isChecked()).resolves.toBe(true);
    await expect(level(4).getByLabel('Prévenir tout le service').isChecked()).resolves.toBe(true);
  });

  step('axe: the breaches page of heads and admins', async () => {
    await page.goto('/sla/breaches');
    await page.getByRole('heading', { level: 1, name: 'Dépassements de délais par service' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Chargement'));
    await noAxeViolations('SLA breaches');
  });

  step('axe: a ticket’s SLA panel', async () => {
    const [t] = await dbQuery<{ id: string }>(
      `SELECT t.id FROM tickets t JOIN ticket_sla s ON s.ticket_id = t.id WHERE s.status = 'running' ORDER BY t.created_at DESC LIMIT 1`,
    );
    expect(t).toBeDefined();
    await page.goto(`/tickets/${t.id}`);
    const panel = page.locator('.sla-panel');
    await panel.getByRole('heading', { name: 'Délais' }).waitFor();
    await panel.getByText('Échéance').first().waitFor();
    await noAxeViolations('ticket SLA panel');
  });
});
