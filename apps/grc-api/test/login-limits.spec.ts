import type Redis from 'ioredis';
import { hashPassword } from '../src/modules/auth/auth.service';
import { REDIS } from '../src/infrastructure/redis.module';
import { DEMO_PASSWORD, startTestApp, type TestContext } from './support/test-app';

const TOWN_HALL_IP = '203.0.113.10';
const AGENTS = 100;

/**
 * A town hall behind one address (its proxy or NAT): everyone signs in at 8:30. Only failures count, per
 * account (doubling locks, with a notice) and per address; the limits hold when Redis is gone.
 */
describe('login limits that fit a town hall', () => {
  let ctx: TestContext;
  const run = Date.now().toString(36);
  const emails = Array.from({ length: AGENTS }, (_, i) => `agent-${run}-${i}@saint-aubin.fr`);
  // every request comes through the town's reverse proxy (loopback, trusted by default) for the same client address
  const login = (email: string, password: string, ip = TOWN_HALL_IP) =>
    ctx.http.post('/api/v1/auth/login').set('X-Requested-With', 'grc').set('X-Forwarded-For', ip).send({ email, password });

  beforeAll(async () => {
    ctx = await startTestApp({
      GRC_QUEUE_PREFIX: `grc-login-${run}`,
      // the defaults, not the test harness's generous ones (the former GRC_LOGIN_RATE_LIMIT too)
      GRC_LOGIN_ACCOUNT_FAILURES: '',
      GRC_LOGIN_IP_FAILURES: '',
      GRC_LOGIN_RATE_LIMIT: '',
    });
    const hash = await hashPassword(DEMO_PASSWORD);
    await ctx.db.query(
      `INSERT INTO agents (email, display_name, password_hash, role) SELECT e, 'Agent ' || e, $2, 'agent' FROM unnest($1::text[]) e`,
      [emails, hash],
    );
  });
  afterAll(async () => {
    await ctx.db.query(`DELETE FROM sessions WHERE agent_id IN (SELECT id FROM agents WHERE email = ANY($1))`, [emails]);
    await ctx.close();
  });

  it('lets 100 agents sign in from one address at 8:30', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < AGENTS; i += 10) {
      const batch = await Promise.all(emails.slice(i, i + 10).map((e) => login(e, DEMO_PASSWORD)));
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses).toEqual(Array(AGENTS).fill(200));
  });

  it('locks one account after 5 wrong passwords, with a notice and Retry-After; the others still sign in', async () => {
    const target = emails[0]!;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(target, `wrong-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const sixth = await login(target, 'wrong-6');
    expect(sixth.status).toBe(429);
    expect(sixth.headers['content-type']).toContain('application/problem+json');
    expect(sixth.headers['retry-after']).toBe('60');
    expect(sixth.body.errors).toEqual([
      { field: 'email', code: 'auth.locked', message: expect.stringContaining('verrouillé pendant 1 minute(s)') },
    ]);
    // the right password does not open a locked account either
    const right = await login(target, DEMO_PASSWORD);
    expect(right.status).toBe(429);
    expect(right.body.errors[0].code).toBe('auth.locked');
    // the same address is not punished for one account's failures: colleagues sign in
    expect((await login(emails[1]!, DEMO_PASSWORD)).status).toBe(200);
  });

  it('still limits with Redis unreachable (in-memory insurance, never fail open)', async () => {
    const redis = ctx.app.get<Redis>(REDIS);
    const ended = new Promise((resolve) => redis.once('end', resolve));
    redis.disconnect();
    await ended;
    expect(redis.status).toBe('end');
    const target = emails[2]!;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(target, `wrong-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // and successes still do not count
    expect((await login(emails[3]!, DEMO_PASSWORD)).status).toBe(200);
  });
});
