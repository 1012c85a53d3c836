/** The console works under the API's strict Content-Security-Policy (helmet): no violation from login to a ticket. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, connectBrowser, newPage, scenarioSteps } from './support/browser';

const AGENT = 'julie.lefebvre@saint-aubin.fr'; // voirie agent of the demo town

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;
const step = scenarioSteps(() => page);
const violations: string[] = [];

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
  // every CSP violation the page reports (blocked inline script, style, eval, connection…)
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const reported = async (pg: Page) => pg.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);

step('serves the console with a CSP that allows no inline script', async () => {
  const res = await page!.goto('/login');
  const csp = res?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  await page!.getByTestId('login-email').waitFor();
  expect(await reported(page!)).toEqual([]);
});

step('logs in, shows the inbox and a ticket without any CSP violation', async () => {
  await page!.getByTestId('login-email').fill(AGENT);
  await page!.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page!.getByTestId('login-submit').click();
  await page!.waitForURL(/\/inbox/);
  const first = page!.locator('a[href^="/tickets/"]').first();
  await first.waitFor();
  await first.click();
  await page!.waitForURL(/\/tickets\//);
  await page!.locator('h1').first().waitFor();
  expect(await reported(page!)).toEqual([]);
  expect(violations).toEqual([]);
});
