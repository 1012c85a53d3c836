/**
 * The first administrator of a town, without a password on a command line (issue 14): `grc create-admin`
 * (the built CLI, against the run's database) prints a sign-in link; the link opens "Bienvenue", where the
 * administrator chooses a password — the password rule's refusal shown next to its field, axe clean — and is
 * signed in. The link then works no more; an expired one says so.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery, e2eEnv } from './support/env';

const ROOT = join(__dirname, '../../..');
let browser: Browser;
let context: BrowserContext;
let page: Page;
const step = scenarioSteps(() => page);
const stamp = Date.now().toString(36);
const EMAIL = `dsi-${stamp}@saint-aubin.fr`;
let link = '';

/** `grc create-admin … --json` as the town's IT team runs it, PUBLIC_URL naming the console. */
function createAdmin(email: string): Promise<{ signInLink: string; expiresAt: string }> {
  return new Promise((res, rej) =>
    execFile(
      process.execPath,
      [join(ROOT, 'dist/apps/grc-api/main.js'), 'create-admin', '--email', email, '--name', 'Dominique Martin', '--json'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env['PATH'] ?? '',
          NODE_ENV: 'production',
          DATABASE_URL: e2eEnv('databaseUrl'),
          PUBLIC_URL: e2eEnv('baseUrl'),
        },
      },
      (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(JSON.parse(stdout))),
    ),
  );
}

beforeAll(async () => {
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
  link = (await createAdmin(EMAIL)).signInLink;
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('the first administrator chooses a password from a sign-in link', () => {
  step('the link opens "Bienvenue" with the account and the expiry, the token gone from the address bar; axe clean', async () => {
    expect(link.startsWith(`${e2eEnv('baseUrl')}/bienvenue#`)).toBe(true);
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Bienvenue' }).waitFor();
    await page.getByText(`Choisissez le mot de passe de votre compte ${EMAIL}`).waitFor();
    expect(page.url()).toBe(`${e2eEnv('baseUrl')}/bienvenue`);
    expect(await axeViolations(page, 'welcome')).toEqual([]);
  });

  step('a weak password is refused next to its field (the rule of every password), nothing spent', async () => {
    await page.getByLabel('Mot de passe', { exact: true }).fill('dominique2026');
    await page.getByLabel('Confirmez le mot de passe').fill('dominique2026');
    await page.getByRole('button', { name: 'Enregistrer et me connecter' }).click();
    await page.locator('#welcome-password[aria-invalid="true"]').waitFor();
    expect(await axeViolations(page, 'welcome with an error')).toEqual([]);
    const [l] = await dbQuery<{ used_at: Date | null }>(
      `SELECT l.used_at FROM sign_in_links l JOIN agents a ON a.id = l.agent_id WHERE a.email = $1`,
      [EMAIL],
    );
    expect(l!.used_at).toBeNull();
  });

  step('a strong password signs the administrator in; the audit has it', async () => {
    await page.getByLabel('Mot de passe', { exact: true }).fill('Ardoise-Verte-Bienvenue-2027!');
    await page.getByLabel('Confirmez le mot de passe').fill('Ardoise-Verte-Bienvenue-2027!');
    await page.getByRole('button', { name: 'Enregistrer et me connecter' }).click();
    await page.waitForURL(/\/inbox/);
    const [a] = await dbQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events e JOIN agents a ON a.id::text = e.entity_id WHERE e.action = 'auth.sign_in_link_used' AND a.email = $1`,
      [EMAIL],
    );
    expect(a!.n).toBe(1);
  });

  step('the link works once: opened again, it says it was used', async () => {
    const again = await context.browser()!.newContext({ baseURL: e2eEnv('baseUrl'), locale: 'fr-FR' });
    const p = await again.newPage();
    await p.goto(link);
    await p.getByTestId('welcome-refused').filter({ hasText: 'a déjà servi' }).waitFor();
    expect(await axeViolations(p, 'welcome, link used')).toEqual([]);
    await again.close();
  });

  step('an expired link says it expired', async () => {
    const email = `dsi-late-${stamp}@saint-aubin.fr`;
    const late = (await createAdmin(email)).signInLink;
    await dbQuery(
      `UPDATE sign_in_links SET created_at = now() - interval '2 days', expires_at = now() - interval '1 minute'
       WHERE agent_id = (SELECT id FROM agents WHERE email = $1)`,
      [email],
    );
    const ctx2 = await context.browser()!.newContext({ baseURL: e2eEnv('baseUrl'), locale: 'fr-FR' });
    const p = await ctx2.newPage();
    await p.goto(late);
    await p.getByTestId('welcome-refused').filter({ hasText: 'a expiré' }).waitFor();
    await ctx2.close();
  });
});
