import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Category, PublicForm, PublicRequestCreated, TicketDetail } from '@grc/domain';
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
    // its own three, and the métropole's shared service's (its default department is the shared collecte)
    expect(byPath.categories.map((c) => c.code).sort()).toEqual(['autre', 'collecte-bacs', 'encombrants', 'nid-de-poule']);
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
    expect(services.map((x) => x.service_code).sort()).toEqual(['autre', 'collecte-bacs', 'encombrants', 'nid-de-poule']);
    // the métropole's Open311 and form: its own category, never a commune's (not Val-Fleuri's encombrants, sent to its
    // shared service, which a métropole's session reads to name those requests)
    const metropoleServices = (await ctx.http.get('/open311/v2/services.json').query({ jurisdiction_id: 'grand-aubin' }).expect(200))
      .body as Array<{ service_code: string }>;
    expect(metropoleServices.map((x) => x.service_code)).toEqual(['collecte-bacs']);
    // Saint-Aubin, a member too: its own and the métropole's shared one, none of Val-Fleuri's
    const sa = (await ctx.http.get('/open311/v2/services.json').query({ jurisdiction_id: 'saint-aubin' }).expect(200)).body as Array<{
      service_code: string;
    }>;
    const saOwn: Array<{ code: string }> = await owner.query(
      `SELECT k.code FROM categories k JOIN communes c ON c.id = k.commune_id WHERE c.code = 'saint-aubin' AND k.active`,
    );
    expect(sa.map((x) => x.service_code).sort()).toEqual([...saOwn.map((r) => r.code), 'collecte-bacs'].sort());
    // a code of no commune: 404, nothing served
    const unknown = await ctx.http.get('/c/nulle-part/api/v1/public/form').expect(404);
    expect(unknown.body).toMatchObject({ code: 'commune_not_found' });
  });

  it('offers the agents of a commune its categories and the métropole’s shared ones, and the métropole’s its own only', async () => {
    const vf = await ctx.loginAs('admin@val-fleuri.fr');
    const vfCategories: Category[] = (await vf.get('/api/v1/categories').expect(200)).body;
    expect(vfCategories.map((c) => [c.code, c.origin ?? 'own']).sort()).toEqual([
      ['autre', 'own'],
      ['collecte-bacs', 'metropole'],
      ['encombrants', 'own'],
      ['nid-de-poule', 'own'],
    ]);
    const collecteBacs = vfCategories.find((c) => c.code === 'collecte-bacs')!;
    // a Val-Fleuri agent files a request in it: Val-Fleuri's, in the shared service; the métropole's admin cannot
    // change it from Val-Fleuri
    const created: TicketDetail = (
      await vf
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: collecteBacs.id,
          subject: 'Bac cassé',
          description: 'Le bac jaune est fendu.',
          newCitizen: { kind: 'resident', firstName: 'Léna', lastName: 'Rosier', phone: '0601020304' },
        })
        .expect(201)
    ).body;
    const [row] = await owner.query(
      `SELECT c.code AS commune, d.code AS department FROM tickets t JOIN communes c ON c.id = t.commune_id JOIN departments d ON d.id = t.department_id WHERE t.id = $1`,
      [created.id],
    );
    expect(row).toEqual({ commune: 'val-fleuri', department: 'collecte' });
    expect(
      (await vf.put(`/api/v1/categories/${collecteBacs.id}`).send({ ...collecteBacs, nameFr: 'Repris' })).status,
    ).toBeGreaterThanOrEqual(400);
    // the métropole's agents read the communes' shared categories (to name their requests), file in none of them
    const m = await ctx.loginAs('collecte@grand-aubin.fr');
    const mCategories: Category[] = (await m.get('/api/v1/categories').expect(200)).body;
    const encombrants = mCategories.find((c) => c.code === 'encombrants')!;
    expect(encombrants.origin).toBe('commune');
    expect(mCategories.find((c) => c.code === 'collecte-bacs')?.origin).toBeUndefined();
    const res = await m.post('/api/v1/tickets').send({
      channel: 'phone',
      categoryId: encombrants.id,
      subject: 'Canapé',
      description: 'Un canapé sur le trottoir.',
      newCitizen: { kind: 'resident', firstName: 'Omar', lastName: 'Kone', phone: '0601020305' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.field).toBe('categoryId');
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
