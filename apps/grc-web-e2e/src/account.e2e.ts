/**
 * "Mon compte" and the second factor in the browser: an agent turns on TOTP (the QR code and the key
 * shown, the first code typed, the recovery codes shown once), signs out, and signs in again in two
 * steps, the code computed here with the same library as an authenticator app (otpauth); axe-core on
 * the account page and on the login's code step.
 */
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const AGENT = 'nathalie.roux@saint-aubin.fr'; // used by no other browser test
/** a code of the next 30 s step (accepted: one step of drift), never the one typed a moment ago */
const code = (secret: string, ahead = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + ahead * 30_000 });

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;
let secret = '';
const step = scenarioSteps(() => page);

const p = (): Page => {
  if (!page) throw new Error('no page');
  return page;
};

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
});

afterAll(async () => {
  // leave the demo account as the other scenarios expect it
  await dbQuery(`DELETE FROM agent_totp WHERE agent_id = (SELECT id FROM agents WHERE email = $1)`, [AGENT]);
  await context?.close();
  await browser?.close();
});

describe('second factor: enrol, sign out, sign in with the code', () => {
  step('signs in with the password and opens "Mon compte"', async () => {
    const pg = p();
    await pg.goto('/login');
    await pg.getByTestId('login-email').fill(AGENT);
    await pg.getByTestId('login-password').fill(DEMO_PASSWORD);
    await pg.getByTestId('login-submit').click();
    await pg.waitForURL(/\/inbox/);
    await pg.getByTestId('nav-account').click();
    await pg.waitForURL(/\/compte/);
    await pg.getByRole('heading', { level: 1, name: 'Mon compte' }).waitFor();
    await pg.getByTestId('sessions').waitFor();
    expect(await axeViolations(pg, 'account')).toEqual([]);
  });

  step('turns on the second factor: QR code, key, first code, recovery codes', async () => {
    const pg = p();
    await pg.getByTestId('tf-start').click();
    const qr = pg.getByTestId('tf-qr');
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await qr.getAttribute('alt')).toBeTruthy();
    secret = (await pg.getByTestId('tf-secret').innerText()).trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await axeViolations(pg, 'enrolment')).toEqual([]);
    await pg.getByTestId('enrol-code').fill(code(secret));
    await pg.getByTestId('tf-confirm').click();
    await pg.getByTestId('recovery-codes').waitFor();
    expect(await pg.getByTestId('recovery-codes').locator('li').count()).toBe(10);
    await pg.getByTestId('codes-noted').click();
    await pg.getByTestId('tf-on').waitFor();
  });

  step('signs out, then the login asks for the code after the password', async () => {
    const pg = p();
    await pg.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
    await pg.waitForURL(/\/login/);
    await pg.getByTestId('login-email').fill(AGENT);
    await pg.getByTestId('login-password').fill(DEMO_PASSWORD);
    await pg.getByTestId('login-submit').click();
    await pg.getByTestId('login-code').waitFor();
    expect(await pg.evaluate(() => document.activeElement?.id)).toBe('login-code');
    expect(pg.url()).toMatch(/\/login/);
    expect(await axeViolations(pg, 'login code step')).toEqual([]);
  });

  step('a wrong code is refused with a message; the right one signs in', async () => {
    const pg = p();
    await pg.getByTestId('login-code').fill('000000');
    await pg.getByTestId('login-code-submit').click();
    await pg.locator('#login-code-error').waitFor();
    expect(await pg.getByTestId('login-code').getAttribute('aria-invalid')).toBe('true');
    await pg.getByTestId('login-code').fill(code(secret, 1));
    await pg.getByTestId('login-code-submit').click();
    await pg.waitForURL(/\/inbox/);
  });
});
