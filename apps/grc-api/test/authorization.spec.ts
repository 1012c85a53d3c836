import { randomUUID } from 'node:crypto';
import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, ids, VOIRIE_AGENT } from './support/demo';

type Principal = 'anonymous' | 'agent' | 'head' | 'admin' | 'elected';
const ALL: Principal[] = ['agent', 'head', 'admin'];

/**
 * Who may call what, written out by hand: the guard's decorators are checked against this table,
 * and a route missing from it fails the test (a new route must be placed here on purpose).
 */
const EXPECTED: Record<string, 'public' | Principal[]> = {
  'GET /api/v1/health': 'public',
  'POST /api/v1/auth/login': 'public',
  'GET /api/v1/auth/me': ALL,
  'GET /api/v1/tickets': ALL,
  'GET /api/v1/tickets/counters': ALL,
  'POST /api/v1/tickets': ALL,
  'GET /api/v1/tickets/{id}': ALL,
  'PATCH /api/v1/tickets/{id}': ALL,
  'POST /api/v1/tickets/{id}/assign': ALL,
  'POST /api/v1/tickets/{id}/transfer': ALL,
  'POST /api/v1/tickets/{id}/status': ALL,
  'POST /api/v1/tickets/{id}/messages': ALL,
  'POST /api/v1/tickets/{id}/attachments': ALL,
  'GET /api/v1/tickets/{id}/attachments/{attachmentId}': ALL,
  'GET /api/v1/citizens': ALL,
  'POST /api/v1/citizens': ALL,
  'GET /api/v1/citizens/{id}': ALL,
  'PUT /api/v1/citizens/{id}': ALL,
  'GET /api/v1/citizens/{id}/tickets': ALL,
  'GET /api/v1/departments': ALL,
  'POST /api/v1/departments': ['admin'],
  'PUT /api/v1/departments/{id}': ['admin'],
  'GET /api/v1/categories': ALL,
  'POST /api/v1/categories': ['admin'],
  'PUT /api/v1/categories/{id}': ['admin'],
  'GET /api/v1/routing-rules': ALL,
  'POST /api/v1/routing-rules': ['admin'],
  'PUT /api/v1/routing-rules/{id}': ['admin'],
  'DELETE /api/v1/routing-rules/{id}': ['admin'],
  'GET /api/v1/agents': ALL,
  'POST /api/v1/agents': ['admin'],
  'PUT /api/v1/agents/{id}': ['admin'],
  'GET /api/v1/audit': ['head', 'admin'],
  // Open311 API keys (the GeoReport v2 routes under /open311/v2 are public and left out of the OpenAPI document)
  'GET /api/v1/open311-keys': ['admin'],
  'POST /api/v1/open311-keys': ['admin'],
  'DELETE /api/v1/open311-keys/{id}': ['admin'],
  // validation circuits (workflows): administration, a ticket's circuit, inbox, delegations
  'GET /api/v1/workflows/definitions': ['admin'],
  'POST /api/v1/workflows/definitions': ['admin'],
  'POST /api/v1/workflows/definitions/validate': ['admin'],
  'POST /api/v1/workflows/definitions/import': ['admin'],
  'GET /api/v1/workflows/definitions/{code}': ['admin'],
  'GET /api/v1/workflows/definitions/{code}/versions/{version}': ['admin'],
  'GET /api/v1/workflows/definitions/{code}/draft': ['admin'],
  'DELETE /api/v1/workflows/definitions/{code}/draft': ['admin'],
  'POST /api/v1/workflows/definitions/{code}/publish': ['admin'],
  'GET /api/v1/workflows/definitions/{code}/export': ['admin'],
  'GET /api/v1/workflows/bindings': ['admin'],
  'POST /api/v1/workflows/bindings': ['admin'],
  'DELETE /api/v1/workflows/bindings/{id}': ['admin'],
  'GET /api/v1/workflows/inbox': [...ALL, 'elected'],
  'GET /api/v1/workflows/delegations': ['head', 'admin', 'elected'],
  'POST /api/v1/workflows/delegations': ['head', 'admin', 'elected'],
  'DELETE /api/v1/workflows/delegations/{id}': ['head', 'admin', 'elected'],
  'GET /api/v1/tickets/{id}/workflow': [...ALL, 'elected'],
  'GET /api/v1/tickets/{id}/workflow/ticket': [...ALL, 'elected'],
  'POST /api/v1/tickets/{id}/workflow/actions': [...ALL, 'elected'],
  // SLA
  'GET /api/v1/tickets/{id}/sla': ALL,
  'GET /api/v1/sla/breaches': ['head', 'admin'],
  'GET /api/v1/sla/calendars': ['admin'],
  'POST /api/v1/sla/calendars': ['admin'],
  'PUT /api/v1/sla/calendars/{id}': ['admin'],
  'DELETE /api/v1/sla/calendars/{id}': ['admin'],
  'GET /api/v1/sla/policies': ['admin'],
  'POST /api/v1/sla/policies': ['admin'],
  'PUT /api/v1/sla/policies/{id}': ['admin'],
  // duplicates (modules/duplicates)
  'GET /api/v1/tickets/{id}/duplicates': ALL,
  'POST /api/v1/tickets/{id}/link': ALL,
  'POST /api/v1/tickets/{id}/unlink': ALL,
  // the citizen side, no account (modules/public)
  'GET /api/v1/public/form': 'public',
  'POST /api/v1/public/requests': 'public',
  'GET /api/v1/public/requests/{reference}': 'public',
  'POST /api/v1/public/requests/{reference}/messages': 'public',
  // e-mail channel (modules/mail)
  'GET /api/v1/mail/templates': ['admin'],
  'PUT /api/v1/mail/templates/{event}/{locale}': ['admin'],
  'POST /api/v1/mail/templates/preview': ['admin'],
  'GET /api/v1/mail/reply-templates': ALL,
  'POST /api/v1/mail/reply-templates': ['admin'],
  'PUT /api/v1/mail/reply-templates/{id}': ['admin'],
  'DELETE /api/v1/mail/reply-templates/{id}': ['admin'],
  'POST /api/v1/mail/reply-templates/{id}/render': ALL,
  'GET /api/v1/mail/mailboxes': ['admin'],
  'POST /api/v1/mail/mailboxes': ['admin'],
  'PUT /api/v1/mail/mailboxes/{id}': ['admin'],
  'DELETE /api/v1/mail/mailboxes/{id}': ['admin'],
  'POST /api/v1/mail/mailboxes/{id}/poll': ['admin'],
  'GET /api/v1/mail/quarantine': ['admin'],
  'GET /api/v1/mail/quarantine/{id}/raw': ['admin'],
  'DELETE /api/v1/mail/quarantine/{id}': ['admin'],
  'GET /api/v1/tickets/{id}/mail-deliveries': ALL,
  'POST /api/v1/tickets/{id}/mail-deliveries/{deliveryId}/retry': ALL,
  // the agent's own notifications (modules/notifications): every logged-in role, the élu too
  'GET /api/v1/notifications': [...ALL, 'elected'],
  'GET /api/v1/notifications/unread-count': [...ALL, 'elected'],
  'POST /api/v1/notifications/read-all': [...ALL, 'elected'],
  'POST /api/v1/notifications/{id}/read': [...ALL, 'elected'],
  // last: it ends the session
  'POST /api/v1/auth/logout': ALL,
};

