/**
 * The citizen side in a browser: the public request form filled and sent with the keyboard (hostile HTML in
 * the text fields, an attachment, a refused file), the confirmation with the reference and the tracking link,
 * the tracking page, adding information; axe (WCAG 2.1 A/AA) on every page in French and in English.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a60000000049454e44ae426082',
  'hex',
);
const HOSTILE = `Trou dangereux <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;
const step = scenarioSteps(() => page);
const p = (): Page => {
  if (!page) throw new Error('no page');
  return page;
};

const focusedId = (pg: Page) =>
  pg.evaluate(
    () =>
      (document.activeElement as HTMLElement | null)?.id ||
      (document.activeElement as HTMLElement | null)?.getAttribute('data-testid') ||
      '',
  );

/** Presses Tab until the element with this id (or data-testid) has the focus. */
async function tabTo(pg: Page, id: string, max = 25): Promise<void> {
  for (let i = 0; i < max; i++) {
    await pg.keyboard.press('Tab');
    if ((await focusedId(pg)) === id) return;
  }
  throw new Error(`#${id} never got the focus (last: ${await focusedId(pg)})`);
}

let trackingUrl = '';

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
  // a phone-sized screen
  await p().setViewportSize({ width: 390, height: 844 });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('citizen side: public form and tracking page', () => {
  step('the form loads without an account, outside the agents’ console, and passes axe (FR)', async () => {
    const pg = p();
    await pg.goto('/demande');
    await pg.getByTestId('public-form').waitFor();
    expect(pg.url()).toMatch(/\/demande$/);
    expect(await pg.locator('html').getAttribute('lang')).toBe('fr');
    await pg.getByRole('heading', { level: 1, name: /Signaler un problème/ }).waitFor();
    expect(await axeViolations(pg, 'public form FR')).toEqual([]);
  });

  step('sending it empty lists the errors in a focused summary linked to the fields (axe clean)', async () => {
    const pg = p();
    await pg.getByTestId('public-submit').focus();
    await pg.keyboard.press('Enter');
    const summary = pg.getByTestId('public-errors');
    await summary.waitFor();
    expect(await summary.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await summary.locator('li').count()).toBeGreaterThanOrEqual(4);
    expect(await pg.locator('#pub-description').getAttribute('aria-invalid')).toBe('true');
    expect(await pg.locator('#pub-description').getAttribute('aria-describedby')).toContain('pub-description-error');
    expect(await axeViolations(pg, 'public form with errors')).toEqual([]);
  });

  step('a file of a refused type is announced with a clear message, and can be removed', async () => {
    const pg = p();
    await pg.locator('#pub-files').setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await expect(pg.getByTestId('public-files-error').textContent()).resolves.toMatch(/setup\.exe.*n’est pas d’un type accepté/);
    await pg.getByRole('button', { name: 'Retirer setup.exe' }).click();
    await pg.getByTestId('public-files-error').waitFor({ state: 'detached' }); // re-rendered after the click
    await pg.locator('#pub-files').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
  });

  step('is filled and sent with the keyboard only', async () => {
    const pg = p();
    await pg.locator('#pub-category').focus();
    await pg.keyboard.type('Nid');
    expect(await pg.locator('#pub-category option:checked').textContent()).toMatch(/Nid-de-poule/);
    await tabTo(pg, 'pub-description');
    await pg.keyboard.type(HOSTILE);
    await tabTo(pg, 'pub-address');
    await pg.keyboard.type('12 rue des Tanneurs <b>devant l’école</b>');
    await tabTo(pg, 'pub-lat');
    await pg.keyboard.type('47.3941');
    await tabTo(pg, 'pub-lng');
    await pg.keyboard.type('0.6848');
    await tabTo(pg, 'pub-lastName');
    await pg.keyboard.type('Martin');
    await tabTo(pg, 'pub-email');
    await pg.keyboard.type(`citoyen-${Date.now()}@example.org`);
    await tabTo(pg, 'public-submit');
    await pg.keyboard.press('Enter');
    await pg.getByTestId('public-success').waitFor();
    expect(await focusedId(pg)).toBe('pub-success-h');
    expect(await pg.getByTestId('public-reference').textContent()).toMatch(/^[A-Z]{2,6}-\d{4}-\d{6,}$/);
    trackingUrl = (await pg.getByTestId('public-tracking-link').getAttribute('href')) ?? '';
    expect(trackingUrl).toMatch(/^\/suivi\?ref=[A-Z]+-\d{4}-\d+&k=[A-Za-z0-9_-]{43}$/);
    expect(await axeViolations(pg, 'public success FR')).toEqual([]);
  });

  step('the tracking link opens the tracking page: status, the text shown as typed (never executed), axe clean', async () => {
    const pg = p();
    await pg.getByTestId('public-tracking-link').focus();
    await pg.keyboard.press('Enter');
    await pg.getByTestId('tracking-heading').waitFor();
    expect(await pg.getByTestId('tracking-status').textContent()).toBe('Reçue');
    expect(await pg.getByTestId('tracking-description').textContent()).toBe(HOSTILE);
    expect(await pg.locator('[data-testid="tracking-description"] img, [data-testid="tracking-description"] script').count()).toBe(0);
    expect(await pg.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await expect(pg.getByText('photo.png').count()).resolves.toBe(1);
    expect(await axeViolations(pg, 'tracking FR')).toEqual([]);
  });

  step('the citizen adds information with the keyboard', async () => {
    const pg = p();
    await tabTo(pg, 'trk-body', 40);
    await pg.keyboard.type('Le trou s’agrandit <i>vite</i>.');
    await tabTo(pg, 'tracking-send');
    await pg.keyboard.press('Enter');
    await pg.getByText('Votre information a été transmise à la mairie.').waitFor();
    const last = pg.getByTestId('tracking-messages').locator('li').last();
    await expect(last.textContent()).resolves.toContain('Le trou s’agrandit <i>vite</i>.');
    expect(await axeViolations(pg, 'tracking after message FR')).toEqual([]);
  });

  step('a wrong key shows the same "not found" as an unknown reference', async () => {
    const pg = p();
    await pg.goto(trackingUrl.replace(/k=./, (m) => (m.endsWith('A') ? 'k=B' : 'k=A')));
    await pg.getByTestId('tracking-not-found').waitFor();
    expect(await axeViolations(pg, 'tracking not found FR')).toEqual([]);
  });

  step('both pages in English pass axe', async () => {
    const pg = p();
    await pg.goto(trackingUrl);
    await pg.getByTestId('tracking-heading').waitFor();
    await pg.getByRole('button', { name: 'English' }).click();
    await pg.waitForFunction(() => document.documentElement.lang === 'en');
    await expect(pg.getByTestId('tracking-status').textContent()).resolves.toBe('Received');
    expect(await axeViolations(pg, 'tracking EN')).toEqual([]);
    await pg.goto('/demande');
    await pg.getByTestId('public-form').waitFor();
    await expect(pg.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/Report a problem/);
    expect(await axeViolations(pg, 'public form EN')).toEqual([]);
    await pg.getByTestId('public-submit').click();
    await pg.getByTestId('public-errors').waitFor();
    expect(await axeViolations(pg, 'public form with errors EN')).toEqual([]);
  });

  step('the link of a request resolved long ago says it has expired (the right key only), axe clean', async () => {
    const pg = p();
    const ref = new URL(trackingUrl, 'http://x').searchParams.get('ref') ?? '';
    await dbQuery(`UPDATE tickets SET status = 'resolved', resolved_at = now() - interval '91 days' WHERE reference = $1`, [ref]);
    await pg.goto(trackingUrl);
    const msg = pg.getByTestId('tracking-not-found');
    await msg.waitFor();
    await expect(msg.textContent()).resolves.toMatch(new RegExp(`tracking link has expired: request ${ref}`));
    expect(await axeViolations(pg, 'tracking expired EN')).toEqual([]);
    // a wrong key still learns nothing
    // (the same API URL as above with another key header: the 410 must not come back from the browser's cache)
    await pg.goto(trackingUrl.replace(/k=./, (m) => (m.endsWith('A') ? 'k=B' : 'k=A')));
    await expect(pg.getByTestId('tracking-not-found').textContent()).resolves.toMatch(/No request matches/);
  });
});
