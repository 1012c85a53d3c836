import { createHash } from 'node:crypto';
import type { IdentityProvider } from '@grc/domain';
import { BrowserJar } from './support/browser-jar';
import { ADMIN, ids, VOIRIE_AGENT } from './support/demo';
import { startTestProvider, type TestProvider } from './support/oidc-provider';
import { startTestApp, type TestContext } from './support/test-app';

/**
 * OpenID Connect sign-in against a real provider (oidc-provider, on loopback, started here): the whole
 * authorization-code flow driven over HTTP (redirects followed, the provider's login form submitted),
 * matching, just-in-time provisioning, refusals, tampering and the RP-initiated logout.
 */
const CLIENT_ID = 'grc-test';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const CLIENT_SECRET = 'secret-du-client-de-test-0123456789';

describe('OpenID Connect sign-in (real provider on loopback, real PostgreSQL)', () => {
  let ctx: TestContext;
  let idp: TestProvider;
  let admin: Awaited<ReturnType<TestContext['loginAs']>>;
  let d: Awaited<ReturnType<typeof ids>>;
  const providers: Record<string, IdentityProvider> = {};

  const providerBody = (slug: string, extra: Record<string, unknown> = {}) => ({
    slug,
    label: `Annuaire ${slug}`,
    kind: 'oidc',
    issuer: idp.issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    scopes: 'openid email profile groups',
    emailClaim: 'email',
    nameClaims: ['given_name', 'family_name'],
    groupsClaim: 'groups',
    groupMappings: [
      { group: 'grc-voirie-chefs', role: 'head', departments: ['voirie'] },
      { group: 'grc-voirie', role: 'agent', departments: ['voirie'] },
    ],
    jitProvisioning: false,
    acrValues: null,
    allowedSirets: [],
    enabled: true,
    ...extra,
  });

  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
    admin = await ctx.loginAs(ADMIN);
    const callback = (slug: string) => `${ctx.url}/api/v1/auth/oidc/${slug}/callback`;
    idp = await startTestProvider({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [callback('annuaire'), callback('annuaire-jit'), callback('eteint')],
      postLogoutRedirectUris: [`${ctx.url}/login`],
      accounts: {
        julie: { email: VOIRIE_AGENT.toUpperCase(), email_verified: true, given_name: 'Julie', family_name: 'Lefebvre', groups: [] },
        nouveau: {
          email: 'Nadia.Nouvelle@Saint-Aubin.fr',
          given_name: 'Nadia',
          family_name: 'Nouvelle',
          groups: ['grc-voirie-chefs', 'autre'],
        },
        sansgroupe: { email: 'sans.groupe@saint-aubin.fr', given_name: 'Sans', family_name: 'Groupe', groups: ['autre'] },
        partie: { email: 'partie@saint-aubin.fr', given_name: 'Partie', family_name: 'Ailleurs', groups: ['grc-voirie'] },
        nonverifie: { email: 'nonverifie@saint-aubin.fr', email_verified: false, groups: ['grc-voirie'] },
      },
    });
    for (const [slug, extra] of [
      ['annuaire', {}],
      ['annuaire-jit', { jitProvisioning: true }],
      ['eteint', { enabled: false }],
    ] as const) {
      const res = await admin.post('/api/v1/admin/identity-providers').send(providerBody(slug, extra));
      expect(res.status).toBe(201);
      providers[slug] = res.body;
    }
  });
  afterAll(async () => {
    await idp?.stop();
    await ctx?.close();
  });

  const app = (path: string) => `${ctx.url}${path}`;
  const fromApp = (url: string) => url.startsWith(ctx.url);

  /** From the login page's button to the app's answer: the provider's form submitted as `login`. */
  async function signIn(slug: string, login: string, jar = new BrowserJar()) {
    const toForm = await jar.follow(app(`/api/v1/auth/oidc/${slug}/start`));
    expect(toForm.url.startsWith(idp.issuer)).toBe(true);
    const html = await toForm.res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no login form at the provider: ${toForm.res.status} ${html.slice(0, 500)}`);
    // the provider sends the browser back to the app's callback; the app answers with its own redirect
    const back = await jar.follow(new URL(action, toForm.url).href, (u) => fromApp(u), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login, password: 'x' }),
    });
    expect(fromApp(back.url)).toBe(true);
    const answer = await jar.fetch(back.url);
    return {
      jar,
      callbackUrl: back.url,
      status: answer.status,
      location: answer.headers.get('location'),
      session: jar.cookie(ctx.url, 'grc_session'),
    };
  }
  const me = (jar: BrowserJar) =>
    jar.fetch(app('/api/v1/auth/me')).then(async (r) => ({ status: r.status, body: r.status === 200 ? await r.json() : null }));
  const audits = (action: string, label: string) =>
    ctx.db.query(`SELECT actor_id, changes FROM audit_events WHERE action = $1 AND actor_label = $2 ORDER BY id`, [action, label]);

  it('lists the enabled providers on the public endpoint, never a secret', async () => {
    const res = await ctx.http.get('/api/v1/auth/oidc/providers').expect(200);
    expect(res.body).toEqual([
      { slug: 'annuaire', label: 'Annuaire annuaire', kind: 'oidc' },
      { slug: 'annuaire-jit', label: 'Annuaire annuaire-jit', kind: 'oidc' },
    ]);
    const list = await admin.get('/api/v1/admin/identity-providers').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(CLIENT_SECRET);
    expect(list.body.find((p: IdentityProvider) => p.slug === 'annuaire')).toMatchObject({
      hasClientSecret: true,
      redirectUri: `${ctx.url}/api/v1/auth/oidc/annuaire/callback`,
    });
    const [row] = await ctx.db.query(`SELECT client_secret FROM identity_providers WHERE slug = 'annuaire'`);
    expect(row.client_secret).toMatch(/^v1:/);
    expect(row.client_secret).not.toContain(CLIENT_SECRET);
    const [audit] = await ctx.db.query(`SELECT changes FROM audit_events WHERE action = 'identity_provider.create' ORDER BY id LIMIT 1`);
    expect(audit.changes.clientSecret).toEqual({ before: null, after: '***' });
    expect(JSON.stringify(audit.changes)).not.toContain(CLIENT_SECRET);
  });

  it('signs an existing agent in by e-mail (any case), links (provider, sub), audits the login; passwords keep working', async () => {
    const r = await signIn('annuaire', 'julie');
    expect(r).toMatchObject({ status: 302, location: '/inbox' });
    expect(r.session).toBeTruthy();
    const who = await me(r.jar);
    expect(who).toMatchObject({ status: 200, body: { email: VOIRIE_AGENT, role: 'agent' } });
    const [link] = await ctx.db.query(
      `SELECT i.subject FROM agent_identities i JOIN identity_providers p ON p.id = i.provider_id WHERE p.slug = 'annuaire' AND i.agent_id = $1`,
      [who.body.id],
    );
    expect(link.subject).toBe('julie');
    const [login] = (await audits('auth.login', VOIRIE_AGENT)).slice(-1);
    expect(login.changes).toEqual({ method: { before: null, after: 'oidc' }, provider: { before: null, after: 'annuaire' } });
    await ctx.loginAs(VOIRIE_AGENT);
  });

  it('refuses an unknown person when provisioning is off, creating nothing', async () => {
    const r = await signIn('annuaire', 'nouveau');
    expect(r).toMatchObject({ status: 302, location: '/login?sso_error=unknown_agent' });
    expect(r.session).toBeUndefined();
    expect(await ctx.db.query(`SELECT 1 FROM agents WHERE email = 'nadia.nouvelle@saint-aubin.fr'`)).toHaveLength(0);
    const [failed] = await audits('auth.login_failed', 'nadia.nouvelle@saint-aubin.fr');
    expect(failed.changes.reason).toEqual({ before: null, after: 'unknown_agent' });
  });

  it('provisions an unknown person just in time from the group mapping (widest role), audited; the link finds them again', async () => {
    const r = await signIn('annuaire-jit', 'nouveau');
    expect(r).toMatchObject({ status: 302, location: '/inbox' });
    const who = (await me(r.jar)).body;
    expect(who).toMatchObject({ email: 'nadia.nouvelle@saint-aubin.fr', displayName: 'Nadia Nouvelle', role: 'head' });
    expect(who.departments.map((x: { id: string }) => x.id)).toEqual([await d.department('voirie')]);
    const [prov] = await ctx.db.query(
      `SELECT actor_id, actor_label, changes FROM audit_events WHERE action = 'agent.provision' AND entity_id = $1`,
      [who.id],
    );
    expect(prov.actor_label).toBe('oidc:annuaire-jit');
    expect(prov.changes.role).toEqual({ before: null, after: 'head' });
    expect(prov.changes.groups.after).toEqual(['grc-voirie-chefs', 'autre']);
    // no password opens this account
    expect(
      (await ctx.http.post('/api/v1/auth/login').set('X-Requested-With', 'grc').send({ email: who.email, password: '!sso-only' })).status,
    ).toBe(401);
    // renamed locally: the (provider, sub) link still finds the same agent
    await ctx.db.query(`UPDATE agents SET email = 'nadia.n@saint-aubin.fr' WHERE id = $1`, [who.id]);
    const again = await signIn('annuaire-jit', 'nouveau');
    expect(again.location).toBe('/inbox');
    expect((await me(again.jar)).body.id).toBe(who.id);
    expect(await ctx.db.query(`SELECT 1 FROM agents WHERE email = 'nadia.nouvelle@saint-aubin.fr'`)).toHaveLength(0);
  });

  it('keeps role and departments as the groups say at every sign-in (a provider that provisions is the authority), audited', async () => {
    const first = await signIn('annuaire-jit', 'nouveau');
    const id = (await me(first.jar)).body.id;
    // changed locally meanwhile: the next sign-in puts back what the groups say
    await ctx.db.query(`UPDATE agents SET role = 'agent' WHERE id = $1`, [id]);
    await ctx.db.query(`UPDATE agent_departments SET department_id = $2 WHERE agent_id = $1`, [id, await d.department('proprete')]);
    const again = await signIn('annuaire-jit', 'nouveau');
    expect(again.location).toBe('/inbox');
    const who = (await me(again.jar)).body;
    expect(who.role).toBe('head');
    expect(who.departments.map((x: { id: string }) => x.id)).toEqual([await d.department('voirie')]);
    const [sync] = await ctx.db.query(`SELECT actor_label, changes FROM audit_events WHERE action = 'agent.sync' AND entity_id = $1`, [id]);
    expect(sync.actor_label).toBe('oidc:annuaire-jit');
    expect(sync.changes.role).toEqual({ before: 'agent', after: 'head' });
    expect(sync.changes.departmentIds).toEqual({ before: [await d.department('proprete')], after: [await d.department('voirie')] });
    // nothing changed: no event
    await signIn('annuaire-jit', 'nouveau');
    expect(await ctx.db.query(`SELECT 1 FROM audit_events WHERE action = 'agent.sync' AND entity_id = $1`, [id])).toHaveLength(1);
  });

  it('refuses provisioning when no group maps to a role, and an e-mail the provider marks unverified', async () => {
    expect((await signIn('annuaire-jit', 'sansgroupe')).location).toBe('/login?sso_error=no_role');
    expect(await ctx.db.query(`SELECT 1 FROM agents WHERE email = 'sans.groupe@saint-aubin.fr'`)).toHaveLength(0);
    expect((await signIn('annuaire-jit', 'nonverifie')).location).toBe('/login?sso_error=email_unverified');
  });

  it('refuses an existing agent whom no group maps any more (left every service at the provider)', async () => {
    const [{ id }] = await ctx.db.query(
      `INSERT INTO agents (email, display_name, password_hash, role, locale, active)
       VALUES ('sans.groupe@saint-aubin.fr', 'Sans Groupe', '!', 'agent', 'fr', true) RETURNING id`,
    );
    await ctx.db.query(`INSERT INTO agent_departments (agent_id, department_id) VALUES ($1, $2)`, [id, await d.department('voirie')]);
    expect((await signIn('annuaire-jit', 'sansgroupe')).location).toBe('/login?sso_error=no_role');
    const [agent] = await ctx.db.query(`SELECT role FROM agents WHERE id = $1`, [id]);
    expect(agent.role).toBe('agent');
    expect(await ctx.db.query(`SELECT 1 FROM agent_identities WHERE agent_id = $1`, [id])).toHaveLength(0);
  });

  it('refuses a deactivated agent although the provider says yes', async () => {
    const first = await signIn('annuaire-jit', 'partie');
    expect(first.location).toBe('/inbox');
    const id = (await me(first.jar)).body.id;
    const agent = (await admin.get('/api/v1/agents').expect(200)).body.find((a: { id: string }) => a.id === id);
    await admin
      .put(`/api/v1/agents/${id}`)
      .send({
        email: agent.email,
        displayName: agent.displayName,
        role: agent.role,
        locale: agent.locale,
        active: false,
        departmentIds: agent.departmentIds,
        version: agent.version,
      })
      .expect(200);
    expect((await me(first.jar)).status).toBe(401);
    const r = await signIn('annuaire-jit', 'partie');
    expect(r).toMatchObject({ status: 302, location: '/login?sso_error=deactivated' });
    expect(r.session).toBeUndefined();
    const [failed] = (await audits('auth.login_failed', 'partie@saint-aubin.fr')).slice(-1);
    expect(failed).toMatchObject({ actor_id: id, changes: { reason: { before: null, after: 'deactivated' } } });
  });

  it('refuses a tampered, missing or replayed state, an error from the provider, and unknown or disabled providers', async () => {
    // the provider's answer with another state
    const jar = new BrowserJar();
    const toForm = await jar.follow(app('/api/v1/auth/oidc/annuaire/start'));
    const action = /<form[^>]*action="([^"]+)"/.exec(await toForm.res.text())![1]!;
    const back = await jar.follow(new URL(action, toForm.url).href, fromApp, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login: 'julie', password: 'x' }),
    });
    const tampered = new URL(back.url);
    const state = tampered.searchParams.get('state')!;
    tampered.searchParams.set('state', `${state.slice(0, -2)}xx`);
    const bad = await jar.fetch(tampered.href);
    expect(bad.headers.get('location')).toBe('/login?sso_error=state_mismatch');
    // the callback cleared the state cookie: the genuine answer now fails too (and its transaction is gone)
    jar.setCookie(ctx.url, 'grc_oidc_state', state);
    expect((await jar.fetch(back.url)).headers.get('location')).toBe('/login?sso_error=state_mismatch');
    expect(jar.cookie(ctx.url, 'grc_session')).toBeUndefined();

    // a callback replayed after success: single-use transaction
    const ok = await signIn('annuaire', 'julie');
    expect(ok.location).toBe('/inbox');
    const replay = new BrowserJar();
    replay.setCookie(ctx.url, 'grc_oidc_state', new URL(ok.callbackUrl).searchParams.get('state')!);
    expect((await replay.fetch(ok.callbackUrl)).headers.get('location')).toBe('/login?sso_error=state_mismatch');
    // another browser (no state cookie) bringing a code
    expect((await new BrowserJar().fetch(ok.callbackUrl)).headers.get('location')).toBe('/login?sso_error=state_mismatch');

    // the provider answers with an error (the person cancelled)
    const cancel = new BrowserJar();
    const start = await cancel.fetch(app('/api/v1/auth/oidc/annuaire/start'));
    const st = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const err = await cancel.fetch(app(`/api/v1/auth/oidc/annuaire/callback?error=access_denied&state=${encodeURIComponent(st)}`));
    expect(err.headers.get('location')).toBe('/login?sso_error=idp_error');

    for (const slug of ['eteint', 'inconnu', 'NOT%20A%20SLUG']) {
      const r = await new BrowserJar().fetch(app(`/api/v1/auth/oidc/${slug}/start`));
      expect([r.status, r.headers.get('location')]).toEqual([302, '/login?sso_error=unknown_provider']);
    }
  });

  it('sends the browser to the provider to end its session too (id_token_hint), and ends the local one', async () => {
    const r = await signIn('annuaire', 'julie');
    expect(await ctx.db.query(`SELECT 1 FROM oidc_sessions WHERE token_hash = $1`, [sha256(r.session!)])).toHaveLength(1);
    const end = await r.jar.fetch(app('/api/v1/auth/oidc/end-session'));
    const { url } = (await end.json()) as { url: string };
    const u = new URL(url);
    expect(u.origin).toBe(idp.issuer);
    expect(u.searchParams.get('post_logout_redirect_uri')).toBe(`${ctx.url}/login`);
    expect(u.searchParams.get('id_token_hint')).toMatch(/^ey/);
    const out = await r.jar.fetch(app('/api/v1/auth/logout'), { method: 'POST', headers: { 'X-Requested-With': 'grc' } });
    expect(out.status).toBe(204);
    expect((await me(r.jar)).status).toBe(401);
    expect(await ctx.db.query(`SELECT 1 FROM oidc_sessions WHERE token_hash = $1`, [sha256(r.session!)])).toHaveLength(0);
    // the provider accepts our hint: its confirmation form, then back to the console's login page
    const confirm = await r.jar.follow(url);
    const html = await confirm.res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    expect(action && xsrf).toBeTruthy();
    const done = await r.jar.fetch(new URL(action!, confirm.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }),
    });
    expect(done.headers.get('location')).toBe(`${ctx.url}/login`);
    // a password session has nothing to end elsewhere
    expect((await (await ctx.loginAs(ADMIN)).get('/api/v1/auth/oidc/end-session').expect(200)).body).toEqual({ url: null });
  });

  it('administers providers: bad input with the field at fault, duplicate slug, secret kept when not resent, stale version, delete', async () => {
    const bad = await admin
      .post('/api/v1/admin/identity-providers')
      .send(providerBody('mauvais', { groupMappings: [{ group: 'g', role: 'agent', departments: ['nulle-part'] }] }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['groupMappings.0.departments.0']);
    const noDept = await admin
      .post('/api/v1/admin/identity-providers')
      .send(providerBody('mauvais', { groupMappings: [{ group: 'g', role: 'head', departments: [] }] }));
    expect(noDept.body.errors[0].field).toBe('groupMappings.0.departments');
    const issuer = await admin.post('/api/v1/admin/identity-providers').send(providerBody('mauvais', { issuer: 'javascript:alert(1)' }));
    expect([issuer.status, issuer.body.errors[0].field]).toEqual([400, 'issuer']);
    expect((await admin.post('/api/v1/admin/identity-providers').send(providerBody('annuaire'))).status).toBe(409);

    const p = providers['eteint']!;
    const { clientSecret: _omit, ...rest } = providerBody('eteint', { label: 'Éteint renommé', enabled: false });
    void _omit;
    const updated = await admin.put(`/api/v1/admin/identity-providers/${p.id}`).send({ ...rest, version: p.version });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ label: 'Éteint renommé', hasClientSecret: true, version: p.version + 1 });
    expect((await admin.put(`/api/v1/admin/identity-providers/${p.id}`).send({ ...rest, version: p.version })).status).toBe(409);
    await admin.delete(`/api/v1/admin/identity-providers/${p.id}`).expect(204);
    await admin.delete(`/api/v1/admin/identity-providers/${p.id}`).expect(404);
  });
});
