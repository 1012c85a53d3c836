/**
 * Signing in with the town's identity provider in Chromium: a real OpenID provider (oidc-provider, the API
 * tests' apps/grc-api/test/support/oidc-provider.mjs) started here on a free loopback port. The administrator
 * declares it on the admin screen; an agent clicks « Se connecter avec … » on the login page, signs in at the
 * provider, lands in the inbox; the logout goes through the provider's end-session page back to /login.
 * A refusal sent back by the API is worded on the login page. axe on the screens it adds.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery, e2eEnv } from './support/env';
import { startLoopbackProvider, type LoopbackProvider } from './support/oidc-provider';

const AGENT = 'julie.lefebvre@saint-aubin.fr'; // voirie agent of the demo town

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;
let idp: LoopbackProvider | undefined;
const step = scenarioSteps(() => page);
const p = (): Page => {
  if (!page) throw new Error('no page');
  return page;
};

beforeAll(async () => {
  const base = e2eEnv('baseUrl');
  idp = await startLoopbackProvider({
    clientId: 'grc-e2e',
    clientSecret: 'secret-e2e-0123456789',
    redirectUris: [`${base}/api/v1/auth/oidc/annuaire/callback`],
    postLogoutRedirectUris: [`${base}/login`],
    accounts: { julie: { email: AGENT, email_verified: true, given_name: 'Julie', family_name: 'Lefebvre' } },
  });
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
});

afterAll(async () => {
  // the other specs see the login page as it was
  await dbQuery(`DELETE FROM identity_providers WHERE slug = 'annuaire'`).catch(() => undefined);
  await context?.close();
  await browser?.close();
  await idp?.stop();
});

describe('sign-in with the town’s identity provider', () => {
  step('the administrator declares the provider on the admin screen (secret never shown), axe clean', async () => {
    const pg = p();
    await pg.goto('/login');
    await pg.getByLabel('Adresse électronique').fill('admin@saint-aubin.fr');
    await pg.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await pg.getByRole('button', { name: 'Se connecter' }).click();
    await pg.waitForURL(/\/inbox/);
    await pg.goto('/admin/connexion');
    await pg.getByRole('heading', { level: 2, name: 'Fournisseurs d’identité (OpenID Connect)' }).waitFor();
    await pg.getByTestId('idp-create').click();
    await pg.getByLabel('Nom affiché sur le bouton').fill('l’annuaire de test');
    await pg.getByLabel('Identifiant (dans l’adresse de retour)').fill('annuaire');
    await pg.getByLabel('Émetteur (issuer)').fill(idp!.issuer);
    await pg.getByLabel('Identifiant client (client_id)').fill('grc-e2e');
    await pg.getByLabel('Secret client').fill('secret-e2e-0123456789');
    await pg.getByLabel('Claim des groupes (vide : aucun)').fill('');
    expect(await axeViolations(pg, 'admin identity provider form')).toEqual([]);
    await pg.getByRole('button', { name: 'Enregistrer' }).click();
    await pg.getByRole('rowheader', { name: /l’annuaire de test/ }).waitFor();
    await pg.getByText(`${e2eEnv('baseUrl')}/api/v1/auth/oidc/annuaire/callback`).waitFor();
    expect(await pg.content()).not.toContain('secret-e2e-0123456789');
    const [row] = await dbQuery<{ client_secret: string }>(`SELECT client_secret FROM identity_providers WHERE slug = 'annuaire'`);
    expect(row?.client_secret).toMatch(/^v1:/);
    expect(await axeViolations(pg, 'admin identity providers')).toEqual([]);
    await pg.getByRole('button', { name: 'Se déconnecter' }).click();
    await pg.waitForURL(/\/login/);
  });

  step('an agent clicks the provider’s button, signs in there and lands in the inbox', async () => {
    const pg = p();
    const button = pg.getByRole('link', { name: 'Se connecter avec l’annuaire de test' });
    await button.waitFor();
    expect(await axeViolations(pg, 'login with a provider')).toEqual([]);
    await button.click();
    await pg.waitForURL((u) => u.href.startsWith(idp!.issuer));
    await pg.locator('input[name="login"]').fill('julie');
    await pg.locator('input[name="password"]').fill('any');
    await pg.getByRole('button', { name: 'Sign-in' }).click();
    await pg.waitForURL(/\/inbox/);
    await pg.getByRole('heading', { name: 'Boîte de réception' }).first().waitFor();
    const [login] = await dbQuery<{ changes: { method: { after: string } } }>(
      `SELECT changes FROM audit_events WHERE action = 'auth.login' AND actor_label = $1 ORDER BY id DESC LIMIT 1`,
      [AGENT],
    );
    expect(login?.changes.method.after).toBe('oidc');
  });

  step('logging out ends the provider’s session too and comes back to the login page', async () => {
    const pg = p();
    await pg.getByRole('button', { name: 'Se déconnecter' }).click();
    await pg.waitForURL((u) => u.href.startsWith(idp!.issuer));
    await pg.getByRole('button', { name: 'Yes, sign me out' }).click();
    await pg.waitForURL(/\/login$/);
    await pg.getByRole('link', { name: 'Se connecter avec l’annuaire de test' }).waitFor();
    const me = await pg.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status));
    expect(me).toBe(401);
  });

  step('a refusal sent back by the API is worded on the login page', async () => {
    const pg = p();
    await pg.goto('/login?sso_error=deactivated');
    await pg.getByRole('alert').filter({ hasText: 'Votre compte agent est désactivé' }).waitFor();
    await pg.goto('/login?sso_error=nimporte-quoi');
    await pg.getByRole('alert').filter({ hasText: 'La connexion par le fournisseur d’identité a échoué.' }).waitFor();
  });
});
