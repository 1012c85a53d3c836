import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import {
  expectedStatus,
  OPEN311_ACCESS,
  PRINCIPALS,
  ROUTE_ACCESS,
  type Principal,
  type RouteAccess,
  type Scope,
} from '../src/access/route-access';
import { OpenDataService } from '../src/modules/reporting/open-data.service';
import { startTestApp, type TestContext } from './support/test-app';
import { exportPackFiles } from '../src/modules/packs/pack-transfer';
import { PNG } from './support/files';
import { ADMIN, DPO, ELU, EV_AGENT, EV_HEAD, FRONT_DESK_AGENT, ids, URBA_HEAD, VOIRIE_AGENT, VOIRIE_HEAD } from './support/demo';

/** a 1×1 PNG */
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/**
 * The authorisation matrix: every route (src/access/route-access.ts: the OpenAPI document, Open311,
 * the citizen side) × every principal × a real object of the caller's own department / of another
 * department (or one cell for routes without an object). Each cell sends a valid request, so that its
 * status proves authorisation (2xx, 401, 403, 404), never a 400 standing in for a refusal. Mutating
 * cells act on objects made for them, so cells do not depend on each other.
 */
type Client = ReturnType<typeof request.agent>;
const MATRIX_PASSWORD = 'Carrousel-Ardoise-2026!';
const totpCode = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6 }).generate();
interface Call {
  path: string;
  headers?: Record<string, string>;
  /** undoes what the cell changed that later cells depend on (a password, a second factor) */
  after?: () => Promise<void>;
  body?: unknown;
  query?: Record<string, string>;
  files?: Array<{ field: string; buffer: Buffer; name: string; type: string }>;
  fields?: Record<string, string>;
  form?: boolean;
  /** a server-sent event stream: the status and first bytes are read, then the connection is closed */
  stream?: boolean;
}
type Build = (who: Principal, scope: Scope) => Promise<Call>;

const EMAIL: Record<Exclude<Principal, 'anonymous'>, string> = {
  agent: VOIRIE_AGENT,
  head: VOIRIE_HEAD,
  elected: ELU,
  admin: ADMIN,
  frontDesk: FRONT_DESK_AGENT,
  dpo: DPO,
};
/** the department whose objects are the caller's own ('other' is always espaces-verts) */
const OWN_DEPT: Record<Principal, string> = {
  anonymous: 'voirie',
  agent: 'voirie',
  head: 'voirie',
  elected: 'urbanisme',
  admin: 'voirie',
  frontDesk: 'proprete',
  dpo: 'voirie',
};
const OTHER_DEPT = 'espaces-verts';
/** a category routed to each department (no position: the category's default department) */
const CATEGORY: Record<string, string> = {
  voirie: 'nid-de-poule',
  proprete: 'depot-sauvage',
  urbanisme: 'certificat-urbanisme',
  'espaces-verts': 'aire-de-jeux',
};
/** a member of each department, to assign to */
const MEMBER: Record<string, string> = {
  voirie: VOIRIE_AGENT,
  proprete: FRONT_DESK_AGENT,
  urbanisme: URBA_HEAD,
  'espaces-verts': EV_AGENT,
};

