import type { Category, Department, RoutingRule } from '@grc/domain';
import { RoutingService } from '../src/modules/reference/routing.service';
import { ADMIN, ids, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

type Client = Awaited<ReturnType<TestContext['loginAs']>>;
const uniq = () => Date.now().toString(36) + Math.floor(Math.random() * 1e4).toString(36);

describe('reference data: departments, categories, routing rules (real PostgreSQL)', () => {
  let ctx: TestContext;
  let admin: Client;
  let d: Awaited<ReturnType<typeof ids>>;
  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
    admin = await ctx.loginAs(ADMIN);
  });
  afterAll(() => ctx.close());

  const audits = async (
    entityType: string,
    entityId?: string,
  ): Promise<Array<{ action: string; changes: Record<string, { before: unknown; after: unknown }> }>> =>
    ctx.db.query(`SELECT action, changes FROM audit_events WHERE entity_type = $1 AND ($2::text IS NULL OR entity_id = $2) ORDER BY id`, [
      entityType,
      entityId ?? null,
    ]);
  const auditCount = async () => Number((await ctx.db.query(`SELECT count(*) n FROM audit_events`))[0].n);
  const fields = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field);

  const newDepartment = async (extra: Partial<Department> = {}): Promise<Department> => {
    const res = await admin
      .post('/api/v1/departments')
      .send({ code: `test-${uniq()}`, name: 'Service de test', kind: 'service', parentId: await d.department('dst'), ...extra });
    expect(res.status).toBe(201);
    return res.body;
  };

  describe('departments', () => {
    it('lists them for every agent', async () => {
      const res = await (await ctx.loginAs(VOIRIE_AGENT)).get('/api/v1/departments');
      expect(res.status).toBe(200);
      const voirie = (res.body as Department[]).find((x) => x.code === 'voirie');
      expect(voirie).toMatchObject({ kind: 'service', parentId: await d.department('dst'), active: true, version: expect.any(Number) });
    });

    it('creates and updates one, auditing each change with its diff', async () => {
      const created = await newDepartment({ email: 'Test@Saint-Aubin.FR' });
      expect(created).toMatchObject({ kind: 'service', email: 'test@saint-aubin.fr', active: true, version: 1 });
      expect(await audits('department', created.id)).toEqual([
        expect.objectContaining({
          action: 'department.create',
          changes: expect.objectContaining({ code: { before: null, after: created.code } }),
        }),
      ]);
      const res = await admin
        .put(`/api/v1/departments/${created.id}`)
        .send({ code: created.code, name: 'Service renommé', kind: 'service', version: 1 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Service renommé', parentId: created.parentId, email: 'test@saint-aubin.fr', version: 2 });
      const trail = await audits('department', created.id);
      expect(trail[1]).toEqual({ action: 'department.update', changes: { name: { before: 'Service de test', after: 'Service renommé' } } });
    });

    it('refuses unknown fields and bad values with the fields at fault, writing nothing', async () => {
      const before = await auditCount();
      const res = await admin.post('/api/v1/departments').send({ code: 'Pas Un Code', name: '', kind: 'bureau', colour: 'red' });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(fields(res.body)).toEqual(expect.arrayContaining(['code', 'name', 'kind', 'colour']));
      expect(await auditCount()).toBe(before);
    });

    it('answers 409 on a code already taken (field code), without an audit row', async () => {
      const before = await auditCount();
      const res = await admin.post('/api/v1/departments').send({ code: 'voirie', name: 'Doublon', kind: 'service' });
      expect(res.status).toBe(409);
      expect(fields(res.body)).toEqual(['code']);
      expect(await auditCount()).toBe(before);
    });

    it('refuses an unknown parent, a direction under a service and a cycle (field parentId)', async () => {
      const unknown = await admin
        .post('/api/v1/departments')
        .send({ code: `test-${uniq()}`, name: 'X', kind: 'service', parentId: '00000000-0000-4000-8000-000000000000' });
      expect(unknown.status).toBe(400);
      expect(fields(unknown.body)).toEqual(['parentId']);

      const underService = await admin
        .post('/api/v1/departments')
        .send({ code: `test-${uniq()}`, name: 'X', kind: 'direction', parentId: await d.department('voirie') });
      expect(underService.status).toBe(400);
      expect(fields(underService.body)).toEqual(['parentId']);

      const top = await newDepartment({ kind: 'direction', parentId: null });
      const middle = await newDepartment({ kind: 'direction', parentId: top.id });
      const before = await auditCount();
      const cycle = await admin
        .put(`/api/v1/departments/${top.id}`)
        .send({ code: top.code, name: top.name, kind: 'direction', parentId: middle.id, version: top.version });
      expect(cycle.status).toBe(400);
      expect(cycle.body.errors).toEqual([expect.objectContaining({ field: 'parentId', code: 'department.parent_cycle' })]);
      const self = await admin
        .put(`/api/v1/departments/${top.id}`)
        .send({ code: top.code, name: top.name, kind: 'direction', parentId: top.id, version: top.version });
      expect(self.status).toBe(400);
      // a direction that contains a direction cannot become a service
      const kind = await admin
        .put(`/api/v1/departments/${top.id}`)
        .send({ code: top.code, name: top.name, kind: 'service', version: top.version });
      expect(kind.status).toBe(400);
      expect(fields(kind.body)).toEqual(['kind']);
      expect(await auditCount()).toBe(before);
    });

    it('answers 409 on a stale version', async () => {
      const dep = await newDepartment();
      expect(
        (await admin.put(`/api/v1/departments/${dep.id}`).send({ code: dep.code, name: 'Un', kind: 'service', version: 1 })).status,
      ).toBe(200);
      const stale = await admin.put(`/api/v1/departments/${dep.id}`).send({ code: dep.code, name: 'Deux', kind: 'service', version: 1 });
      expect(stale.status).toBe(409);
      expect(fields(stale.body)).toEqual(['version']);
      expect((await audits('department', dep.id)).map((a) => a.action)).toEqual(['department.create', 'department.update']);
    });

    it("sets the front-desk flag, audited; the department's members then search the whole citizen directory", async () => {
      // a person known to no department: only the directory reaches them
      const email = `guichet-${uniq()}@example.org`;
      const stranger = (
        await admin
          .post('/api/v1/citizens')
          .send({
            kind: 'resident',
            firstName: 'Inès',
            lastName: 'Sans-Dossier',
            organisationName: null,
            contactPerson: null,
            email,
            phone: null,
            address: null,
            postcode: null,
            city: null,
            preferredChannel: 'email',
          })
          .expect(201)
      ).body as { id: string };
      const search = async () => {
        const agent = await ctx.loginAs(VOIRIE_AGENT); // a fresh session: the flag is read when the session is resolved
        const me = (await agent.get('/api/v1/auth/me').expect(200)).body as { permissions: string[] };
        const found = (await agent.get('/api/v1/citizens').query({ q: email }).expect(200)).body as Array<{ id: string }>;
        return { directory: me.permissions.includes('citizens.directory'), found: found.map((c) => c.id) };
      };
      expect(await search()).toEqual({ directory: false, found: [] });

      const voirieId = await d.department('voirie');
      const voirie = ((await admin.get('/api/v1/departments').expect(200)).body as Department[]).find((x) => x.id === voirieId)!;
      expect(voirie.frontDesk).toBe(false);
      const put = (frontDesk: boolean, version: number) =>
        admin.put(`/api/v1/departments/${voirieId}`).send({
          code: voirie.code,
          name: voirie.name,
          kind: voirie.kind,
          frontDesk,
          version,
        });
      const on = await put(true, voirie.version);
      expect([on.status, on.body.frontDesk, on.body.version]).toEqual([200, true, voirie.version + 1]);
      expect((await audits('department', voirieId)).at(-1)).toEqual({
        action: 'department.update',
        changes: { frontDesk: { before: false, after: true } },
      });
      expect(await search()).toEqual({ directory: true, found: [stranger.id] });

      const off = await put(false, voirie.version + 1);
      expect([off.status, off.body.frontDesk]).toEqual([200, false]);
      expect(await search()).toEqual({ directory: false, found: [] });
    });

    it('creates a front-desk department when asked, and refuses a flag that is not a boolean', async () => {
      expect((await newDepartment()).frontDesk).toBe(false);
      expect((await newDepartment({ frontDesk: true })).frontDesk).toBe(true);
      const res = await admin
        .post('/api/v1/departments')
        .send({ code: `test-${uniq()}`, name: 'Guichet', kind: 'service', frontDesk: 'oui' });
      expect([res.status, fields(res.body)]).toEqual([400, ['frontDesk']]);
    });

    it('answers 404 for an unknown id', async () => {
      const res = await admin
        .put('/api/v1/departments/00000000-0000-4000-8000-000000000000')
        .send({ code: 'x', name: 'x', kind: 'service', version: 1 });
      expect(res.status).toBe(404);
      expect((await admin.put('/api/v1/departments/not-a-uuid').send({ code: 'x', name: 'x', kind: 'service', version: 1 })).status).toBe(
        404,
      );
    });
  });

  describe('categories', () => {
    it('creates and updates one; the default department must exist; codes are unique; versions are checked', async () => {
      const code = `test-${uniq()}`;
      const voirie = await d.department('voirie');
      const missing = await admin
        .post('/api/v1/categories')
        .send({ code, nameFr: 'Test', nameEn: 'Test', defaultDepartmentId: '00000000-0000-4000-8000-000000000000' });
      expect(missing.status).toBe(400);
      expect(fields(missing.body)).toEqual(['defaultDepartmentId']);

      const res = await admin.post('/api/v1/categories').send({ code, nameFr: 'Essai', nameEn: 'Trial', defaultDepartmentId: voirie });
      expect(res.status).toBe(201);
      const cat = res.body as Category;
      expect(cat).toMatchObject({ code, active: true, version: 1, defaultDepartmentId: voirie });

      const dup = await admin.post('/api/v1/categories').send({ code, nameFr: 'Essai', nameEn: 'Trial', defaultDepartmentId: voirie });
      expect(dup.status).toBe(409);
      expect(fields(dup.body)).toEqual(['code']);

      const upd = await admin
        .put(`/api/v1/categories/${cat.id}`)
        .send({ code, nameFr: 'Essai', nameEn: 'Trial', defaultDepartmentId: await d.department('proprete'), active: false, version: 1 });
      expect(upd.status).toBe(200);
      expect(upd.body).toMatchObject({ active: false, version: 2 });
      const stale = await admin
        .put(`/api/v1/categories/${cat.id}`)
        .send({ code, nameFr: 'X', nameEn: 'X', defaultDepartmentId: voirie, version: 1 });
      expect(stale.status).toBe(409);
      expect((await audits('category', cat.id)).map((a) => a.action)).toEqual(['category.create', 'category.update']);

      const list = await (await ctx.loginAs(VOIRIE_AGENT)).get('/api/v1/categories');
      expect(list.status).toBe(200);
      expect((list.body as Category[]).some((c) => c.id === cat.id)).toBe(true);
    });
  });

  describe('routing rules', () => {
    const square: Array<[number, number]> = [
      [0.7, 47.39],
      [0.71, 47.39],
      [0.71, 47.4],
      [0.7, 47.4],
    ];

    it('validates the polygon point by point (≥3 points, lng/lat in range), writing nothing', async () => {
      const base = { categoryId: await d.category('nid-de-poule'), departmentId: await d.department('voirie'), areaName: 'Zone' };
      const before = await auditCount();
      const two = await admin.post('/api/v1/routing-rules').send({
        ...base,
        area: [
          [0.7, 47.3],
          [0.8, 47.4],
        ],
      });
      expect(two.status).toBe(400);
      expect(fields(two.body)).toEqual(['area']);
      const range = await admin.post('/api/v1/routing-rules').send({
        ...base,
        area: [
          [0.7, 47.3],
          [190, 47.4],
          [0.8, 95],
        ],
      });
      expect(range.status).toBe(400);
      expect(fields(range.body)).toEqual(['area[1]', 'area[2]']);
      const junk = await admin.post('/api/v1/routing-rules').send({ ...base, area: 'nord' });
      expect(junk.status).toBe(400);
      const unnamed = await admin.post('/api/v1/routing-rules').send({ ...base, areaName: null, area: square });
      expect(unnamed.status).toBe(400);
      expect(fields(unnamed.body)).toEqual(['areaName']);
      const unknownCategory = await admin
        .post('/api/v1/routing-rules')
        .send({ ...base, categoryId: '00000000-0000-4000-8000-000000000000', area: square });
      expect(unknownCategory.status).toBe(400);
      expect(fields(unknownCategory.body)).toEqual(['categoryId']);
      expect(await auditCount()).toBe(before);
    });

    it('creates, routes with it, updates and deletes a rule', async () => {
      const voirie = await d.department('voirie');
      const eclairage = await d.department('eclairage');
      const cat = (
        await admin
          .post('/api/v1/categories')
          .send({ code: `test-${uniq()}`, nameFr: 'Routage', nameEn: 'Routing', defaultDepartmentId: voirie })
      ).body as Category;
      const created = await admin
        .post('/api/v1/routing-rules')
        .send({ categoryId: cat.id, departmentId: eclairage, areaName: 'Carré', area: [...square, square[0]] });
      expect(created.status).toBe(201);
      const rule = created.body as RoutingRule;
      expect(rule).toMatchObject({ area: square, areaName: 'Carré', position: 0, version: 1 }); // closing point dropped

      const routing = ctx.app.get(RoutingService);
      expect(await routing.route(ctx.db.manager, cat.id, { lng: 0.705, lat: 47.395 })).toBe(eclairage);
      expect(await routing.route(ctx.db.manager, cat.id, { lng: 0.8, lat: 47.395 })).toBe(voirie);
      expect(await routing.route(ctx.db.manager, cat.id)).toBe(voirie);

      const second = (await admin.post('/api/v1/routing-rules').send({ categoryId: cat.id, departmentId: voirie })).body as RoutingRule;
      expect(second.position).toBe(10); // after the category's last rule
      expect(await routing.route(ctx.db.manager, cat.id, { lng: 0.8, lat: 47.395 })).toBe(voirie);

      const moved = await admin
        .put(`/api/v1/routing-rules/${rule.id}`)
        .send({ categoryId: cat.id, departmentId: eclairage, position: 20, version: 1 });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ position: 20, area: square, version: 2 });
      // the rule without area now runs first
      expect(await routing.route(ctx.db.manager, cat.id, { lng: 0.705, lat: 47.395 })).toBe(voirie);

      const listed = await (await ctx.loginAs(VOIRIE_AGENT)).get('/api/v1/routing-rules');
      expect((listed.body as RoutingRule[]).filter((r) => r.categoryId === cat.id).map((r) => r.id)).toEqual([second.id, rule.id]);

      expect((await admin.delete(`/api/v1/routing-rules/${rule.id}?version=1`)).status).toBe(409);
      expect((await admin.delete(`/api/v1/routing-rules/${rule.id}?version=2`)).status).toBe(204);
      expect((await admin.delete(`/api/v1/routing-rules/${rule.id}`)).status).toBe(404);
      expect((await audits('routing_rule', rule.id)).map((a) => a.action)).toEqual([
        'routing_rule.create',
        'routing_rule.update',
        'routing_rule.delete',
      ]);
    });

    it('routes to the category default and refuses an unknown category', async () => {
      const routing = ctx.app.get(RoutingService);
      expect(await routing.route(ctx.db.manager, await d.category('nid-de-poule'))).toBe(await d.department('voirie'));
      await expect(routing.route(ctx.db.manager, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 400 });
    });
  });

  describe('permissions', () => {
    it('refuses admin writes to agents and heads (403), and anonymous reads (401)', async () => {
      const head = await ctx.loginAs(await d.emailOf('voirie', 'head'));
      const agent = await ctx.loginAs(VOIRIE_AGENT);
      const dst = await d.department('dst');
      for (const client of [agent, head]) {
        expect(
          (await client.post('/api/v1/departments').send({ code: `test-${uniq()}`, name: 'X', kind: 'service', parentId: dst })).status,
        ).toBe(403);
        expect(
          (await client.put(`/api/v1/departments/${dst}`).send({ code: 'dst', name: 'X', kind: 'direction', version: 1 })).status,
        ).toBe(403);
        expect(
          (await client.post('/api/v1/categories').send({ code: `test-${uniq()}`, nameFr: 'X', nameEn: 'X', defaultDepartmentId: dst }))
            .status,
        ).toBe(403);
        expect(
          (await client.post('/api/v1/routing-rules').send({ categoryId: await d.category('nid-de-poule'), departmentId: dst })).status,
        ).toBe(403);
        expect((await client.get('/api/v1/routing-rules')).status).toBe(200);
      }
      expect((await ctx.http.get('/api/v1/departments')).status).toBe(401);
    });
  });
});