/**
 * The élu (role `elected`) reads the tickets of their departments and takes workflow steps: these
 * routes of the table marked ALL are also theirs; every other ALL route is refused to them.
 */
const ELECTED_ALSO: ReadonlySet<string> = new Set([
  'GET /api/v1/auth/me', 'POST /api/v1/auth/logout', 'GET /api/v1/tickets', 'GET /api/v1/tickets/counters', 'GET /api/v1/tickets/{id}',
  'GET /api/v1/tickets/{id}/attachments/{attachmentId}', 'GET /api/v1/citizens/{id}/tickets', 'GET /api/v1/departments',
  'GET /api/v1/categories', 'GET /api/v1/routing-rules', 'GET /api/v1/agents', 'GET /api/v1/tickets/{id}/sla', 'GET /api/v1/tickets/{id}/duplicates',
]);
const allowedFor = (route: string, allowed: 'public' | Principal[], who: Principal): boolean =>
  allowed === 'public' || (who !== 'anonymous' && (allowed.includes(who) || (who === 'elected' && ELECTED_ALSO.has(route) && allowed === ALL)));

describe('authorisation: every route, every role', () => {
  let ctx: TestContext;
  beforeAll(async () => { ctx = await startTestApp(); });
  afterAll(() => ctx.close());

  it('lists every route of the OpenAPI document in the expected table, and nothing else', async () => {
    const doc = (await ctx.http.get('/api/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const served = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(served.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('allows exactly the expected roles and refuses the others (401 anonymous, 403 authenticated)', async () => {
    const d = await ids(ctx.db);
    const clients = {
      agent: await ctx.loginAs(VOIRIE_AGENT),
      head: await ctx.loginAs(await d.emailOf('voirie', 'head')),
      admin: await ctx.loginAs(ADMIN),
      elected: await ctx.loginAs('bernard.lucas@saint-aubin.fr'),
    };
    const failures: string[] = [];
    for (const [route, allowed] of Object.entries(EXPECTED)) {
      const [method, template] = route.split(' ') as [string, string];
      const path = template.replace(/\{[^}]+\}/g, () => randomUUID());
      for (const who of ['anonymous', 'agent', 'head', 'admin', 'elected'] as Principal[]) {
        const client = who === 'anonymous' ? ctx.http : clients[who];
        const res = await client[method.toLowerCase() as 'get'](path).set('X-Requested-With', 'grc').send(method === 'GET' ? undefined : {});
        const denied = res.status === 401 || res.status === 403;
        const shouldAllow = allowedFor(route, allowed, who);
        const expectedDenial = who === 'anonymous' ? 401 : 403;
        if (shouldAllow && denied) failures.push(`${route} as ${who}: got ${res.status}, expected access`);
        if (!shouldAllow && res.status !== expectedDenial) failures.push(`${route} as ${who}: got ${res.status}, expected ${expectedDenial}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses state-changing requests without the CSRF header, even with a valid session', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const res = await agent.post('/api/v1/citizens').set('X-Requested-With', '').send({ kind: 'resident', lastName: 'X' });
    expect(res.status).toBe(403);
  });

  it('sets an httpOnly, SameSite=Strict session cookie and rate-limits logins', async () => {
    const res = await ctx.http.post('/api/v1/auth/login').set('X-Requested-With', 'grc').send({ email: ADMIN, password: 'wrong password' });
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('E-mail ou mot de passe incorrect.');
    const limited = await startTestApp({ GRC_LOGIN_IP_FAILURES: '3', GRC_QUEUE_PREFIX: `grc-ratelimit-${Date.now()}` });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await limited.http.post('/api/v1/auth/login').set('X-Requested-With', 'grc')
          .send({ email: `nobody-${Date.now()}@example.org`, password: 'x' })).status);
      }
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      const ok = await limited.http.post('/api/v1/auth/login').set('X-Requested-With', 'grc').send({ email: VOIRIE_AGENT, password: process.env['GRC_DEMO_PASSWORD'] ?? 'Demo-GRC-2026!' });
      expect(ok.status).toBe(429); // same IP, same window
    } finally {
      await limited.close();
    }
    const login = await ctx.http.post('/api/v1/auth/login').set('X-Requested-With', 'grc').send({ email: ADMIN, password: process.env['GRC_DEMO_PASSWORD'] ?? 'Demo-GRC-2026!' });
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/grc_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });
});
