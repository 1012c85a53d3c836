/**
 * Notifications in the console: an agent with an SLA warning sees the unread count in the header
 * button's name, opens the panel (focus on its heading, axe-core clean), closes it with Escape (focus
 * back on the button), follows the ticket link (read), hears a new one announced, and marks all read
 * on the notifications page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const AGENT = { email: 'julie.lefebvre@saint-aubin.fr', name: 'Julie Lefebvre' }; // voirie

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;
const step = scenarioSteps(() => page);
let ticket: { id: string; reference: string; subject: string };

const p = (): Page => {
  if (!page) throw new Error('no page');
  return page;
};

/** A warning for the agent, written as the SLA engine writes it when the 75 % step of the ladder fires. */
async function notify(atPercent: number): Promise<void> {
  await dbQuery(
    `INSERT INTO notifications (recipient_agent_id, ticket_id, kind, data)
     SELECT a.id, $2, 'sla.sla_warning', $3 FROM agents a WHERE a.email = $1`,
    [
      AGENT.email,
      ticket.id,
      JSON.stringify({
        target: 'resolution',
        atPercent,
        generation: 0,
        deadline: new Date(Date.now() + 86_400_000).toISOString(),
        actions: [{ type: 'notify', to: 'assignee' }],
        reference: ticket.reference,
        subject: ticket.subject,
      }),
    ],
  );
}

const button = (pg: Page) => pg.getByTestId('notif-button');
const focusedText = (pg: Page) =>
  pg.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { tag: el?.tagName.toLowerCase() ?? '', testId: el?.getAttribute('data-testid') ?? '', text: el?.innerText.trim() ?? '' };
  });

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
  const [t] = await dbQuery<{ id: string; reference: string; subject: string }>(
    `SELECT t.id, t.reference, t.subject FROM tickets t JOIN departments d ON d.id = t.department_id
     WHERE d.code = 'voirie' ORDER BY t.created_at DESC, t.id LIMIT 1`,
  );
  if (!t) throw new Error('no voirie ticket in the demo town');
  ticket = t;
  await notify(75);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('notifications: header button, panel, ticket link, page', () => {
  step('the agent logs in and the header button says how many are unread', async () => {
    const pg = p();
    await pg.goto('/login');
    await pg.getByLabel('Adresse électronique').fill(AGENT.email);
    await pg.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await pg.getByRole('button', { name: 'Se connecter' }).click();
    await pg.waitForURL(/\/inbox/);
    await pg.getByRole('button', { name: 'Notifications, 1 non lue' }).waitFor();
    await expect(pg.getByTestId('notif-badge').innerText()).resolves.toBe('1');
    await expect(button(pg).getAttribute('aria-expanded')).resolves.toBe('false');
  });

  step('opening the panel moves the focus to its heading and lists the warning; axe finds nothing', async () => {
    const pg = p();
    await button(pg).click();
    await pg.locator('[data-testid="notif-button"][aria-expanded="true"]').waitFor();
    const panel = pg.getByRole('region', { name: 'Notifications' });
    await panel.waitFor();
    await pg.waitForFunction(() => document.activeElement?.id === 'notif-panel-h');
    const item = panel.getByTestId('notif-item').first();
    await item.waitFor();
    const text = await item.innerText();
    expect(text).toContain(`75 % du délai de résolution écoulés sur ${ticket.reference}`);
    expect(text).toContain('Non lue');
    expect(text).toContain('Pour vous');
    expect(text).toMatch(/à l’instant|il y a/);
    await expect(item.locator('time').getAttribute('datetime')).resolves.toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await axeViolations(pg, 'notifications panel open')).toEqual([]);
  });

  step('Escape closes the panel and gives the focus back to the button; Enter reopens it', async () => {
    const pg = p();
    await pg.keyboard.press('Escape');
    await expect(pg.getByTestId('notif-panel').isVisible()).resolves.toBe(false);
    expect(await focusedText(pg)).toMatchObject({ tag: 'button', testId: 'notif-button' });
    await pg.keyboard.press('Enter');
    await pg.waitForFunction(() => document.activeElement?.id === 'notif-panel-h');
    await pg.getByTestId('notif-link').first().waitFor();
  });

  step('following the ticket link opens the ticket and marks the notification read', async () => {
    const pg = p();
    await pg.getByTestId('notif-link').first().click();
    await pg.waitForURL(new RegExp(`/tickets/${ticket.id}$`));
    await expect(pg.getByTestId('ticket-reference').innerText()).resolves.toBe(ticket.reference);
    await pg.getByRole('button', { name: 'Notifications, aucune non lue' }).waitFor();
    await expect(pg.getByTestId('notif-badge').count()).resolves.toBe(0);
    const [row] = await dbQuery<{ read_at: Date | null }>(
      `SELECT n.read_at FROM notifications n JOIN agents a ON a.id = n.recipient_agent_id WHERE a.email = $1 ORDER BY n.id DESC LIMIT 1`,
      [AGENT.email],
    );
    expect(row?.read_at).not.toBeNull();
  });

  step('a new notification is announced politely when the count rises', async () => {
    const pg = p();
    await notify(90);
    // the console polls every 30 s and at once when the tab becomes visible again: simulate the latter
    await pg.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await pg.getByRole('button', { name: 'Notifications, 1 non lue' }).waitFor();
    const live = pg.getByTestId('notif-live');
    await expect(live.getAttribute('aria-live')).resolves.toBe('polite');
    await pg.waitForFunction(
      () => document.querySelector('[data-testid="notif-live"]')?.textContent?.trim() === 'Nouvelle notification : 1 non lue.',
    );
  });

  step('the notifications page lists them (axe clean) and marks all read', async () => {
    const pg = p();
    await button(pg).click();
    await pg.getByTestId('notif-see-all').click();
    await pg.waitForURL(/\/notifications$/);
    await pg.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    const items = pg.locator('main').getByTestId('notif-item');
    await items.nth(1).waitFor();
    await expect(items.count()).resolves.toBe(2);
    expect(await axeViolations(pg, 'notifications page')).toEqual([]);
    await pg.getByTestId('notif-page-mark-all').click();
    await pg.getByRole('button', { name: 'Notifications, aucune non lue' }).waitFor();
    await pg.waitForFunction(() =>
      document
        .querySelector('[data-testid="notif-page-status"]')
        ?.textContent?.includes('Toutes les notifications sont marquées comme lues.'),
    );
    await expect(pg.locator('main').getByText('Non lue', { exact: true }).count()).resolves.toBe(0);
  });

  step('in English, the button and the sentences follow the language', async () => {
    const pg = p();
    await pg.getByRole('button', { name: 'English' }).click();
    await pg.getByRole('button', { name: 'Notifications, none unread' }).waitFor();
    await expect(pg.locator('main').getByTestId('notif-item').first().innerText()).resolves.toContain(
      `90% of the resolution time has elapsed on ${ticket.reference}`,
    );
    await pg.getByRole('button', { name: 'Français' }).click();
  });
});
