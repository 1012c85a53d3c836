/** Keyboard only: logging in without a mouse, the skip link, and the language switch. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, connectBrowser, newPage, scenarioSteps } from './support/browser';

const AGENT = 'julie.lefebvre@saint-aubin.fr'; // voirie agent of the demo town

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;
const step = scenarioSteps(() => page);

const p = (): Page => {
  if (!page) throw new Error('no page');
  return page;
};

/** What has the keyboard focus: its tag, id, data-testid, class and visible text. */
const focused = (pg: Page) =>
  pg.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      id: el?.id ?? '',
      testId: el?.getAttribute('data-testid') ?? '',
      className: el?.className ?? '',
      text: el?.innerText?.trim() ?? '',
      href: el?.getAttribute('href') ?? '',
      lang: el?.getAttribute('lang') ?? '',
    };
  });

/** Presses Tab until `match` holds for the focused element (at most `max` times); returns the presses. */
async function tabTo(pg: Page, what: string, match: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 15): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await pg.keyboard.press('Tab');
    if (match(await focused(pg))) return i;
  }
  throw new Error(`${what} never got the focus after ${max} presses of Tab (last: ${JSON.stringify(await focused(pg))})`);
}

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('keyboard only', () => {
  step('Tab reaches the login fields and Enter logs in', async () => {
    const pg = p();
    await pg.goto('/login');
    await pg.getByTestId('login-email').waitFor();
    await tabTo(pg, 'the e-mail field', (f) => f.id === 'login-email');
    await pg.keyboard.type(AGENT);
    await pg.keyboard.press('Tab');
    expect((await focused(pg)).id).toBe('login-password');
    await pg.keyboard.type(DEMO_PASSWORD);
    await pg.keyboard.press('Enter');
    await pg.waitForURL(/\/inbox/);
    await pg.getByRole('heading', { level: 1, name: 'Boîte de réception' }).waitFor();
  });

  step('the skip link is the first focusable element and moves the focus to the content', async () => {
    const pg = p();
    await pg.reload();
    await pg.getByRole('heading', { level: 1, name: 'Boîte de réception' }).waitFor();
    await pg.keyboard.press('Tab');
    const first = await focused(pg);
    expect(first).toMatchObject({ tag: 'a', className: expect.stringContaining('skip-link'), text: 'Aller au contenu', href: '#main' });
    await expect(pg.locator('.skip-link').isVisible()).resolves.toBe(true);
    await pg.keyboard.press('Enter');
    const target = await focused(pg);
    expect(target.tag).toBe('h1');
    expect(target.text).toBe('Boîte de réception');
  });

  step('switching the language to English changes the inbox heading', async () => {
    const pg = p();
    await pg.reload();
    await pg.getByRole('heading', { level: 1, name: 'Boîte de réception' }).waitFor();
    await tabTo(pg, 'the "English" button', (f) => f.tag === 'button' && f.lang === 'en');
    await pg.keyboard.press('Enter');
    await pg.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    await expect(pg.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(pg.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
    // The choice is remembered.
    await pg.reload();
    await pg.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
  });
});