describe('authorisation matrix: every route × every principal × own / other object', () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  let admin: Client;
  const clients = new Map<Principal, Client>();
  const uniq = () => randomUUID().slice(0, 8);
  const dept = (who: Principal, scope: Scope) => (scope === 'other' ? OTHER_DEPT : OWN_DEPT[who]);

  beforeAll(async () => {
    ctx = await startTestApp({ GRC_PUBLIC_RATE_LIMIT: '100000', GRC_QUEUE_PREFIX: `grc-matrix-${Date.now()}` });
    d = await ids(ctx.db);
    admin = await ctx.loginAs(ADMIN);
    // the admin principal is the helper's own session: a cell that ends the caller's other sessions keeps it
    for (const p of PRINCIPALS)
      clients.set(p, p === 'anonymous' ? request.agent(ctx.app.getHttpServer()) : p === 'admin' ? admin : await ctx.loginAs(EMAIL[p]));
    // circuits in the callers' departments, so that a circuit action has something to act on: bound to
    // categories of the matrix's own (binding a whole department would change what later spec files see)
    for (const code of ['voirie', 'proprete']) {
      const c = (
        await admin
          .post('/api/v1/categories')
          .send({
            code: `m-circuit-${code}-${uniq()}`,
            nameFr: 'Matrice circuit',
            nameEn: 'Matrix circuit',
            defaultDepartmentId: await d.department(code),
          })
          .expect(201)
      ).body;
      await admin.post('/api/v1/workflows/bindings').send({ categoryId: c.id, definitionCode: 'reponse-simple' }).expect(201);
      CIRCUIT_CATEGORY[code] = c.code;
    }
    CIRCUIT_CATEGORY['urbanisme'] = 'certificat-urbanisme';
    englishReply = (await admin.get('/api/v1/mail/templates').expect(200)).body.find(
      (t: { event: string; locale: string }) => t.event === 'reply' && t.locale === 'en',
    );
  });
  afterAll(async () => {
    // leave the run's shared database as the other spec files expect it: nobody's unread count or delegations changed
    await ctx.db.query(`DELETE FROM notifications WHERE id = ANY($1::bigint[])`, [made.notifications]);
    await ctx.db.query(`UPDATE delegations SET revoked_at = now() WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL`, [made.delegations]);
    await ctx.db.query(`UPDATE categories SET active = false WHERE code LIKE 'm-%'`);
    await ctx.db.query(`UPDATE agents SET active = false WHERE email LIKE 'm-%@saint-aubin.fr'`);
    await ctx.close();
  });
  const CIRCUIT_CATEGORY: Record<string, string> = {};
  let englishReply: { subject: string; body: string };
  const made = { notifications: [] as string[], delegations: [] as string[] };

  // ------------------------------------------------------------------ objects made for the cells
  const ticketIn = async (department: string, category = CATEGORY[department]!) => {
    const t = (
      await admin
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await d.category(category),
          subject: `Matrice ${uniq()}`,
          description: 'Objet de la matrice d’autorisation',
        })
        .expect(201)
    ).body;
    expect(t.department.id).toBe(await d.department(department));
    return t as { id: string; version: number; reference: string };
  };
  const ticket = (who: Principal, scope: Scope) => ticketIn(dept(who, scope));
  const version = async (id: string) => (await ctx.db.query(`SELECT version FROM tickets WHERE id = $1`, [id]))[0].version as number;
  const shared = new Map<string, Promise<{ id: string; version: number; reference: string; attachmentId: string; citizenId: string }>>();
  /** one read-only ticket per department, with an attachment and a citizen known only there */
  const readOnly = (who: Principal, scope: Scope) => {
    const code = dept(who, scope);
    if (!shared.has(code)) {
      shared.set(
        code,
        (async () => {
          const t = (
            await admin
              .post('/api/v1/tickets')
              .send({
                channel: 'phone',
                categoryId: await d.category(CATEGORY[code]!),
                subject: `Matrice ${uniq()}`,
                description: 'Lecture',
                newCitizen: citizenBody(`Lecteur-${code}`),
              })
              .expect(201)
          ).body;
          const up = (
            await admin
              .post(`/api/v1/tickets/${t.id}/attachments`)
              .field('version', String(t.version))
              .attach('file', PNG, { filename: 'photo.png', contentType: 'image/png' })
              .expect(201)
          ).body;
          return { id: t.id, version: up.version, reference: t.reference, attachmentId: up.attachments[0].id, citizenId: t.citizen.id };
        })(),
      );
    }
    return shared.get(code)!;
  };
  const citizenBody = (lastName: string) => ({
    kind: 'resident',
    firstName: 'Camille',
    lastName,
    organisationName: null,
    contactPerson: null,
    email: `${lastName.toLowerCase()}-${uniq()}@example.org`,
    phone: null,
    address: null,
    postcode: null,
    city: null,
    preferredChannel: null,
  });
  const freshCitizen = async (who: Principal, scope: Scope) => {
    const code = dept(who, scope);
    const t = (
      await admin
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await d.category(CATEGORY[code]!),
          subject: `Matrice ${uniq()}`,
          description: 'Citoyen',
          newCitizen: citizenBody(`Fiche${uniq()}`),
        })
        .expect(201)
    ).body;
    const c = (await admin.get(`/api/v1/citizens/${t.citizen.id}`).expect(200)).body;
    return c as Record<string, unknown> & { id: string; version: number };
  };
  /** a circuit running on another department's ticket (tree felling: waits for the citizen, whom anyone could say has replied) */
  const runningCircuit = async () => {
    const t = await ticketIn(OTHER_DEPT, 'elagage');
    await admin.post(`/api/v1/tickets/${t.id}/workflow/actions`).send({ type: 'start', version: t.version }).expect(201);
    return t;
  };
  const department = async () =>
    (
      await admin
        .post('/api/v1/departments')
        .send({ code: `m-${uniq()}`, name: `Matrice ${uniq()}`, kind: 'service', parentId: await d.department('dgs') })
        .expect(201)
    ).body;
  const category = async () =>
    (
      await admin
        .post('/api/v1/categories')
        .send({ code: `m-${uniq()}`, nameFr: 'Matrice', nameEn: 'Matrix', defaultDepartmentId: await d.department('voirie') })
        .expect(201)
    ).body;
  const defaultCalendar = async () =>
    (await admin.get('/api/v1/sla/calendars').expect(200)).body.find((c: { departmentId: string | null }) => c.departmentId === null)
      .calendar;
  const mailboxBody = () => ({
    name: `Matrice ${uniq()}`,
    host: '127.0.0.1',
    port: 1,
    secure: false,
    username: 'matrice',
    password: 'x',
    folder: 'INBOX',
    processedFolder: null,
    categoryId: null as unknown as string,
    departmentId: null,
    pollIntervalSeconds: 3600,
    active: false,
  });
  const replyTemplate = async () =>
    (
      await admin
        .post('/api/v1/mail/reply-templates')
        .send({ name: `Matrice ${uniq()}`, body: 'Bonjour {{citizenName}}' })
        .expect(201)
    ).body;
  const quarantined = async () =>
    (
      await ctx.db.query(
        `INSERT INTO mail_quarantine (reason, size, raw, subject) VALUES ('matrice', 4, '\\x74657374'::bytea, 'Matrice') RETURNING id`,
      )
    )[0].id as string;
  const definitionSource = (code: string) =>
    `id: ${code}\nname: Matrice\ninitial: redaction\nsteps:\n  redaction:\n    kind: draft\n    label: Rédaction\n    writers:\n      roles: [agent, head]\n      departments: [$ticket]\n    transitions:\n      - on: submitted\n        to: fin\n  fin:\n    kind: end\n    label: Fin\n    outcome: reply_sent\n`;
  const definition = async (publish: boolean) => {
    const code = `matrice-${uniq()}`;
    await admin
      .post('/api/v1/workflows/definitions')
      .send({ source: definitionSource(code) })
      .expect(201);
    if (publish) await admin.post(`/api/v1/workflows/definitions/${code}/publish`).expect(201);
    return code;
  };
  const delegationOf = async (email: string) => {
    const from = await ctx.loginAs(email);
    const to = await d.agent(email === EV_HEAD ? EV_AGENT : VOIRIE_AGENT);
    const id = (await from.post('/api/v1/workflows/delegations').send(delegationBody(to)).expect(201)).body.id as string;
    made.delegations.push(id);
    return id;
  };
  let day = 0;
  /** each delegation on a day of its own: two for the same people may not overlap */
  const delegationBody = (toAgentId: string) => {
    const start = Date.now() + ++day * 86_400e3;
    return { toAgentId, startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3600e3).toISOString() };
  };
  const notificationFor = async (email: string) => {
    const id = (
      await ctx.db.query(
        `INSERT INTO notifications (recipient_agent_id, kind, data) VALUES ($1, 'sla.sla_warning', '{}'::jsonb) RETURNING id::text AS id`,
        [await d.agent(email)],
      )
    )[0].id as string;
    made.notifications.push(id);
    return id;
  };
  /** a personal saved view of this agent */
  const savedView = async (email: string) =>
    (await ctx.db.query(`INSERT INTO saved_views (owner_id, name) VALUES ($1, 'Matrice') RETURNING id`, [await d.agent(email)]))[0]
      .id as string;
  const failedDelivery = async (ticketId: string) =>
    (
      await ctx.db.query(
        `INSERT INTO mail_outbox (ticket_id, kind, to_address, subject, text, message_id, state, attempts, last_error)
     VALUES ($1, 'reply', 'camille@example.org', 'Matrice', 'texte', $2, 'failed', 5, 'Connexion refusée') RETURNING id`,
        [ticketId, `<${uniq()}@matrix.test>`],
      )
    )[0].id as string;
  /** a reply by post waiting in the ticket's department (written as the letters listener writes it) */
  const letterOf = async (ticketId: string) =>
    (
      await ctx.db.query(
        `INSERT INTO ticket_letters (ticket_id, recipient_name, recipient_address, body, signatory_name)
         VALUES ($1, 'Camille Matrice', '1 rue de la Matrice\n37550 SAINT-AUBIN', 'Bonjour.', 'Agent Matrice') RETURNING id`,
        [ticketId],
      )
    )[0].id as string;
  const publicRequest = async () => {
    const res = await request(ctx.app.getHttpServer())
      .post('/api/v1/public/requests')
      .set('X-Requested-With', 'grc')
      .field('categoryId', await d.category('nid-de-poule'))
      .field('description', 'Un trou sur la chaussée')
      .field('lastName', 'Durand')
      .field('email', `p-${uniq()}@example.org`)
      .expect(201);
    return res.body as { reference: string; key: string };
  };
  let open311Key: Promise<string> | null = null;
  const apiKey = () =>
    (open311Key ??= admin
      .post('/api/v1/open311-keys')
      .send({ name: `matrice-${uniq()}` })
      .expect(201)
      .then((r) => r.body.key as string));
  const town = async () => (await ctx.db.query(`SELECT code FROM town_settings`))[0].code as string;
  const open311Request = async () => {
    const res = await request(ctx.app.getHttpServer())
      .post('/open311/v2/requests.json')
      .type('form')
      .send({
        api_key: await apiKey(),
        jurisdiction_id: await town(),
        service_code: 'nid-de-poule',
        lat: '47.3941',
        long: '0.6848',
        description: 'Trou',
        email: `o-${uniq()}@example.org`,
        last_name: 'Martin',
      })
      .expect(200);
    return { id: res.body[0].service_request_id as string, token: res.headers['x-open311-token'] as string };
  };

  /** the caller's password back as it was, and its second factor gone (later cells log in as it again) */
  const restoreAccount = async (email: string) => {
    const [row] = await ctx.db.query(`SELECT password_hash FROM agents WHERE email = $1`, [email]);
    return async () => {
      await ctx.db.query(`UPDATE agents SET password_hash = $2, must_change_password = false WHERE email = $1`, [email, row.password_hash]);
      await ctx.db.query(`DELETE FROM agent_totp WHERE agent_id = (SELECT id FROM agents WHERE email = $1)`, [email]);
    };
  };
  /** enrols the caller's second factor through its own session; its recovery codes */
  const enrolled = async (who: Principal) => {
    const client = clients.get(who)!;
    const e = (await client.post('/api/v1/account/second-factor/enrolment').set('X-Requested-With', 'grc').expect(200)).body;
    return (
      await client
        .post('/api/v1/account/second-factor/confirm')
        .set('X-Requested-With', 'grc')
        .send({ code: totpCode(e.secret) })
        .expect(200)
    ).body.recoveryCodes as string[];
  };
  /** a new administrator without a usable password and a sign-in link's token for it */
  const signInLink = async () => {
    const email = `m-link-${uniq()}@saint-aubin.fr`;
    await admin
      .post('/api/v1/agents')
      .send({ email, displayName: 'Matrice', role: 'admin', departmentIds: [], password: MATRIX_PASSWORD })
      .expect(201);
    const token = randomBytes(32).toString('base64url');
    await ctx.db.query(
      `INSERT INTO sign_in_links (token_hash, agent_id, expires_at, created_by) SELECT $1, id, now() + interval '1 hour', 'matrix' FROM agents WHERE email = $2`,
      [createHash('sha256').update(token).digest('hex'), email],
    );
    return token;
  };
  /** an agent with a second factor, and its recovery codes (one per login-step cell) */
  let totpAgent: Promise<{ email: string; codes: string[] }> | null = null;
  const withSecondFactor = () =>
    (totpAgent ??= (async () => {
      const email = `m-totp-${uniq()}@saint-aubin.fr`;
      await admin
        .post('/api/v1/agents')
        .send({ email, displayName: 'Matrice', role: 'agent', departmentIds: [await d.department('voirie')], password: MATRIX_PASSWORD })
        .expect(201);
      const client = await ctx.loginAs(email, MATRIX_PASSWORD);
      const e = (await client.post('/api/v1/account/second-factor/enrolment').expect(200)).body;
      const codes = (
        await client
          .post('/api/v1/account/second-factor/confirm')
          .send({ code: totpCode(e.secret) })
          .expect(200)
      ).body.recoveryCodes as string[];
      return { email, codes };
    })());
  const newAgent = async () =>
    (
      await admin
        .post('/api/v1/agents')
        .send({
          email: `m-${uniq()}@saint-aubin.fr`,
          displayName: 'Matrice',
          role: 'agent',
          departmentIds: [await d.department('voirie')],
          password: MATRIX_PASSWORD,
        })
        .expect(201)
    ).body as { id: string; email: string };

  /** the town's settings as the screen sends them back (the read-only parts left out, the logo kept) */
  const townSettingsBody = async () => {
    const current = (await admin.get('/api/v1/town-settings').expect(200)).body as Record<string, unknown>;
    const { code: _code, dpo: _dpo, logo: _logo, ...body } = current;
    return body;
  };

  // ------------------------------------------------------------------ one valid request per route
  const T =
    (suffix: string, body?: (t: { id: string; version: number }, who: Principal, scope: Scope) => unknown | Promise<unknown>): Build =>
    async (who, scope) => {
      const t = await ticket(who, scope);
      return { path: `/api/v1/tickets/${t.id}${suffix}`, body: body ? await body(t, who, scope) : undefined };
    };
  const R =
    (suffix: (t: Awaited<ReturnType<typeof readOnly>>) => string): Build =>
    async (who, scope) => ({ path: suffix(await readOnly(who, scope)) });
  const CALLS: Record<string, Build> = {
    'GET /api/v1/health': async () => ({ path: '/api/v1/health' }),
    'GET /api/v1/health/live': async () => ({ path: '/api/v1/health/live' }),
    'GET /api/v1/health/ready': async () => ({ path: '/api/v1/health/ready' }),
    'POST /api/v1/auth/login': async () => ({
      path: '/api/v1/auth/login',
      body: { email: EV_HEAD, password: process.env['GRC_DEMO_PASSWORD'] ?? 'Demo-GRC-2026!' },
    }),
    'GET /api/v1/auth/me': async () => ({ path: '/api/v1/auth/me' }),
    'POST /api/v1/auth/logout': async () => ({ path: '/api/v1/auth/logout' }),
    // the session stays with the demo's commune (the only one the matrix's agents work for)
    'PUT /api/v1/auth/commune': async () => ({
      path: '/api/v1/auth/commune',
      body: { communeId: (await ctx.db.query(`SELECT id FROM communes WHERE is_default`))[0].id },
    }),
    // the sign-in routes redirect (to the provider, or back to /login?sso_error=…): a provider that does not exist
    'GET /api/v1/auth/oidc/providers': async () => ({ path: '/api/v1/auth/oidc/providers' }),
    'GET /api/v1/auth/oidc/{provider}/start': async () => ({ path: '/api/v1/auth/oidc/matrice/start' }),
    'GET /api/v1/auth/oidc/{provider}/callback': async () => ({
      path: '/api/v1/auth/oidc/matrice/callback',
      query: { code: 'x', state: 'y' },
    }),
    'GET /api/v1/auth/oidc/end-session': async () => ({ path: '/api/v1/auth/oidc/end-session' }),
    'GET /api/v1/admin/identity-providers': async () => ({ path: '/api/v1/admin/identity-providers' }),
    'POST /api/v1/admin/identity-providers': async () => ({ path: '/api/v1/admin/identity-providers', body: identityProviderBody() }),
    'PUT /api/v1/admin/identity-providers/{id}': async () => {
      const p = await identityProvider();
      return { path: `/api/v1/admin/identity-providers/${p.id}`, body: { ...identityProviderBody(), version: p.version } };
    },
    'DELETE /api/v1/admin/identity-providers/{id}': async () => ({
      path: `/api/v1/admin/identity-providers/${(await identityProvider()).id}`,
    }),
    // a pending login of an agent with a second factor, completed with one of its recovery codes
    'POST /api/v1/auth/login/second-factor': async () => {
      const t = await withSecondFactor();
      const pending = await ctx.http
        .post('/api/v1/auth/login')
        .set('X-Requested-With', 'grc')
        .send({ email: t.email, password: MATRIX_PASSWORD })
        .expect(200);
      const cookie = String(pending.headers['set-cookie']).split(';')[0]!;
      return { path: '/api/v1/auth/login/second-factor', headers: { Cookie: cookie }, body: { code: t.codes.pop() } };
    },
    // a sign-in link of its own per cell (it works once), as `grc create-admin` stores it: the token's hash
    'POST /api/v1/auth/sign-in-link/check': async () => ({ path: '/api/v1/auth/sign-in-link/check', body: { token: await signInLink() } }),
    'POST /api/v1/auth/sign-in-link/redeem': async () => ({
      path: '/api/v1/auth/sign-in-link/redeem',
      body: { token: await signInLink(), newPassword: MATRIX_PASSWORD },
    }),
    'POST /api/v1/account/password': async (who) =>
      who === 'anonymous'
        ? { path: '/api/v1/account/password', body: { currentPassword: 'x', newPassword: 'y' } }
        : {
            path: '/api/v1/account/password',
            body: { currentPassword: process.env['GRC_DEMO_PASSWORD'] ?? 'Demo-GRC-2026!', newPassword: `Matrice-${uniq()}-Carrousel!` },
            after: await restoreAccount(EMAIL[who]),
          },
    'GET /api/v1/account/second-factor': async () => ({ path: '/api/v1/account/second-factor' }),
    'POST /api/v1/account/second-factor/enrolment': async (who) => ({
      path: '/api/v1/account/second-factor/enrolment',
      after: who === 'anonymous' ? undefined : await restoreAccount(EMAIL[who]),
    }),
    'POST /api/v1/account/second-factor/confirm': async (who) => {
      if (who === 'anonymous') return { path: '/api/v1/account/second-factor/confirm', body: { code: '123456' } };
      const e = (await clients.get(who)!.post('/api/v1/account/second-factor/enrolment').set('X-Requested-With', 'grc').expect(200)).body;
      return { path: '/api/v1/account/second-factor/confirm', body: { code: totpCode(e.secret) }, after: await restoreAccount(EMAIL[who]) };
    },
    'POST /api/v1/account/second-factor/disable': async (who) =>
      who === 'anonymous'
        ? { path: '/api/v1/account/second-factor/disable', body: { code: '123456' } }
        : {
            path: '/api/v1/account/second-factor/disable',
            body: { code: (await enrolled(who))[0] },
            after: await restoreAccount(EMAIL[who]),
          },
    'GET /api/v1/account/sessions': async () => ({ path: '/api/v1/account/sessions' }),
    'POST /api/v1/account/sessions/close-others': async () => ({ path: '/api/v1/account/sessions/close-others', body: {} }),
    // own: another session of the caller; other: a session of another agent
    'DELETE /api/v1/account/sessions/{id}': async (who, scope) => {
      const email = scope === 'other' || who === 'anonymous' ? EV_HEAD : EMAIL[who];
      await ctx.loginAs(email);
      const [row] = await ctx.db.query(
        `SELECT s.id FROM sessions s JOIN agents a ON a.id = s.agent_id WHERE a.email = $1 ORDER BY s.created_at DESC LIMIT 1`,
        [email],
      );
      return { path: `/api/v1/account/sessions/${row.id}` };
    },
    'GET /api/v1/security-settings': async () => ({ path: '/api/v1/security-settings' }),
    'PUT /api/v1/security-settings': async () => ({
      path: '/api/v1/security-settings',
      body: (await admin.get('/api/v1/security-settings').expect(200)).body,
    }),
    'GET /api/v1/town-settings': async () => ({ path: '/api/v1/town-settings' }),
    'PUT /api/v1/town-settings': async () => ({ path: '/api/v1/town-settings', body: await townSettingsBody() }),
    'GET /api/v1/communes': async () => ({ path: '/api/v1/communes' }),
    'POST /api/v1/communes': async () => ({ path: '/api/v1/communes', body: { code: `m-${uniq()}`, name: 'Matrice', publicHost: null } }),
    'PUT /api/v1/communes/{id}': async () => {
      const [c] = await ctx.db.query(`SELECT id FROM communes WHERE is_default`);
      return {
        path: `/api/v1/communes/${c.id}`,
        body: { name: 'Matrice', publicHost: null, publicTexts: { formIntro: '', trackingIntro: '', footer: '' }, version: 1 },
      };
    },
    'GET /api/v1/communes/{id}/members': async () => {
      const [c] = await ctx.db.query(`SELECT id FROM communes WHERE is_default`);
      return { path: `/api/v1/communes/${c.id}/members` };
    },
    'PUT /api/v1/communes/{id}/members/{agentId}': async () => {
      const [c] = await ctx.db.query(`SELECT id FROM communes WHERE is_default`);
      return { path: `/api/v1/communes/${c.id}/members/${(await newAgent()).id}` };
    },
    'DELETE /api/v1/communes/{id}/members/{agentId}': async () => {
      const [c] = await ctx.db.query(`SELECT id FROM communes WHERE is_default`);
      return { path: `/api/v1/communes/${c.id}/members/${(await newAgent()).id}` };
    },
    'GET /api/v1/tickets': async () => ({ path: '/api/v1/tickets' }),
    'GET /api/v1/tickets/counters': async () => ({ path: '/api/v1/tickets/counters' }),
    'GET /api/v1/tickets/count': async () => ({ path: '/api/v1/tickets/count', query: { status: 'new,open' } }),
    'POST /api/v1/tickets': async (who) => ({
      path: '/api/v1/tickets',
      body: {
        channel: 'phone',
        categoryId: await d.category(CATEGORY[OWN_DEPT[who]]!),
        subject: 'Nouvelle demande',
        description: 'Saisie',
      },
    }),
    'GET /api/v1/tickets/{id}': R((t) => `/api/v1/tickets/${t.id}`),
    'GET /api/v1/live/inbox': async () => ({ path: '/api/v1/live/inbox', stream: true }),
    'GET /api/v1/live/tickets/{id}': async (who, scope) => ({
      path: `/api/v1/live/tickets/${(await readOnly(who, scope)).id}`,
      stream: true,
    }),
    'GET /api/v1/live/tickets/{id}/presence': R((t) => `/api/v1/live/tickets/${t.id}/presence`),
    'PUT /api/v1/live/tickets/{id}/presence': async (who, scope) => ({
      path: `/api/v1/live/tickets/${(await readOnly(who, scope)).id}/presence`,
      body: { state: 'viewing' },
    }),
    'DELETE /api/v1/live/tickets/{id}/presence': R((t) => `/api/v1/live/tickets/${t.id}/presence`),
    'GET /api/v1/views': async () => ({ path: '/api/v1/views' }),
    'POST /api/v1/views': async () => ({
      path: '/api/v1/views',
      body: {
        name: `Matrice ${uniq()}`,
        query: { status: ['new'], sort: 'due_asc' },
        columns: ['reference', 'subject'],
        sharedDepartmentIds: [],
      },
    }),
    'PUT /api/v1/views/{id}': async (who, scope) => ({
      path: `/api/v1/views/${await savedView(scope === 'other' || who === 'anonymous' ? EV_HEAD : EMAIL[who])}`,
      body: { name: `Matrice ${uniq()}`, query: { view: 'mine' }, columns: ['reference'], sharedDepartmentIds: [], version: 1 },
    }),
    'DELETE /api/v1/views/{id}': async (who, scope) => ({
      path: `/api/v1/views/${await savedView(scope === 'other' || who === 'anonymous' ? EV_HEAD : EMAIL[who])}`,
    }),
    'PATCH /api/v1/tickets/{id}': T('', (t) => ({ version: t.version, priority: 'high' })),
    'POST /api/v1/tickets/{id}/assign': T('/assign', async (t, who, scope) => ({
      version: t.version,
      assigneeId: await d.agent(MEMBER[dept(who, scope)]!),
    })),
    'POST /api/v1/tickets/{id}/transfer': T('/transfer', async (t) => ({
      version: t.version,
      departmentId: await d.department('eclairage'),
      reason: 'Matrice',
    })),
    'POST /api/v1/tickets/{id}/status': T('/status', (t) => ({ version: t.version, status: 'open' })),
    'POST /api/v1/tickets/{id}/messages': T('/messages', (t) => ({ version: t.version, kind: 'note', body: 'Note interne' })),
    'POST /api/v1/tickets/{id}/attachments': async (who, scope) => {
      const t = await ticket(who, scope);
      return {
        path: `/api/v1/tickets/${t.id}/attachments`,
        fields: { version: String(t.version) },
        files: [{ field: 'file', buffer: PNG, name: 'photo.png', type: 'image/png' }],
      };
    },
    'GET /api/v1/tickets/{id}/attachments/{attachmentId}': R((t) => `/api/v1/tickets/${t.id}/attachments/${t.attachmentId}`),
    'GET /api/v1/tickets/{id}/sla': R((t) => `/api/v1/tickets/${t.id}/sla`),
    'GET /api/v1/tickets/{id}/duplicates': R((t) => `/api/v1/tickets/${t.id}/duplicates`),
    'POST /api/v1/tickets/{id}/link': async (who, scope) => {
      const [follower, master] = [await ticket(who, scope), await ticket(who, scope)];
      return { path: `/api/v1/tickets/${follower.id}/link`, body: { masterId: master.id, version: follower.version } };
    },
    'POST /api/v1/tickets/{id}/unlink': async (who, scope) => {
      const [follower, master] = [await ticket(who, scope), await ticket(who, scope)];
      await admin.post(`/api/v1/tickets/${follower.id}/link`).send({ masterId: master.id, version: follower.version }).expect(201);
      return { path: `/api/v1/tickets/${follower.id}/unlink`, body: { version: await version(follower.id) } };
    },
    'GET /api/v1/tickets/{id}/mail-deliveries': R((t) => `/api/v1/tickets/${t.id}/mail-deliveries`),
    'GET /api/v1/letters': async () => ({ path: '/api/v1/letters' }),
    'GET /api/v1/letters/{id}/pdf': async (who, scope) => ({
      path: `/api/v1/letters/${await letterOf((await readOnly(who, scope)).id)}/pdf`,
    }),
    'POST /api/v1/letters/{id}/sent': async (who, scope) => ({
      path: `/api/v1/letters/${await letterOf((await ticket(who, scope)).id)}/sent`,
      body: {},
    }),
    'POST /api/v1/tickets/{id}/mail-deliveries/{deliveryId}/retry': async (who, scope) => {
      const t = await ticket(who, scope);
      return { path: `/api/v1/tickets/${t.id}/mail-deliveries/${await failedDelivery(t.id)}/retry`, body: {} };
    },
    // own: the caller's department's ticket; other: another department's ticket whose circuit is running
    'GET /api/v1/tickets/{id}/workflow': async (who, scope) => ({
      path: `/api/v1/tickets/${scope === 'other' ? (await runningCircuit()).id : (await readOnly(who, scope)).id}/workflow`,
    }),
    'GET /api/v1/tickets/{id}/workflow/ticket': async (who, scope) => ({
      path: `/api/v1/tickets/${scope === 'other' ? (await runningCircuit()).id : (await readOnly(who, scope)).id}/workflow/ticket`,
    }),
    'POST /api/v1/tickets/{id}/workflow/actions': async (who, scope) => {
      if (scope === 'other') {
        const t = await runningCircuit();
        return { path: `/api/v1/tickets/${t.id}/workflow/actions`, body: { type: 'citizen_replied', version: await version(t.id) } };
      }
      const t = await ticketIn(dept(who, scope), CIRCUIT_CATEGORY[dept(who, scope)]);
      return { path: `/api/v1/tickets/${t.id}/workflow/actions`, body: { type: 'start', version: t.version } };
    },
    'GET /api/v1/citizens': async () => ({ path: '/api/v1/citizens', query: { q: 'Lecteur' } }),
    'POST /api/v1/citizens': async () => ({ path: '/api/v1/citizens', body: citizenBody(`Nouveau${uniq()}`) }),
    'GET /api/v1/citizens/{id}': R((t) => `/api/v1/citizens/${t.citizenId}`),
    'PUT /api/v1/citizens/{id}': async (who, scope) => {
      const c = await freshCitizen(who, scope);
      const fields = [
        'kind',
        'firstName',
        'lastName',
        'organisationName',
        'contactPerson',
        'email',
        'phone',
        'address',
        'postcode',
        'preferredChannel',
        'version',
      ];
      return { path: `/api/v1/citizens/${c.id}`, body: { ...Object.fromEntries(fields.map((f) => [f, c[f]])), city: 'Saint-Aubin' } };
    },
    'GET /api/v1/citizens/{id}/tickets': R((t) => `/api/v1/citizens/${t.citizenId}/tickets`),
    'GET /api/v1/citizens/{id}/messages': R((t) => `/api/v1/citizens/${t.citizenId}/messages`),
    'GET /api/v1/citizens/{id}/access-export': R((t) => `/api/v1/citizens/${t.citizenId}/access-export`),
    'GET /api/v1/citizens/{id}/access-letter': R((t) => `/api/v1/citizens/${t.citizenId}/access-letter`),
    // a fresh person each time (an erased or merged record cannot be erased or merged again)
    'POST /api/v1/citizens/{id}/erase': async (who, scope) => ({
      path: `/api/v1/citizens/${(await freshCitizen(who, scope)).id}/erase`,
      body: { force: true, reason: 'Matrice' },
    }),
    'POST /api/v1/citizens/{id}/merge': async (who, scope) => {
      const kept = await freshCitizen(who, scope);
      const other = await freshCitizen(who, scope);
      return {
        path: `/api/v1/citizens/${kept.id}/merge`,
        body: { otherId: other.id, version: kept.version, otherVersion: other.version, reason: 'Même personne' },
      };
    },
    'GET /api/v1/privacy-settings': async () => ({ path: '/api/v1/privacy-settings' }),
    'PUT /api/v1/privacy-settings': async () => {
      const { updatedAt: _, ...settings } = (await admin.get('/api/v1/privacy-settings').expect(200)).body;
      return { path: '/api/v1/privacy-settings', body: { ...settings, controllerName: `Commune ${uniq()}` } };
    },
    'GET /api/v1/departments': async () => ({ path: '/api/v1/departments' }),
    'POST /api/v1/departments': async () => ({
      path: '/api/v1/departments',
      body: { code: `m-${uniq()}`, name: `Matrice ${uniq()}`, kind: 'service', parentId: await d.department('dgs') },
    }),
    'PUT /api/v1/departments/{id}': async () => {
      const x = await department();
      return {
        path: `/api/v1/departments/${x.id}`,
        body: { code: x.code, name: `${x.name} bis`, kind: x.kind, parentId: x.parentId, version: x.version },
      };
    },
    'GET /api/v1/categories': async () => ({ path: '/api/v1/categories' }),
    'POST /api/v1/categories': async () => ({
      path: '/api/v1/categories',
      body: { code: `m-${uniq()}`, nameFr: 'Matrice', nameEn: 'Matrix', defaultDepartmentId: await d.department('voirie') },
    }),
    'PUT /api/v1/categories/{id}': async () => {
      const x = await category();
      return {
        path: `/api/v1/categories/${x.id}`,
        body: { code: x.code, nameFr: 'Matrice bis', nameEn: 'Matrix bis', defaultDepartmentId: x.defaultDepartmentId, version: x.version },
      };
    },
    'GET /api/v1/routing-rules': async () => ({ path: '/api/v1/routing-rules' }),
    'GET /api/v1/routing-rules/areas': async () => ({ path: '/api/v1/routing-rules/areas' }),
    // a preview: nothing is written
    'POST /api/v1/routing-rules/areas/import': async () => ({
      path: '/api/v1/routing-rules/areas/import',
      query: { dryRun: 'true' },
      body: {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { name: 'Matrice', category: (await category()).code, department: 'voirie' },
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [0.69, 47.38],
                  [0.7, 47.38],
                  [0.7, 47.39],
                  [0.69, 47.38],
                ],
              ],
            },
          },
        ],
      },
    }),
    'POST /api/v1/routing-rules': async () => ({
      path: '/api/v1/routing-rules',
      body: { categoryId: (await category()).id, departmentId: await d.department('voirie') },
    }),
    'PUT /api/v1/routing-rules/{id}': async () => {
      const c = await category();
      const x = (
        await admin
          .post('/api/v1/routing-rules')
          .send({ categoryId: c.id, departmentId: await d.department('voirie') })
          .expect(201)
      ).body;
      return {
        path: `/api/v1/routing-rules/${x.id}`,
        body: { categoryId: c.id, departmentId: await d.department('eclairage'), version: x.version },
      };
    },
    'DELETE /api/v1/routing-rules/{id}': async () => {
      const x = (
        await admin
          .post('/api/v1/routing-rules')
          .send({ categoryId: (await category()).id, departmentId: await d.department('voirie') })
          .expect(201)
      ).body;
      return { path: `/api/v1/routing-rules/${x.id}` };
    },
    'GET /api/v1/agents': async () => ({ path: '/api/v1/agents' }),
    'POST /api/v1/agents': async () => ({
      path: '/api/v1/agents',
      body: {
        email: `m-${uniq()}@saint-aubin.fr`,
        displayName: 'Matrice',
        role: 'agent',
        departmentIds: [await d.department('voirie')],
        password: MATRIX_PASSWORD,
      },
    }),
    'PUT /api/v1/agents/{id}': async () => {
      const x = (
        await admin
          .post('/api/v1/agents')
          .send({
            email: `m-${uniq()}@saint-aubin.fr`,
            displayName: 'Matrice',
            role: 'agent',
            departmentIds: [await d.department('voirie')],
            password: MATRIX_PASSWORD,
          })
          .expect(201)
      ).body;
      return {
        path: `/api/v1/agents/${x.id}`,
        body: { email: x.email, displayName: 'Matrice bis', role: 'agent', departmentIds: x.departmentIds, version: x.version },
      };
    },
    'POST /api/v1/agents/{id}/password-reset': async () => ({
      path: `/api/v1/agents/${(await newAgent()).id}/password-reset`,
      body: { password: `Provisoire-${uniq()}-Ardoise!` },
    }),
    'DELETE /api/v1/agents/{id}/second-factor': async () => ({ path: `/api/v1/agents/${(await newAgent()).id}/second-factor` }),
    'GET /api/v1/audit': async (who, scope) => ({
      path: '/api/v1/audit',
      query: { entityType: 'ticket', entityId: (await readOnly(who, scope)).id },
    }),
    'GET /api/v1/audit/export.csv': async (who, scope) => ({
      path: '/api/v1/audit/export.csv',
      query: { ticketReference: (await readOnly(who, scope)).reference },
    }),
    'GET /api/v1/open311-keys': async () => ({ path: '/api/v1/open311-keys' }),
    'POST /api/v1/open311-keys': async () => ({ path: '/api/v1/open311-keys', body: { name: `matrice-${uniq()}` } }),
    'DELETE /api/v1/open311-keys/{id}': async () => ({
      path: `/api/v1/open311-keys/${
        (
          await admin
            .post('/api/v1/open311-keys')
            .send({ name: `matrice-${uniq()}` })
            .expect(201)
        ).body.id
      }`,
    }),
    'GET /api/v1/workflows/definitions': async () => ({ path: '/api/v1/workflows/definitions' }),
    'POST /api/v1/workflows/definitions': async () => ({
      path: '/api/v1/workflows/definitions',
      body: { source: definitionSource(`matrice-${uniq()}`) },
    }),
    'POST /api/v1/workflows/definitions/validate': async () => ({
      path: '/api/v1/workflows/definitions/validate',
      body: { source: definitionSource(`matrice-${uniq()}`) },
    }),
    'POST /api/v1/workflows/definitions/dry-run': async () => ({
      path: '/api/v1/workflows/definitions/dry-run',
      body: { source: definitionSource(`matrice-${uniq()}`), sample: { departmentId: await d.department('voirie') } },
    }),
    'POST /api/v1/workflows/definitions/import': async () => ({
      path: '/api/v1/workflows/definitions/import',
      body: { source: definitionSource(`matrice-${uniq()}`) },
    }),
    'GET /api/v1/workflows/definitions/{code}': async () => ({ path: `/api/v1/workflows/definitions/${await definition(true)}` }),
    'GET /api/v1/workflows/definitions/{code}/versions/{version}': async () => ({
      path: `/api/v1/workflows/definitions/${await definition(true)}/versions/1`,
    }),
    'GET /api/v1/workflows/definitions/{code}/draft': async () => ({
      path: `/api/v1/workflows/definitions/${await definition(false)}/draft`,
    }),
    'DELETE /api/v1/workflows/definitions/{code}/draft': async () => ({
      path: `/api/v1/workflows/definitions/${await definition(false)}/draft`,
    }),
    'POST /api/v1/workflows/definitions/{code}/publish': async () => ({
      path: `/api/v1/workflows/definitions/${await definition(false)}/publish`,
    }),
    'GET /api/v1/workflows/definitions/{code}/export': async () => ({
      path: `/api/v1/workflows/definitions/${await definition(true)}/export`,
    }),
    'GET /api/v1/workflows/bindings': async () => ({ path: '/api/v1/workflows/bindings' }),
    'POST /api/v1/workflows/bindings': async () => ({
      path: '/api/v1/workflows/bindings',
      body: { categoryId: (await category()).id, definitionCode: await definition(true) },
    }),
    'DELETE /api/v1/workflows/bindings/{id}': async () => ({
      path: `/api/v1/workflows/bindings/${
        (
          await admin
            .post('/api/v1/workflows/bindings')
            .send({ categoryId: (await category()).id, definitionCode: await definition(true) })
            .expect(201)
        ).body.id
      }`,
    }),
    'GET /api/v1/workflows/inbox': async () => ({ path: '/api/v1/workflows/inbox' }),
    'GET /api/v1/workflows/delegations': async () => ({ path: '/api/v1/workflows/delegations' }),
    'POST /api/v1/workflows/delegations': async () => ({
      path: '/api/v1/workflows/delegations',
      body: delegationBody(await d.agent(VOIRIE_AGENT)),
    }),
    // (delegations created by these cells are revoked in afterAll with the others: see `made`)
    // own: a delegation the caller gave (an admin's for those who may not delegate); other: another head's
    'DELETE /api/v1/workflows/delegations/{id}': async (who, scope) => ({
      path: `/api/v1/workflows/delegations/${await delegationOf(scope === 'other' ? EV_HEAD : who === 'anonymous' || who === 'agent' || who === 'frontDesk' || who === 'dpo' ? ADMIN : EMAIL[who])}`,
    }),
    'GET /api/v1/sla/breaches': async () => ({ path: '/api/v1/sla/breaches' }),
    'GET /api/v1/sla/calendars': async () => ({ path: '/api/v1/sla/calendars' }),
    'POST /api/v1/sla/calendars': async () => ({
      path: '/api/v1/sla/calendars',
      body: { name: 'Matrice', departmentId: (await department()).id, calendar: await defaultCalendar() },
    }),
    'PUT /api/v1/sla/calendars/{id}': async () => {
      const x = (
        await admin
          .post('/api/v1/sla/calendars')
          .send({ name: 'Matrice', departmentId: (await department()).id, calendar: await defaultCalendar() })
          .expect(201)
      ).body;
      return { path: `/api/v1/sla/calendars/${x.id}`, body: { name: 'Matrice bis', version: x.version, calendar: x.calendar } };
    },
    'DELETE /api/v1/sla/calendars/{id}': async () => ({
      path: `/api/v1/sla/calendars/${
        (
          await admin
            .post('/api/v1/sla/calendars')
            .send({ name: 'Matrice', departmentId: (await department()).id, calendar: await defaultCalendar() })
            .expect(201)
        ).body.id
      }`,
    }),
    'GET /api/v1/sla/policies': async () => ({ path: '/api/v1/sla/policies' }),
    'GET /api/v1/retention/rules': async () => ({ path: '/api/v1/retention/rules' }),
    'PUT /api/v1/retention/rules': async () => ({
      path: '/api/v1/retention/rules',
      body: { rules: [{ categoryId: null, months: 36, action: 'anonymise' }] },
    }),
    'GET /api/v1/retention/runs': async () => ({ path: '/api/v1/retention/runs' }),
    'GET /api/v1/reporting/dashboard': async () => ({ path: '/api/v1/reporting/dashboard', query: { by: 'department' } }),
    'GET /api/v1/reporting/export': async () => ({ path: '/api/v1/reporting/export', query: { format: 'csv' } }),
    'GET /api/v1/reporting/monthly-report': async () => ({ path: '/api/v1/reporting/monthly-report', query: { month: '2026-11' } }),
    'GET /api/v1/reporting/open-data/settings': async () => ({ path: '/api/v1/reporting/open-data/settings' }),
    // the defaults again: a valid change that leaves the settings as the other cells know them
    'PUT /api/v1/reporting/open-data/settings': async () => ({
      path: '/api/v1/reporting/open-data/settings',
      body: {
        csvSeparator: ';',
        threshold: 5,
        months: 24,
        licenceTitle: 'Licence Ouverte / Open Licence version 2.0',
        licenceUrl: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
      },
    }),
    'GET /api/v1/public/open-data': async () => ({ path: '/api/v1/public/open-data' }),
    'GET /api/v1/public/open-data/{name}': async () => {
      await ctx.app.get(OpenDataService).generate();
      return { path: '/api/v1/public/open-data/indicateurs-mensuels.csv' };
    },
    'GET /api/v1/public/barometer': async () => ({ path: '/api/v1/public/barometer' }),
    'GET /api/v1/admin/pack': async () => ({ path: '/api/v1/admin/pack' }),
    // a preview of the town's own configuration: nothing to change, nothing written
    'POST /api/v1/admin/pack/import': async () => ({
      path: '/api/v1/admin/pack/import',
      body: { files: await exportPackFiles(ctx.db), dryRun: true },
    }),
    'POST /api/v1/sla/policies': async () => ({ path: '/api/v1/sla/policies', body: policyBody(`matrice-${uniq()}`) }),
    'PUT /api/v1/sla/policies/{id}': async () => {
      const x = (
        await admin
          .post('/api/v1/sla/policies')
          .send(policyBody(`matrice-${uniq()}`))
          .expect(201)
      ).body;
      return { path: `/api/v1/sla/policies/${x.id}`, body: { ...policyBody(x.id), name: 'Matrice bis', version: x.version } };
    },
    'GET /api/v1/mail/templates': async () => ({ path: '/api/v1/mail/templates' }),
    // the same text again: a valid change that leaves the template as the other spec files know it
    'PUT /api/v1/mail/templates/{event}/{locale}': async () => ({
      path: '/api/v1/mail/templates/reply/en',
      body: { subject: englishReply.subject, body: englishReply.body },
    }),
    'POST /api/v1/mail/templates/preview': async () => ({
      path: '/api/v1/mail/templates/preview',
      body: { event: 'reply', subject: '[{{reference}}]', body: '{{message}}' },
    }),
    'GET /api/v1/mail/reply-templates': async () => ({ path: '/api/v1/mail/reply-templates' }),
    'POST /api/v1/mail/reply-templates': async () => ({
      path: '/api/v1/mail/reply-templates',
      body: { name: `Matrice ${uniq()}`, body: 'Bonjour' },
    }),
    'PUT /api/v1/mail/reply-templates/{id}': async () => ({
      path: `/api/v1/mail/reply-templates/${(await replyTemplate()).id}`,
      body: { name: `Matrice ${uniq()}`, body: 'Bonjour bis' },
    }),
    'DELETE /api/v1/mail/reply-templates/{id}': async () => ({ path: `/api/v1/mail/reply-templates/${(await replyTemplate()).id}` }),
    'POST /api/v1/mail/reply-templates/{id}/render': async (who, scope) => ({
      path: `/api/v1/mail/reply-templates/${(await replyTemplate()).id}/render`,
      body: { ticketId: (await readOnly(who, scope)).id },
    }),
    'GET /api/v1/mail/mailboxes': async () => ({ path: '/api/v1/mail/mailboxes' }),
    'POST /api/v1/mail/mailboxes': async () => ({
      path: '/api/v1/mail/mailboxes',
      body: { ...mailboxBody(), categoryId: await d.category('autre') },
    }),
    'PUT /api/v1/mail/mailboxes/{id}': async () => ({
      path: `/api/v1/mail/mailboxes/${(await mailboxWithCategory()).id}`,
      body: { ...mailboxBody(), categoryId: await d.category('autre') },
    }),
    'DELETE /api/v1/mail/mailboxes/{id}': async () => ({ path: `/api/v1/mail/mailboxes/${(await mailboxWithCategory()).id}` }),
    'POST /api/v1/mail/mailboxes/{id}/poll': async () => ({ path: `/api/v1/mail/mailboxes/${(await mailboxWithCategory()).id}/poll` }),
    'GET /api/v1/mail/quarantine': async () => ({ path: '/api/v1/mail/quarantine' }),
    'GET /api/v1/mail/quarantine/{id}/raw': async () => ({ path: `/api/v1/mail/quarantine/${await quarantined()}/raw` }),
    'DELETE /api/v1/mail/quarantine/{id}': async () => ({ path: `/api/v1/mail/quarantine/${await quarantined()}` }),
    'GET /api/v1/notifications': async () => ({ path: '/api/v1/notifications' }),
    'GET /api/v1/notifications/unread-count': async () => ({ path: '/api/v1/notifications/unread-count' }),
    'POST /api/v1/notifications/read-all': async () => ({ path: '/api/v1/notifications/read-all', body: {} }),
    'POST /api/v1/notifications/{id}/read': async (who, scope) => ({
      path: `/api/v1/notifications/${await notificationFor(scope === 'other' || who === 'anonymous' ? EV_HEAD : EMAIL[who])}/read`,
      body: {},
    }),
    'GET /api/v1/places/search': async () => ({ path: '/api/v1/places/search', query: { q: '12 rue nationale' } }),
    'GET /api/v1/places/reverse': async () => ({ path: '/api/v1/places/reverse', query: { lat: '47.3905', lng: '0.689' } }),
    'GET /api/v1/places/map-settings': async () => ({ path: '/api/v1/places/map-settings' }),
    'GET /api/v1/places/nearby': async () => ({ path: '/api/v1/places/nearby', query: { lat: '47.3905', lng: '0.689' } }),
    'GET /api/v1/places/requests-map': async () => ({
      path: '/api/v1/places/requests-map',
      query: { bbox: '0.6,47.3,0.8,47.5', zoom: '14' },
    }),
    'GET /api/v1/places/summary': async () => ({ path: '/api/v1/places/summary' }),
    // a commune of its own (37998), so that the demo's addresses stay as they are
    'POST /api/v1/places/imports': async () => ({
      path: '/api/v1/places/imports',
      files: [
        {
          field: 'file',
          buffer: Buffer.from(
            'id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat\n37998_0001_00001;37998_0001;1;;Rue de la Matrice;37998;37998;Matrice;0.7;47.4\n',
          ),
          name: 'adresses-37.csv',
          type: 'text/csv',
        },
      ],
    }),
    'GET /api/v1/tickets/{id}/nearby': R((t) => `/api/v1/tickets/${t.id}/nearby`),
    'GET /api/v1/public/places/search': async () => ({ path: '/api/v1/public/places/search', query: { q: 'gare' } }),
    'GET /api/v1/public/places/reverse': async () => ({ path: '/api/v1/public/places/reverse', query: { lat: '47.3905', lng: '0.689' } }),
    'GET /api/v1/public/places/map-settings': async () => ({ path: '/api/v1/public/places/map-settings' }),
    'GET /api/v1/public/form': async () => ({ path: '/api/v1/public/form' }),
    'GET /api/v1/public/town': async () => ({ path: '/api/v1/public/town' }),
    'GET /api/v1/public/town-logo': async () => {
      // the demo town has no logo: an administrator gives it one (the route answers 404 without)
      await admin
        .put('/api/v1/town-settings')
        .send({ ...(await townSettingsBody()), logo: `data:image/png;base64,${PNG_1PX}` })
        .expect(200);
      return { path: '/api/v1/public/town-logo' };
    },
    'GET /api/v1/public/privacy-notice': async () => ({ path: '/api/v1/public/privacy-notice' }),
    'POST /api/v1/public/requests': async () => ({
      path: '/api/v1/public/requests',
      fields: {
        categoryId: await d.category('nid-de-poule'),
        description: 'Un trou',
        lastName: 'Durand',
        email: `p-${uniq()}@example.org`,
      },
    }),
    'GET /api/v1/public/requests/{reference}': async () => {
      const r = await publicRequest();
      return { path: `/api/v1/public/requests/${r.reference}`, query: { k: r.key } };
    },
    'POST /api/v1/public/requests/{reference}/messages': async () => {
      const r = await publicRequest();
      return { path: `/api/v1/public/requests/${r.reference}/messages`, fields: { k: r.key, body: 'Une précision' } };
    },
    // Open311 GeoReport v2
    'GET /open311/v2/services.{format}': async () => ({ path: '/open311/v2/services.json' }),
    'GET /open311/v2/services/{service_code}.{format}': async () => ({ path: '/open311/v2/services/nid-de-poule.json' }),
    'GET /open311/v2/requests.{format}': async () => ({ path: '/open311/v2/requests.json' }),
    'GET /open311/v2/requests/{service_request_id}.{format}': async () => ({
      path: `/open311/v2/requests/${(await open311Request()).id}.json`,
    }),
    'GET /open311/v2/tokens/{token}.{format}': async () => ({ path: `/open311/v2/tokens/${(await open311Request()).token}.json` }),
    'POST /open311/v2/requests.{format}': async () => ({
      path: '/open311/v2/requests.json',
      form: true,
      body: {
        api_key: await apiKey(),
        jurisdiction_id: await town(),
        service_code: 'nid-de-poule',
        lat: '47.3941',
        long: '0.6848',
        description: 'Trou',
        email: `o-${uniq()}@example.org`,
        last_name: 'Martin',
      },
    }),
  };
  const policyBody = (id: string) => ({
    id,
    name: 'Matrice',
    match: { categoryCodes: ['autre'], priorities: ['low'], channels: ['counter'] },
    targets: { firstResponse: { amount: 1, unit: 'working_days' }, resolution: { amount: 10, unit: 'working_days' } },
    ladder: [{ atPercent: 100, actions: [{ type: 'mark_breached' }] }],
  });
  const identityProviderBody = () => ({
    slug: `matrice-${uniq()}`,
    label: 'Matrice',
    kind: 'oidc',
    issuer: 'https://idp.example.org/realms/grc',
    clientId: 'grc',
    clientSecret: 'secret',
    scopes: 'openid email profile',
    emailClaim: 'email',
    nameClaims: ['name'],
    groupsClaim: null,
    groupMappings: [],
    jitProvisioning: false,
    acrValues: null,
    allowedSirets: [],
    enabled: false,
  });
  const identityProvider = async (): Promise<{ id: string; version: number }> =>
    (await admin.post('/api/v1/admin/identity-providers').send(identityProviderBody()).expect(201)).body;
  const mailboxWithCategory = async () =>
    (
      await admin
        .post('/api/v1/mail/mailboxes')
        .send({ ...mailboxBody(), categoryId: await d.category('autre') })
        .expect(201)
    ).body;

  const send = async (client: Client, method: string, call: Call) => {
    let req = client[method.toLowerCase() as 'get'](call.path).set('X-Requested-With', 'grc');
    for (const [k, v] of Object.entries(call.headers ?? {})) req = req.set(k, v);
    if (call.query) req = req.query(call.query);
    if (call.fields || call.files) {
      for (const [k, v] of Object.entries(call.fields ?? {})) req = req.field(k, v);
      for (const f of call.files ?? []) req = req.attach(f.field, f.buffer, { filename: f.name, contentType: f.type });
      return req;
    }
    if (call.stream)
      // a stream never ends by itself: its answer is judged on the status, then the connection closed
      return req.buffer(true).parse((res, cb) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (res.statusCode === 200) {
            cb(null, text);
            (res as unknown as { destroy(): void }).destroy();
          }
        });
        res.on('end', () =>
          cb(
            null,
            (() => {
              try {
                return JSON.parse(text);
              } catch {
                return text;
              }
            })(),
          ),
        );
      });
    if (call.form) return req.type('form').send(call.body as Record<string, string>);
    return call.body === undefined ? req : req.send(call.body as object);
  };

  it('has a row for every route of the OpenAPI document, and no row for a route that is gone', async () => {
    const doc = (await ctx.http.get('/api/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const served = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(served.sort()).toEqual(Object.keys(ROUTE_ACCESS).sort());
    // and a request for every row (Open311 included), so that no row goes untested
    expect(Object.keys(CALLS).sort()).toEqual([...Object.keys(ROUTE_ACCESS), ...Object.keys(OPEN311_ACCESS)].sort());
  });

  const rows: Array<[string, RouteAccess]> = [...Object.entries(ROUTE_ACCESS), ...Object.entries(OPEN311_ACCESS)];
  /** a ticket's circuit: the validation-circuit routes, in a test of their own so that their cells are read apart */
  const isCircuit = (route: string) => route.includes('/tickets/{id}/workflow');
  const size = { routes: 0, objectRoutes: 0, cells: 0 };

  /** Runs every cell of these rows; returns the cells whose status is not the expected one. */
  const walk = async (selected: Array<[string, RouteAccess]>): Promise<string[]> => {
    // logging out ends the caller's session: last
    const ordered = [...selected].sort(([a], [b]) => Number(a === 'POST /api/v1/auth/logout') - Number(b === 'POST /api/v1/auth/logout'));
    const failures: string[] = [];
    for (const [route, access] of ordered) {
      const [method] = route.split(' ') as [string];
      const scopes: Scope[] = access.object ? ['own', 'other'] : ['none'];
      size.routes++;
      if (access.object) size.objectRoutes++;
      for (const who of PRINCIPALS) {
        for (const scope of scopes) {
          size.cells++;
          const expected = expectedStatus(access, who, scope);
          let call: Call;
          try {
            call = await CALLS[route]!(who, scope);
          } catch (e) {
            failures.push(`${route} as ${who}/${scope}: setup failed: ${(e as Error).message}`);
            continue;
          }
          // public routes do not depend on the caller: sent without the caller's cookies (a login would replace them)
          const client = access.who === 'public' ? (request(ctx.app.getHttpServer()) as unknown as Client) : clients.get(who)!;
          const res = await send(client, method, call);
          await call.after?.();
          if (res.status !== expected)
            failures.push(
              `${route} as ${who}/${scope}: got ${res.status}, expected ${expected}${res.status >= 400 ? ` (${JSON.stringify(res.body?.errors ?? res.body?.detail ?? res.body).slice(0, 200)})` : ''}`,
            );
        }
      }
    }
    return failures;
  };

  it("answers every cell of a ticket's circuit routes with its exact expected status", async () => {
    expect(await walk(rows.filter(([r]) => isCircuit(r)))).toEqual([]);
  }, 300_000);

  it('answers every other cell with its exact expected status', async () => {
    expect(await walk(rows.filter(([r]) => !isCircuit(r)))).toEqual([]);
  }, 600_000);

  afterAll(() => {
    console.log(
      `authorisation matrix: ${size.routes} routes (${size.objectRoutes} with an object: own + other; ${size.routes - size.objectRoutes} without: one cell) × ${PRINCIPALS.length} principals = ${size.cells} cells`,
    );
  });
});

describe('authorisation: CSRF and session cookie', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

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
        statuses.push(
          (
            await limited.http
              .post('/api/v1/auth/login')
              .set('X-Requested-With', 'grc')
              .send({ email: `nobody-${Date.now()}@example.org`, password: 'x' })
          ).status,
        );
      }
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      const ok = await limited.http
        .post('/api/v1/auth/login')
        .set('X-Requested-With', 'grc')
        .send({ email: VOIRIE_AGENT, password: process.env['GRC_DEMO_PASSWORD'] ?? 'Demo-GRC-2026!' });
      expect(ok.status).toBe(429); // same IP, same window
    } finally {
      await limited.close();
    }
    const login = await ctx.http
      .post('/api/v1/auth/login')
      .set('X-Requested-With', 'grc')
      .send({ email: ADMIN, password: process.env['GRC_DEMO_PASSWORD'] ?? 'Demo-GRC-2026!' });
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/grc_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });
});
