import type { Agent } from '@grc/domain';
import { ADMIN, DGS, ids, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

const uniq = () => Date.now().toString(36) + Math.floor(Math.random() * 1e4).toString(36);
const PASSWORD = 'un-mot-de-passe-solide';

describe('agents: directory and administration (real PostgreSQL)', () => {
  let ctx: TestContext;
  let admin: Awaited<ReturnType<TestContext['loginAs']>>;
  let d: Awaited<ReturnType<typeof ids>>;
  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
    admin = await ctx.loginAs(ADMIN);
  });
  afterAll(() => ctx.close());

  const fields = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field);
  const auditCount = async () => Number((await ctx.db.query(`SELECT count(*) n FROM audit_events`))[0].n);
  const sessions = async (agentId: string) =>
    Number((await ctx.db.query(`SELECT count(*) n FROM sessions WHERE agent_id = $1`, [agentId]))[0].n);
  const create = async (extra: Record<string, unknown> = {}): Promise<Agent> => {
    const res = await admin.post('/api/v1/agents').send({
      email: `Test.${uniq()}@Saint-Aubin.fr`,
      displayName: 'Agent de test',
      role: 'agent',
      departmentIds: [await d.department('voirie')],
      password: PASSWORD,
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const body = (a: Agent, extra: Record<string, unknown> = {}) => ({
    email: a.email,
    displayName: a.displayName,
    role: a.role,
    locale: a.locale,
    active: a.active,
    departmentIds: a.departmentIds,
    version: a.version,
    ...extra,
  });

  it('lists the directory for every agent, without any password hash', async () => {
    const res = await (await ctx.loginAs(VOIRIE_AGENT)).get('/api/v1/agents');
    expect(res.status).toBe(200);
    const list = res.body as Agent[];
    expect(list.length).toBeGreaterThan(5);
    for (const a of list)
      expect(Object.keys(a).sort()).toEqual(['active', 'departmentIds', 'displayName', 'email', 'id', 'locale', 'role', 'version']);
    expect(list.find((a) => a.email === VOIRIE_AGENT)?.departmentIds).toEqual([await d.department('voirie')]);
    expect(JSON.stringify(res.body)).not.toMatch(/argon2/);
  });

  it('searches the directory for the pickers: department filter, words of name or e-mail without accents, a limit', async () => {
    const voirie = await d.department('voirie');
    const client = await ctx.loginAs(VOIRIE_AGENT);
    const inVoirie = (await client.get('/api/v1/agents').query({ departmentId: voirie }).expect(200)).body as Agent[];
    expect(inVoirie.map((a) => a.email)).toContain(VOIRIE_AGENT);
    expect(inVoirie.every((a) => a.active && a.departmentIds.includes(voirie))).toBe(true);
    // Hélène Marchand (DGS) is found by "helene MARCH", in no department filter
    const found = (await client.get('/api/v1/agents').query({ q: 'helene MARCH' }).expect(200)).body as Agent[];
    expect(found.map((a) => a.email)).toEqual([DGS]);
    expect((await client.get('/api/v1/agents').query({ q: 'helene', departmentId: voirie }).expect(200)).body).toEqual([]);
    // LIKE's metacharacters are literal
    expect((await client.get('/api/v1/agents').query({ q: '%' }).expect(200)).body).toEqual([]);
    const two = (await client.get('/api/v1/agents').query({ limit: 2 }).expect(200)).body as Agent[];
    expect(two).toHaveLength(2);
    // several departments: agents of any of them
    const eclairage = await d.department('eclairage');
    const both = (await client.get(`/api/v1/agents?departmentId=${voirie}&departmentId=${eclairage}`).expect(200)).body as Agent[];
    expect(both.length).toBeGreaterThan(inVoirie.length);
    expect((await client.get(`/api/v1/agents?departmentId=${voirie},${eclairage}`).expect(200)).body).toEqual(both);
    const bad = await client.get('/api/v1/agents').query({ departmentId: 'voirie', limit: 0 });
    expect(bad.status).toBe(400);
    expect(fields(bad.body).sort()).toEqual(['departmentId', 'limit']);
  });

  it('creates an agent: e-mail lower-cased, password hashed (argon2id), audited without the password', async () => {
    const a = await create();
    expect(a.email).toBe(a.email.toLowerCase());
    expect(a).toMatchObject({ role: 'agent', locale: 'fr', active: true, version: 1 });
    const [row] = await ctx.db.query(`SELECT password_hash FROM agents WHERE id = $1`, [a.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const [audit] = await ctx.db.query(`SELECT action, changes FROM audit_events WHERE entity_type = 'agent' AND entity_id = $1`, [a.id]);
    expect(audit.action).toBe('agent.create');
    expect(audit.changes.password).toEqual({ before: null, after: '***' });
    expect(JSON.stringify(audit.changes)).not.toContain(PASSWORD);
    expect(JSON.stringify(audit.changes)).not.toContain('argon2');
    await ctx.loginAs(a.email, PASSWORD);
  });

  it('refuses bad input with the field at fault, writing nothing', async () => {
    const before = await auditCount();
    const voirie = await d.department('voirie');
    const short = await admin
      .post('/api/v1/agents')
      .send({ email: `x${uniq()}@saint-aubin.fr`, displayName: 'X', role: 'agent', departmentIds: [voirie], password: 'court' });
    expect(short.status).toBe(400);
    expect(fields(short.body)).toEqual(['password']);
    const noDept = await admin
      .post('/api/v1/agents')
      .send({ email: `x${uniq()}@saint-aubin.fr`, displayName: 'X', role: 'head', departmentIds: [], password: PASSWORD });
    expect(noDept.status).toBe(400);
    expect(fields(noDept.body)).toEqual(['departmentIds']);
    const unknownDept = await admin.post('/api/v1/agents').send({
      email: `x${uniq()}@saint-aubin.fr`,
      displayName: 'X',
      role: 'agent',
      departmentIds: [voirie, '00000000-0000-4000-8000-000000000000'],
      password: PASSWORD,
    });
    expect(unknownDept.status).toBe(400);
    expect(fields(unknownDept.body)).toEqual(['departmentIds.1']);
    const extra = await admin
      .post('/api/v1/agents')
      .send({ email: 'pas-un-email', displayName: 'X', role: 'chef', departmentIds: [voirie], password: PASSWORD, passwordHash: 'x' });
    expect(extra.status).toBe(400);
    expect(fields(extra.body)).toEqual(expect.arrayContaining(['email', 'role', 'passwordHash']));
    expect(await auditCount()).toBe(before);
  });

  it('lets an admin have no department', async () => {
    const a = await create({ role: 'admin', departmentIds: [] });
    expect(a.departmentIds).toEqual([]);
  });

  it('answers 409 on an e-mail already used (any case) and on a stale version', async () => {
    const dup = await admin.post('/api/v1/agents').send({
      email: VOIRIE_AGENT.toUpperCase(),
      displayName: 'X',
      role: 'agent',
      departmentIds: [await d.department('voirie')],
      password: PASSWORD,
    });
    expect(dup.status).toBe(409);
    expect(fields(dup.body)).toEqual(['email']);

    const a = await create();
    expect((await admin.put(`/api/v1/agents/${a.id}`).send(body(a, { displayName: 'Renommé' }))).status).toBe(200);
    const stale = await admin.put(`/api/v1/agents/${a.id}`).send(body(a, { displayName: 'Encore' }));
    expect(stale.status).toBe(409);
    expect(fields(stale.body)).toEqual(['version']);
    const taken = await admin.put(`/api/v1/agents/${a.id}`).send(body(a, { email: VOIRIE_AGENT, version: 2 }));
    expect(taken.status).toBe(409);
    expect(fields(taken.body)).toEqual(['email']);
  });

  it('changes departments and role, auditing the diff', async () => {
    const a = await create();
    const eclairage = await d.department('eclairage');
    const res = await admin.put(`/api/v1/agents/${a.id}`).send(body(a, { role: 'head', departmentIds: [eclairage], locale: 'en' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'head', departmentIds: [eclairage], locale: 'en', version: 2 });
    const [audit] = await ctx.db.query(`SELECT changes FROM audit_events WHERE action = 'agent.update' AND entity_id = $1`, [a.id]);
    expect(audit.changes).toEqual({
      role: { before: 'agent', after: 'head' },
      locale: { before: 'fr', after: 'en' },
      departmentIds: { before: a.departmentIds, after: [eclairage] },
    });
  });

  it('a password change closes the agent’s sessions and is audited as ***', async () => {
    const a = await create();
    const session = await ctx.loginAs(a.email, PASSWORD);
    expect((await session.get('/api/v1/auth/me')).status).toBe(200);
    const res = await admin.put(`/api/v1/agents/${a.id}`).send(body(a, { password: 'un-autre-mot-de-passe' }));
    expect(res.status).toBe(200);
    expect(res.body.passwordHash).toBeUndefined();
    expect(await sessions(a.id)).toBe(0);
    expect((await session.get('/api/v1/auth/me')).status).toBe(401);
    await expect(ctx.loginAs(a.email, PASSWORD)).rejects.toThrow(/401/);
    await ctx.loginAs(a.email, 'un-autre-mot-de-passe');
    const [audit] = await ctx.db.query(`SELECT changes FROM audit_events WHERE action = 'agent.update' AND entity_id = $1`, [a.id]);
    expect(audit.changes).toEqual({ password: { before: '***', after: '***' } });
  });

  it('deactivating an agent closes its sessions and refuses its logins', async () => {
    const a = await create();
    const session = await ctx.loginAs(a.email, PASSWORD);
    const res = await admin.put(`/api/v1/agents/${a.id}`).send(body(a, { active: false }));
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect(await sessions(a.id)).toBe(0);
    expect((await session.get('/api/v1/auth/me')).status).toBe(401);
    await expect(ctx.loginAs(a.email, PASSWORD)).rejects.toThrow(/401/);
  });

  it('refuses agent administration to agents and heads (403)', async () => {
    const a = await create();
    for (const email of [VOIRIE_AGENT, await d.emailOf('voirie', 'head')]) {
      const client = await ctx.loginAs(email);
      expect(
        (
          await client.post('/api/v1/agents').send({
            email: `x${uniq()}@saint-aubin.fr`,
            displayName: 'X',
            role: 'agent',
            departmentIds: [await d.department('voirie')],
            password: PASSWORD,
          })
        ).status,
      ).toBe(403);
      expect((await client.put(`/api/v1/agents/${a.id}`).send(body(a, { role: 'admin' }))).status).toBe(403);
    }
  });
});
