import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import { parseTownPack } from '@grc/domain';
import { loadTownPack, readPackFolder } from '../src/modules/packs/pack-loader';
import { ADMIN } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

type Client = ReturnType<typeof request.agent>;
const STRONG = 'Carrousel-Ardoise-2026!';
const totp = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6 });
/** a code of the step after the current one (accepted: one step of drift), so that it differs from one just used */
const nextCode = (secret: string) => totp(secret).generate({ timestamp: Date.now() + 30_000 });
const firstError = (body: { errors?: Array<{ field: string; code?: string; params?: Record<string, unknown> }> }) => body.errors?.[0];

/**
 * Local accounts (issue 10): the password rule on every way a password is set, self-service change,
 * an administrator's reset with a forced change, the TOTP second factor and its two-step login, the
 * town's security settings (second factor for admins, idle timeout, lifetime, cookie) and one's sessions.
 * The session cache is off (GRC_SESSION_CACHE_MS=0) so that each request reads the session's row:
 * time is moved by writing last_seen_at / created_at, never by waiting.
 */
describe('local accounts', () => {
  let ctx: TestContext;
  let admin: Client;
  const uniq = () => randomUUID().slice(0, 8);

  beforeAll(async () => {
    ctx = await startTestApp({ GRC_SESSION_CACHE_MS: '0', GRC_QUEUE_PREFIX: `grc-accounts-${Date.now()}` });
    admin = await ctx.loginAs(ADMIN);
  });
  afterAll(() => ctx.close());

  const voirie = async () => (await ctx.db.query(`SELECT id FROM departments WHERE code = 'voirie'`))[0].id as string;
  const newAgent = async (role: 'agent' | 'admin' = 'agent') => {
    const email = `acct-${uniq()}@saint-aubin.fr`;
    const a = (
      await admin
        .post('/api/v1/agents')
        .send({ email, displayName: 'Camille Durand', role, departmentIds: role === 'admin' ? [] : [await voirie()], password: STRONG })
        .expect(201)
    ).body;
    return a as { id: string; email: string; version: number; departmentIds: string[] };
  };
  const login = (email: string, password = STRONG) =>
    request.agent(ctx.app.getHttpServer()).set('X-Requested-With', 'grc').post('/api/v1/auth/login').send({ email, password });
  /** a client holding the session (or the pending login) of a login */
  const signIn = async (email: string, password = STRONG) => {
    const client = request.agent(ctx.app.getHttpServer()).set('X-Requested-With', 'grc');
    const res = await client.post('/api/v1/auth/login').send({ email, password });
    return { client, res };
  };
  const audit = async (action: string, entityId: string) =>
    ctx.db.query(`SELECT changes FROM audit_events WHERE action = $1 AND entity_id = $2 ORDER BY id`, [action, entityId]);
  const enrol = async (client: Client) => {
    const e = (await client.post('/api/v1/account/second-factor/enrolment').expect(200)).body;
    expect(e.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(e.otpauthUri).toMatch(/^otpauth:\/\/totp\/GRC:/);
    const codes = (
      await client
        .post('/api/v1/account/second-factor/confirm')
        .send({ code: totp(e.secret).generate() })
        .expect(200)
    ).body.recoveryCodes as string[];
    return { secret: e.secret as string, codes };
  };
  const settings = async (patch: Record<string, unknown>) => {
    const current = (await admin.get('/api/v1/security-settings').expect(200)).body;
    return (
      await admin
        .put('/api/v1/security-settings')
        .send({ ...current, ...patch })
        .expect(200)
    ).body;
  };

  describe('the password rule, on every way a password is set', () => {
    it('refuses a weak or common password when an admin creates or updates an agent, with codes and parameters', async () => {
      const base = { displayName: 'Camille Durand', role: 'agent', departmentIds: [await voirie()] };
      const short = await admin.post('/api/v1/agents').send({ ...base, email: `w-${uniq()}@saint-aubin.fr`, password: 'Xk9!pq' });
      expect(short.status).toBe(400);
      expect(firstError(short.body)).toMatchObject({
        field: 'password',
        code: 'password_too_weak',
        params: { reasons: expect.stringContaining('too_short'), minLength: 12, minScore: 3 },
      });
      const common = await admin.post('/api/v1/agents').send({ ...base, email: `w-${uniq()}@saint-aubin.fr`, password: 'Password1234' });
      expect(common.status).toBe(400);
      expect(firstError(common.body)).toMatchObject({ field: 'password', code: 'password_common' });

      const a = await newAgent();
      const named = await admin
        .put(`/api/v1/agents/${a.id}`)
        .send({ ...base, email: a.email, version: a.version, password: 'durand-soleil-velo-ciel' });
      expect(named.status).toBe(400);
      expect(firstError(named.body)).toMatchObject({ code: 'password_too_weak', params: { reasons: 'contains_name' } });
    });

    it('refuses a weak password on an admin reset and on a self-service change', async () => {
      const a = await newAgent();
      const reset = await admin.post(`/api/v1/agents/${a.id}/password-reset`).send({ password: 'azertyuiop12' });
      expect(reset.status).toBe(400);
      expect(firstError(reset.body)).toMatchObject({ field: 'password', code: 'password_too_weak', params: { reasons: 'guessable' } });

      const { client } = await signIn(a.email);
      const change = await client.post('/api/v1/account/password').send({ currentPassword: STRONG, newPassword: 'motdepasse123' });
      expect(change.status).toBe(400);
      expect(firstError(change.body)).toMatchObject({ field: 'newPassword' });
      expect(['password_common', 'password_too_weak']).toContain(firstError(change.body)?.code);
    });

    it('refuses a town pack whose agents have weak passwords, before writing anything', async () => {
      const parsed = parseTownPack(await readPackFolder(join(__dirname, '../../../packs/demo-town')));
      if (!parsed.ok) throw new Error('demo pack invalid');
      const pack = { ...parsed.pack, agents: parsed.pack.agents.map((x, i) => (i === 0 ? { ...x, password: 'motdepasse123' } : x)) };
      await expect(loadTownPack(ctx.db, pack, { onlyIfEmpty: false, now: new Date() })).rejects.toThrow(
        /password rule[\s\S]*agents\.yaml \[0\.password\]/,
      );
    });
  });

  describe('self-service password change', () => {
    it('needs the current password, closes every other session, keeps this one, and is audited', async () => {
      const a = await newAgent();
      const here = (await signIn(a.email)).client;
      const elsewhere = (await signIn(a.email)).client;
      const wrong = await here
        .post('/api/v1/account/password')
        .send({ currentPassword: 'pas le bon', newPassword: 'Nouvelle-Ardoise-2027!' });
      expect(wrong.status).toBe(400);
      expect(firstError(wrong.body)).toMatchObject({ field: 'currentPassword', code: 'current_password_wrong' });
      await here.post('/api/v1/account/password').send({ currentPassword: STRONG, newPassword: 'Nouvelle-Ardoise-2027!' }).expect(204);
      await here.get('/api/v1/auth/me').expect(200);
      await elsewhere.get('/api/v1/auth/me').expect(401);
      expect((await login(a.email)).status).toBe(401);
      expect((await login(a.email, 'Nouvelle-Ardoise-2027!')).status).toBe(200);
      const [row] = await audit('account.password_change', a.id);
      expect(row.changes).toMatchObject({ password: { before: '***', after: '***' }, otherSessionsClosed: { after: 1 } });
      expect(await audit('account.password_change_failed', a.id)).toHaveLength(1);
    });
  });

  describe("an administrator's reset", () => {
    it('ends the sessions and forces a change at the next login: until then the session reaches only its account', async () => {
      const a = await newAgent();
      const before = (await signIn(a.email)).client;
      await admin.post(`/api/v1/agents/${a.id}/password-reset`).send({ password: 'Provisoire-Ardoise-2026!' }).expect(200);
      await before.get('/api/v1/auth/me').expect(401);

      const { client, res } = await signIn(a.email, 'Provisoire-Ardoise-2026!');
      expect(res.status).toBe(200);
      expect(res.body.mustChangePassword).toBe(true);
      const refused = await client.get('/api/v1/tickets');
      expect(refused.status).toBe(403);
      expect(firstError(refused.body)?.code).toBe('password_change_required');
      await client.get('/api/v1/auth/me').expect(200);
      await client
        .post('/api/v1/account/password')
        .send({ currentPassword: 'Provisoire-Ardoise-2026!', newPassword: 'Definitive-Ardoise-2026!' })
        .expect(204);
      await client.get('/api/v1/tickets').expect(200);
      expect((await client.get('/api/v1/auth/me').expect(200)).body.mustChangePassword).toBe(false);
      const [row] = await audit('agent.password_reset', a.id);
      expect(row.changes).toMatchObject({ password: { after: '***' }, mustChangePassword: { after: true } });
    });
  });

  describe('TOTP second factor', () => {
    it('enrols with a QR code, then signs in in two steps; the code is checked server-side and not replayable', async () => {
      const a = await newAgent();
      const { client } = await signIn(a.email);
      const status0 = (await client.get('/api/v1/account/second-factor').expect(200)).body;
      expect(status0).toEqual({ enabled: false, pending: false, recoveryCodesLeft: 0, required: false });
      const e = (await client.post('/api/v1/account/second-factor/enrolment').expect(200)).body;
      const wrongFirst = await client.post('/api/v1/account/second-factor/confirm').send({ code: '000000' });
      expect(wrongFirst.status).toBe(400);
      const code = totp(e.secret).generate();
      const codes = (await client.post('/api/v1/account/second-factor/confirm').send({ code }).expect(200)).body.recoveryCodes;
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      expect((await client.get('/api/v1/account/second-factor').expect(200)).body).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
      // stored sealed, the recovery codes as hashes only
      const [row] = await ctx.db.query(`SELECT secret FROM agent_totp WHERE agent_id = $1`, [a.id]);
      expect(row.secret).toMatch(/^v1:/);
      expect(row.secret).not.toContain(e.secret);
      const hashes = await ctx.db.query(`SELECT code_hash FROM agent_recovery_codes WHERE agent_id = $1`, [a.id]);
      expect(hashes.map((h: { code_hash: string }) => h.code_hash)).not.toContain(codes[0]);
      await client.post('/api/v1/auth/logout').expect(204);

      const step1 = await signIn(a.email);
      expect(step1.res.status).toBe(200);
      expect(step1.res.body).toEqual({ secondFactor: 'totp', expiresInSeconds: 300 });
      expect(String(step1.res.headers['set-cookie'])).not.toMatch(/grc_session=/);
      await step1.client.get('/api/v1/auth/me').expect(401);
      // the code used at enrolment cannot be replayed
      const replay = await step1.client.post('/api/v1/auth/login/second-factor').send({ code });
      expect(replay.status).toBe(401);
      expect(firstError(replay.body)?.code).toBe('second_factor_invalid');
      const ok = await step1.client.post('/api/v1/auth/login/second-factor').send({ code: nextCode(e.secret) });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ email: a.email, secondFactor: true });
      await step1.client.get('/api/v1/auth/me').expect(200);
      // the pending login is spent
      expect((await step1.client.post('/api/v1/auth/login/second-factor').send({ code: codes[0] })).status).toBe(401);
      expect(await audit('auth.second_factor', a.id)).toEqual([{ changes: { with: { before: null, after: 'totp' } } }]);
    });

    it('takes each recovery code once', async () => {
      const a = await newAgent();
      const { codes } = await enrol((await signIn(a.email)).client);
      const first = await signIn(a.email);
      await first.client.post('/api/v1/auth/login/second-factor').send({ code: codes[3]!.toLowerCase() }).expect(200);
      const again = await signIn(a.email);
      expect((await again.client.post('/api/v1/auth/login/second-factor').send({ code: codes[3] })).status).toBe(401);
      await again.client.post('/api/v1/auth/login/second-factor').send({ code: codes[4] }).expect(200);
      expect((await again.client.get('/api/v1/account/second-factor').expect(200)).body.recoveryCodesLeft).toBe(8);
    });

    it('a pending login allows five codes; no pending login, no code', async () => {
      const a = await newAgent();
      const { secret } = await enrol((await signIn(a.email)).client);
      const p = await signIn(a.email);
      for (let i = 0; i < 5; i++)
        expect((await p.client.post('/api/v1/auth/login/second-factor').send({ code: '000000' })).status).toBe(401);
      const spent = await p.client.post('/api/v1/auth/login/second-factor').send({ code: nextCode(secret) });
      expect(spent.status).toBe(401);
      expect(firstError(spent.body)?.code).toBe('second_factor_expired');
      const none = await ctx.http.post('/api/v1/auth/login/second-factor').set('X-Requested-With', 'grc').send({ code: '123456' });
      expect(none.status).toBe(401);
      // a pending login past its time is refused too
      const late = await signIn(a.email);
      await ctx.db.query(`UPDATE login_challenges SET expires_at = now() - interval '1 second' WHERE agent_id = $1`, [a.id]);
      expect(firstError((await late.client.post('/api/v1/auth/login/second-factor').send({ code: nextCode(secret) })).body)?.code).toBe(
        'second_factor_expired',
      );
    });

    it('disables with a code; an administrator can reset it (audited)', async () => {
      const a = await newAgent();
      const { client } = await signIn(a.email);
      const { codes } = await enrol(client);
      expect((await client.post('/api/v1/account/second-factor/disable').send({ code: '000000' })).status).toBe(400);
      await client.post('/api/v1/account/second-factor/disable').send({ code: codes[0] }).expect(204);
      expect((await login(a.email)).body.email).toBe(a.email);

      await enrol(client);
      expect((await login(a.email)).body).toMatchObject({ secondFactor: 'totp' });
      await admin.delete(`/api/v1/agents/${a.id}/second-factor`).expect(204);
      expect((await login(a.email)).body.email).toBe(a.email);
      expect(await audit('agent.second_factor_reset', a.id)).toEqual([{ changes: { secondFactor: { before: true, after: false } } }]);
      expect(await audit('account.second_factor_disable', a.id)).toHaveLength(1);
    });

    it('counts wrong codes against the account in the login limiter: locked, even the right code waits', async () => {
      const limited = await startTestApp({ GRC_LOGIN_ACCOUNT_FAILURES: '3', GRC_QUEUE_PREFIX: `grc-accounts-lock-${Date.now()}` });
      try {
        const email = `acct-lock-${uniq()}@saint-aubin.fr`;
        const adm = await limited.loginAs(ADMIN);
        await adm
          .post('/api/v1/agents')
          .send({ email, displayName: 'Camille Durand', role: 'agent', departmentIds: [await voirie()], password: STRONG })
          .expect(201);
        const mine = await limited.loginAs(email, STRONG);
        const e = (await mine.post('/api/v1/account/second-factor/enrolment').expect(200)).body;
        await mine
          .post('/api/v1/account/second-factor/confirm')
          .send({ code: totp(e.secret).generate() })
          .expect(200);

        const client = request.agent(limited.app.getHttpServer()).set('X-Requested-With', 'grc');
        await client.post('/api/v1/auth/login').send({ email, password: STRONG }).expect(200);
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) statuses.push((await client.post('/api/v1/auth/login/second-factor').send({ code: '000000' })).status);
        expect(statuses).toEqual([401, 401, 401]);
        const locked = await client.post('/api/v1/auth/login/second-factor').send({ code: nextCode(e.secret) });
        expect(locked.status).toBe(429);
        expect(locked.headers['retry-after']).toBeDefined();
        expect(firstError(locked.body)?.code).toBe('auth.locked');
      } finally {
        await limited.close();
      }
    });
  });

  describe('security settings', () => {
    // back to the defaults through the table: with the second factor required, the demo admin (none enrolled) may not
    afterEach(async () => {
      await ctx.db.query(
        `UPDATE security_settings SET second_factor_required_for_admins = false, idle_timeout_minutes = 120, session_lifetime_hours = 12,
           persistent_cookie = true, version = version + 1`,
      );
    });

    it('second factor required for admins: an admin without one may only enrol, then goes on', async () => {
      const a = await newAgent('admin');
      const agent = await newAgent();
      const changed = await settings({ secondFactorRequiredForAdmins: true });
      expect(changed.secondFactorRequiredForAdmins).toBe(true);
      const { client, res } = await signIn(a.email);
      expect(res.body.secondFactorEnrolmentRequired).toBe(true);
      const refused = await client.get('/api/v1/agents');
      expect(refused.status).toBe(403);
      expect(firstError(refused.body)?.code).toBe('second_factor_enrolment_required');
      expect((await client.get('/api/v1/account/second-factor').expect(200)).body.required).toBe(true);
      const { codes } = await enrol(client);
      await client.get('/api/v1/agents').expect(200);
      const off = await client.post('/api/v1/account/second-factor/disable').send({ code: codes[0] });
      expect(off.status).toBe(409);
      expect(firstError(off.body)?.code).toBe('second_factor_required');
      // an agent (not an admin) is not concerned
      await (await signIn(agent.email)).client.get('/api/v1/tickets').expect(200);
      const [row] = await ctx.db.query(
        `SELECT changes FROM audit_events WHERE action = 'security_settings.update' ORDER BY id DESC LIMIT 1`,
      );
      expect(row.changes).toEqual({ secondFactorRequiredForAdmins: { before: false, after: true } });
    });

    it('refuses a stale version and out-of-range values', async () => {
      const current = (await admin.get('/api/v1/security-settings').expect(200)).body;
      expect((await admin.put('/api/v1/security-settings').send({ ...current, version: current.version + 5 })).status).toBe(409);
      const bad = await admin.put('/api/v1/security-settings').send({ ...current, sessionLifetimeHours: 0 });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((x: { field: string }) => x.field)).toEqual(['sessionLifetimeHours']);
    });

    it('ends a session idle longer than the idle timeout, and any session past its lifetime', async () => {
      const a = await newAgent();
      const idle = (await signIn(a.email)).client;
      const active = (await signIn(a.email)).client;
      await ctx.db.query(`UPDATE sessions SET last_seen_at = now() - interval '119 minutes' WHERE agent_id = $1`, [a.id]);
      await active.get('/api/v1/auth/me').expect(200); // seen now again
      await ctx.db.query(
        `UPDATE sessions SET last_seen_at = now() - interval '121 minutes' WHERE agent_id = $1 AND last_seen_at < now() - interval '1 hour'`,
        [a.id],
      );
      await idle.get('/api/v1/auth/me').expect(401);
      await active.get('/api/v1/auth/me').expect(200);
      await settings({ idleTimeoutMinutes: 0 });
      await idle.get('/api/v1/auth/me').expect(200); // 0: no idle timeout
      await ctx.db.query(`UPDATE sessions SET created_at = now() - interval '13 hours' WHERE agent_id = $1`, [a.id]);
      await active.get('/api/v1/auth/me').expect(401);
      await settings({ sessionLifetimeHours: 24 });
      await active.get('/api/v1/auth/me').expect(200);
    });

    it('writes last_seen_at at most once a minute, not on every request', async () => {
      const a = await newAgent();
      const { client } = await signIn(a.email);
      const seen = async () =>
        (await ctx.db.query(`SELECT last_seen_at FROM sessions WHERE agent_id = $1`, [a.id]))[0].last_seen_at as Date;
      await ctx.db.query(`UPDATE sessions SET last_seen_at = now() - interval '30 seconds' WHERE agent_id = $1`, [a.id]);
      const before = await seen();
      for (let i = 0; i < 5; i++) await client.get('/api/v1/auth/me').expect(200);
      expect((await seen()).getTime()).toBe(before.getTime());
      await ctx.db.query(`UPDATE sessions SET last_seen_at = now() - interval '90 seconds' WHERE agent_id = $1`, [a.id]);
      await client.get('/api/v1/auth/me').expect(200);
      expect(Date.now() - (await seen()).getTime()).toBeLessThan(10_000);
    });

    it('a non-persistent session cookie has neither Expires nor Max-Age', async () => {
      const a = await newAgent();
      const persistent = String((await login(a.email)).headers['set-cookie']);
      expect(persistent).toMatch(/grc_session=[^;]+;.*Expires=/);
      await settings({ persistentCookie: false });
      const cookie = String((await login(a.email)).headers['set-cookie']);
      expect(cookie).toMatch(/grc_session=/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).not.toMatch(/Expires=|Max-Age=/i);
    });
  });

  describe('my sessions', () => {
    it('lists my live sessions, the current one marked; ends one, or every other ("sign out everywhere")', async () => {
      const a = await newAgent();
      const clients = [];
      for (let i = 0; i < 3; i++) {
        const c = request.agent(ctx.app.getHttpServer()).set('X-Requested-With', 'grc').set('User-Agent', `Navigateur ${i}`);
        await c.post('/api/v1/auth/login').send({ email: a.email, password: STRONG }).expect(200);
        clients.push(c);
      }
      const [me, second, third] = clients as [Client, Client, Client];
      const list = (await me.get('/api/v1/account/sessions').expect(200)).body;
      expect(list).toHaveLength(3);
      expect(list.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
      const mine = list.find((s: { current: boolean }) => s.current);
      expect(mine.userAgent).toBe('Navigateur 0');
      expect(mine.ip).toBeTruthy();
      expect(Object.keys(mine).sort()).toEqual(['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastSeenAt', 'userAgent']);

      // another agent cannot end my session: 404
      const other = await newAgent();
      const stranger = (await signIn(other.email)).client;
      const secondId = list.find((s: { userAgent: string }) => s.userAgent === 'Navigateur 1').id;
      await stranger.delete(`/api/v1/account/sessions/${secondId}`).expect(404);
      await second.get('/api/v1/auth/me').expect(200);
      await me.delete(`/api/v1/account/sessions/${secondId}`).expect(204);
      await second.get('/api/v1/auth/me').expect(401);

      expect((await me.post('/api/v1/account/sessions/close-others').send({}).expect(200)).body).toEqual({ closed: 1 });
      await third.get('/api/v1/auth/me').expect(401);
      await me.get('/api/v1/auth/me').expect(200);
      expect((await me.get('/api/v1/account/sessions').expect(200)).body).toHaveLength(1);
      await stranger.get('/api/v1/auth/me').expect(200);
      expect(await audit('account.sessions_close_others', a.id)).toEqual([{ changes: { closed: { before: null, after: 1 } } }]);
    });
  });
});
