// A real OpenID provider (the `oidc-provider` package) on a free loopback port, for the OIDC sign-in tests
// (apps/grc-api/test/oidc.spec.ts, apps/grc-web-e2e/src/sso.e2e.ts). It runs in its own process because the
// package ships ES modules only. Settings come as JSON in OIDC_TEST_CONFIG:
//   { clientId, clientSecret, redirectUris: [...], postLogoutRedirectUris: [...], accounts: { <login>: { claims } } }
// Sign-in uses the package's development interactions: a form with `login` (an account's key) and `password`
// (not checked); consent is granted at once. Prints `issuer=<url>` on stdout when it listens; stops on SIGTERM.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const accounts = config.accounts ?? {};

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.clientId,
      client_secret: config.clientSecret,
      redirect_uris: config.redirectUris,
      post_logout_redirect_uris: config.postLogoutRedirectUris ?? [],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'usual_name'],
    groups: ['groups'],
    siret: ['siret'],
  },
  scopes: ['openid', 'email', 'profile', 'groups', 'siret'],
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['grc-test-provider-cookie-key'] },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  // no consent screen: the test client is granted what it asks for
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
    await grant.save();
    return grant;
  },
});
// the development interactions warn once on start-up: expected here
provider.on('server_error', (_ctx, e) => process.stderr.write(`[oidc-provider] ${e.stack}\n`));
server.on('request', provider.callback());
process.stdout.write(`issuer=${issuer}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
