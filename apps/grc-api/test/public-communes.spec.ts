import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { PublicForm, PublicRequestCreated } from '@grc/domain';
import { createDataSource } from '../src/database/data-source';
import { loadTownPackFromFolder } from '../src/modules/packs/pack-loader';
import { startTestApp, type TestContext } from './support/test-app';

const PACKS = join(__dirname, '../../../packs');

/**
 * Public pages per commune (issue 15): `/c/<code>/…` or the commune's own host (communes.public_host) serve
 * that commune's public form, tracking page and baromètre; anything else the default commune's, as before.
 */
describe('public pages per commune', () => {
  let owner: DataSource;
  let ctx: TestContext;

  beforeAll(async () => {
    owner = await createDataSource(process.env['DATABASE_URL']!).initialize();
    for (const folder of ['grand-aubin', 'val-fleuri'])
      await loadTownPackFromFolder(owner, join(PACKS, 'demo-metropole', folder), { onlyIfEmpty: true, now: new Date() });
    await owner.query(`UPDATE communes SET public_host = 'grc.val-fleuri.test' WHERE code = 'val-fleuri'`);
    ctx = await startTestApp();
  });
  afterAll(async () => {
    await ctx?.close();
    await owner?.destroy();
  });

  const codes = (form: PublicForm) => form.categories.map((c) => c.id).sort();

  it('serves a commune’s form under /c/<code>, by its host, and the default commune’s otherwise', async () => {
    const byPath: PublicForm = (await ctx.http.get('/c/val-fleuri/api/v1/public/form').expect(200)).body;
    expect(byPath.town.name).toBe('Commune de Val-Fleuri');
    expect(byPath.categories).toHaveLength(3);
    const byHost: PublicForm = (await ctx.http.get('/api/v1/public/form').set('Host', 'grc.val-fleuri.test:3000').expect(200)).body;
    expect(byHost).toEqual(byPath);
    const root: PublicForm = (await ctx.http.get('/api/v1/public/form').expect(200)).body;
    expect(root.town.name).toBe('Ville de Saint-Aubin-sur-Loire');
    expect(codes(root)).not.toEqual(codes(byPath));
    // the métropole's own form: its category
    const metropole: PublicForm = (await ctx.http.get('/c/grand-aubin/api/v1/public/form').expect(200)).body;
    expect(metropole.categories.map((c) => c.code)).toEqual(['collecte-bacs']);
    // Open311 too: the prefix is the commune's jurisdiction
    const services = (await ctx.http.get('/c/val-fleuri/open311/v2/services.json').expect(200)).body as Array<{ service_code: string }>;
    expect(services.map((x) => x.service_code).sort()).toEqual(['autre', 'encombrants', 'nid-de-poule']);
    // a code of no commune: 404, nothing served
    const unknown = await ctx.http.get('/c/nulle-part/api/v1/public/form').expect(404);
    expect(unknown.body).toMatchObject({ code: 'commune_not_found' });
  });

  it('files a request made on a commune’s form in that commune, routed to the métropole’s shared service, tracked there only', async () => {
    const form: PublicForm = (await ctx.http.get('/c/val-fleuri/api/v1/public/form').expect(200)).body;
    const [{ id: encombrants }] = await owner.query(
      `SELECT k.id FROM categories k JOIN communes c ON c.id = k.commune_id WHERE c.code = 'val-fleuri' AND k.code = 'encombrants'`,
    );
    expect(form.categories.map((c) => c.id)).toContain(encombrants);
    const fields = {
      categoryId: encombrants,
      description: 'Un canapé abandonné devant le 3 rue des Roses',
      address: '3 rue des Roses',
      firstName: 'Claire',
      lastName: 'Fleury',
      email: 'claire.fleury@example.org',
      consent: 'true',
    };
    let req = ctx.http.post('/c/val-fleuri/api/v1/public/requests').set('X-Requested-With', 'grc');
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    const res = await req;
    expect(res.status).toBe(201);
    const created: PublicRequestCreated = res.body;
    expect(created.trackingPath).toBe(`/c/val-fleuri/suivi?ref=${created.reference}&k=${created.key}`);
    expect(created.reference).toMatch(/^VF-/);
    const [ticket] = await owner.query(
      `SELECT c.code AS commune, d.code AS department, m.code AS owner FROM tickets t JOIN communes c ON c.id = t.commune_id
       JOIN departments d ON d.id = t.department_id JOIN communes m ON m.id = d.commune_id WHERE t.reference = $1`,
      [created.reference],
    );
    expect(ticket).toEqual({ commune: 'val-fleuri', department: 'collecte', owner: 'grand-aubin' });
    // the tracking page: the commune's path opens it; the default commune's does not know it
    const path = `/api/v1/public/requests/${encodeURIComponent(created.reference)}`;
    await ctx.http.get(`/c/val-fleuri${path}`).query({ k: created.key }).expect(200);
    await ctx.http.get(path).query({ k: created.key }).expect(404);
    await ctx.http.get(path).set('Host', 'grc.val-fleuri.test').query({ k: created.key }).expect(200);
    // made on the commune's own host: the link stays on it
    let onHost = ctx.http.post('/api/v1/public/requests').set('Host', 'grc.val-fleuri.test').set('X-Requested-With', 'grc');
    for (const [k, v] of Object.entries(fields)) onHost = onHost.field(k, v);
    const second: PublicRequestCreated = (await onHost.expect(201)).body;
    expect(second.trackingPath).toBe(`/suivi?ref=${second.reference}&k=${second.key}`);
    expect(second.trackingUrl).toMatch(/^http:\/\/grc\.val-fleuri\.test\/suivi\?/);
  });

  it('serves each commune’s baromètre', async () => {
    // Val-Fleuri's published file (the worker writes one per commune; here by hand, as the owner)
    const [{ id: vf }] = await owner.query(`SELECT id FROM communes WHERE code = 'val-fleuri'`);
    const content = JSON.stringify({
      town: 'Commune de Val-Fleuri',
      licence: { title: 'LO', path: '/' },
      generatedAt: null,
      threshold: 5,
      months: [],
    });
    await owner.query(
      `INSERT INTO open_data_files (name, media_type, content, sha256, commune_id) VALUES ('barometre.json', 'application/json', convert_to($1, 'UTF8'), repeat('0', 64), $2)`,
      [content, vf],
    );
    const mine = (await ctx.http.get('/c/val-fleuri/api/v1/public/barometer').expect(200)).body as { town: string };
    expect(mine.town).toBe('Commune de Val-Fleuri');
    const root = (await ctx.http.get('/api/v1/public/barometer').expect(200)).body as { town: string };
    expect(root.town).not.toBe('Commune de Val-Fleuri');
  });
});
