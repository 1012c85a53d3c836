import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { CommuneView, PublicForm, PublicTown } from '@grc/domain';
import { createDataSource } from '../src/database/data-source';
import { loadTownPackFromFolder } from '../src/modules/packs/pack-loader';
import { startTestApp, type TestContext } from './support/test-app';

const PACKS = join(__dirname, '../../../packs');
const TEXTS = { formIntro: '', trackingIntro: '', footer: '' };

/**
 * Administration › Communes (issue 15): a métropole's administrators list its communes, create a member, rename
 * one, give it a host and public texts; validated field by field, audited in the commune concerned; nobody else.
 */
describe('communes of a métropole (API)', () => {
  let owner: DataSource;
  let ctx: TestContext;

  beforeAll(async () => {
    owner = await createDataSource(process.env['DATABASE_URL']!).initialize();
    for (const folder of ['grand-aubin', 'val-fleuri'])
      await loadTownPackFromFolder(owner, join(PACKS, 'demo-metropole', folder), { onlyIfEmpty: true, now: new Date() });
    ctx = await startTestApp();
  });
  afterAll(async () => {
    await ctx?.close();
    await owner?.destroy();
  });

  it('lists the métropole and its communes to its administrator, and to nobody else', async () => {
    const admin = await ctx.loginAs('admin@grand-aubin.fr');
    const list: CommuneView[] = (await admin.get('/api/v1/communes').expect(200)).body;
    expect(list.map((c) => [c.code, c.kind])).toEqual([
      ['grand-aubin', 'metropole'],
      ['val-fleuri', 'commune'],
      ['saint-aubin', 'commune'],
    ]);
    expect(list.find((c) => c.code === 'val-fleuri')).toMatchObject({
      publicPath: '/c/val-fleuri/demande',
      publicHost: null,
      isDefault: false,
    });
    expect(list.find((c) => c.code === 'val-fleuri')!.version).toBeGreaterThan(0);
    // a commune's administrator (Saint-Aubin's, Val-Fleuri's), a métropole's agent: refused
    for (const email of ['admin@val-fleuri.fr', 'admin@saint-aubin.fr']) {
      const res = await (await ctx.loginAs(email)).get('/api/v1/communes');
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('communes_metropole_only');
    }
    expect((await (await ctx.loginAs('collecte@grand-aubin.fr')).get('/api/v1/communes')).status).toBe(403);
  });

  it('creates a member commune, checked field by field, whose form then answers under its path and host', async () => {
    const admin = await ctx.loginAs('admin@grand-aubin.fr');
    const bad = async (body: object, field: string, status = 400) => {
      const res = await admin.post('/api/v1/communes').send(body);
      expect(res.status).toBe(status);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad({ code: 'Bourg Neuf', name: 'Bourg-Neuf', publicHost: null }, 'code');
    await bad({ code: 'bourg-neuf', name: '', publicHost: null }, 'name');
    await bad({ code: 'bourg-neuf', name: 'Bourg-Neuf', publicHost: 'http://bourg' }, 'publicHost');
    await bad({ code: 'val-fleuri', name: 'Doublon', publicHost: null }, 'code', 409);
    await owner.query(`UPDATE communes SET public_host = 'grc.val-fleuri.test' WHERE code = 'val-fleuri'`);
    await bad({ code: 'bourg-neuf', name: 'Bourg-Neuf', publicHost: 'GRC.Val-Fleuri.test' }, 'publicHost', 409);
    expect((await owner.query(`SELECT 1 FROM communes WHERE code = 'bourg-neuf'`)).length).toBe(0);

    const created: CommuneView = (
      await admin
        .post('/api/v1/communes')
        .send({
          code: 'bourg-neuf',
          name: 'Commune de Bourg-Neuf',
          publicHost: ' Grc.Bourg-Neuf.test ',
          publicTexts: { ...TEXTS, footer: 'Mairie de Bourg-Neuf' },
        })
        .expect(201)
    ).body;
    expect(created).toMatchObject({
      code: 'bourg-neuf',
      kind: 'commune',
      publicHost: 'grc.bourg-neuf.test',
      publicPath: '/c/bourg-neuf/demande',
    });
    const [row] = await owner.query(
      `SELECT p.code AS metropole, t.reference_prefix, t.name FROM communes c JOIN communes p ON p.id = c.parent_id
       JOIN town_settings t ON t.commune_id = c.id WHERE c.code = 'bourg-neuf'`,
    );
    expect(row).toEqual({ metropole: 'grand-aubin', reference_prefix: 'BN', name: 'Commune de Bourg-Neuf' });
    const town: PublicTown = (await ctx.http.get('/c/bourg-neuf/api/v1/public/town').expect(200)).body;
    expect(town).toMatchObject({ name: 'Commune de Bourg-Neuf', texts: { footer: 'Mairie de Bourg-Neuf' } });
    // audited in the new commune
    const [audit] = await owner.query(
      `SELECT a.action, c.code FROM audit_events a JOIN communes c ON c.id = a.commune_id WHERE a.entity_id = $1`,
      [created.id],
    );
    expect(audit).toEqual({ action: 'commune.create', code: 'bourg-neuf' });
  });

  it('renames a commune, sets its host and public texts with optimistic locking, audited where its administrator reads it', async () => {
    const admin = await ctx.loginAs('admin@grand-aubin.fr');
    const list: CommuneView[] = (await admin.get('/api/v1/communes').expect(200)).body;
    const vf = list.find((c) => c.code === 'val-fleuri')!;
    const body = {
      name: 'Val-Fleuri-sur-Loire',
      publicHost: 'grc.val-fleuri.fr',
      publicTexts: { ...TEXTS, formIntro: 'Bienvenue à Val-Fleuri' },
    };
    const stale = await admin.put(`/api/v1/communes/${vf.id}`).send({ ...body, version: vf.version + 5 });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0].field).toBe('version');
    const taken = await admin.put(`/api/v1/communes/${vf.id}`).send({ ...body, publicHost: 'grc.bourg-neuf.test', version: vf.version });
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0].field).toBe('publicHost');
    const saved: CommuneView = (
      await admin
        .put(`/api/v1/communes/${vf.id}`)
        .send({ ...body, version: vf.version })
        .expect(200)
    ).body;
    expect(saved).toMatchObject({ name: 'Val-Fleuri-sur-Loire', publicHost: 'grc.val-fleuri.fr', version: vf.version + 1 });
    const form: PublicForm = (await ctx.http.get('/c/val-fleuri/api/v1/public/form').expect(200)).body;
    expect(form.town.name).toBe('Val-Fleuri-sur-Loire');
    // Val-Fleuri's administrator reads who changed it
    const vfAdmin = await ctx.loginAs('admin@val-fleuri.fr');
    const trail = (await vfAdmin.get('/api/v1/audit').query({ entityType: 'commune', entityId: vf.id }).expect(200)).body as {
      items: Array<{ action: string; actorLabel: string; changes: Record<string, unknown> }>;
    };
    expect(trail.items[0]).toMatchObject({ action: 'commune.update', actorLabel: 'admin@grand-aubin.fr' });
    expect(Object.keys(trail.items[0]!.changes).sort()).toEqual(['name', 'publicHost', 'publicTexts.formIntro']);
    // an id that is not one of its communes: 404; not an id: 404
    const [{ id: other }] = await owner.query(
      `INSERT INTO communes (code, name, kind) VALUES ('autre-metropole', 'Autre métropole', 'metropole') RETURNING id`,
    );
    expect((await admin.put(`/api/v1/communes/${other}`).send({ ...body, publicHost: null, version: 0 })).status).toBe(404);
    expect((await admin.put(`/api/v1/communes/pas-un-id`).send({ ...body, version: 1 })).status).toBe(404);
  });

  it('keeps each commune’s administrator to its own agents: listed, searched, changed, reset, assigned', async () => {
    const idOf = async (email: string) => (await owner.query(`SELECT id FROM agents WHERE email = $1`, [email]))[0].id as string;
    const vfAdmin = await ctx.loginAs('admin@val-fleuri.fr');
    const emails = async (who: typeof vfAdmin, query: Record<string, string> = {}) =>
      ((await who.get('/api/v1/agents').query(query).expect(200)).body as Array<{ email: string }>).map((a) => a.email).sort();
    expect(await emails(vfAdmin)).toEqual(['admin@val-fleuri.fr', 'agent@val-fleuri.fr']);
    expect(await emails(vfAdmin, { q: 'admin', limit: '50' })).toEqual(['admin@val-fleuri.fr']);
    // the métropole's administrator lists the métropole's agents, not its communes'
    const metroAdmin = await ctx.loginAs('admin@grand-aubin.fr');
    expect(await emails(metroAdmin)).toEqual(['admin@grand-aubin.fr', 'collecte@grand-aubin.fr']);
    // another commune's or the métropole's agent: unknown here, for every write an administrator has
    for (const email of ['admin@grand-aubin.fr', 'collecte@grand-aubin.fr']) {
      const id = await idOf(email);
      const [before] = await owner.query(`SELECT version, password_hash FROM agents WHERE id = $1`, [id]);
      const put = await vfAdmin
        .put(`/api/v1/agents/${id}`)
        .send({ email, displayName: 'Pris', role: 'admin', locale: 'fr', active: true, departmentIds: [], version: before.version });
      expect(put.status).toBe(404);
      expect((await vfAdmin.post(`/api/v1/agents/${id}/password-reset`).send({ password: 'Repris-par-Val-Fleuri-2026!' })).status).toBe(
        404,
      );
      expect((await vfAdmin.delete(`/api/v1/agents/${id}/second-factor`)).status).toBe(404);
      const [after] = await owner.query(`SELECT version, password_hash FROM agents WHERE id = $1`, [id]);
      expect(after).toEqual(before);
    }
    // and a commune's agent is not one of the métropole's
    const vfAgent = await idOf('agent@val-fleuri.fr');
    const [v] = await owner.query(`SELECT version FROM agents WHERE id = $1`, [vfAgent]);
    expect(
      (
        await metroAdmin.put(`/api/v1/agents/${vfAgent}`).send({
          email: 'agent@val-fleuri.fr',
          displayName: 'Pris',
          role: 'admin',
          locale: 'fr',
          active: true,
          departmentIds: [],
          version: v.version,
        })
      ).status,
    ).toBe(404);
  });

  it('lets the métropole’s administrator give a commune its agents, audited there, and take them back', async () => {
    const idOf = async (email: string) => (await owner.query(`SELECT id FROM agents WHERE email = $1`, [email]))[0].id as string;
    const admin = await ctx.loginAs('admin@grand-aubin.fr');
    const communes: CommuneView[] = (await admin.get('/api/v1/communes').expect(200)).body;
    const vf = communes.find((c) => c.code === 'val-fleuri')!;
    const metro = communes.find((c) => c.kind === 'metropole')!;
    const members = async (commune: string) =>
      ((await admin.get(`/api/v1/communes/${commune}/members`).expect(200)).body as Array<{ email: string }>).map((m) => m.email).sort();
    expect(await members(vf.id)).toEqual(['admin@val-fleuri.fr', 'agent@val-fleuri.fr']);
    // the métropole's waste agent also works for Val-Fleuri from now on: their session may switch to it
    const collecte = await idOf('collecte@grand-aubin.fr');
    const added = (await admin.put(`/api/v1/communes/${vf.id}/members/${collecte}`).expect(200)).body as Array<{ email: string }>;
    expect(added.map((m) => m.email).sort()).toEqual(['admin@val-fleuri.fr', 'agent@val-fleuri.fr', 'collecte@grand-aubin.fr']);
    await admin.put(`/api/v1/communes/${vf.id}/members/${collecte}`).expect(200); // again: unchanged, not audited twice
    const agent = await ctx.loginAs('collecte@grand-aubin.fr');
    await agent.put('/api/v1/auth/commune').send({ communeId: vf.id }).expect(200);
    const trail = await owner.query(
      `SELECT action, changes FROM audit_events WHERE entity_type = 'commune' AND entity_id = $1 AND action LIKE 'commune.member%' ORDER BY id`,
      [vf.id],
    );
    expect(trail).toEqual([{ action: 'commune.member_add', changes: { member: { before: null, after: 'collecte@grand-aubin.fr' } } }]);
    // Val-Fleuri's administrator now lists them among the commune's agents
    const vfAdmin = await ctx.loginAs('admin@val-fleuri.fr');
    expect(((await vfAdmin.get('/api/v1/agents').expect(200)).body as Array<{ email: string }>).map((a) => a.email)).toContain(
      'collecte@grand-aubin.fr',
    );
    // and nobody but the métropole's administrator manages memberships
    expect((await vfAdmin.get(`/api/v1/communes/${vf.id}/members`)).status).toBe(403);
    expect((await vfAdmin.delete(`/api/v1/communes/${vf.id}/members/${collecte}`)).status).toBe(403);
    // taken back
    await admin.delete(`/api/v1/communes/${vf.id}/members/${collecte}`).expect(200);
    expect(await members(vf.id)).toEqual(['admin@val-fleuri.fr', 'agent@val-fleuri.fr']);
    // an agent's last commune: refused (they would fall back to the default commune); one's own métropole: refused
    const last = await admin.delete(`/api/v1/communes/${vf.id}/members/${await idOf('agent@val-fleuri.fr')}`);
    expect([last.status, last.body.errors?.[0]?.code]).toEqual([409, 'member_last_commune']);
    const self = await admin.delete(`/api/v1/communes/${metro.id}/members/${await idOf('admin@grand-aubin.fr')}`);
    expect([self.status, self.body.errors?.[0]?.code]).toEqual([409, 'self_lockout']);
    expect(await members(vf.id)).toEqual(['admin@val-fleuri.fr', 'agent@val-fleuri.fr']);
    // an agent of no commune of the family, a commune of another métropole, not ids: 404, nothing written
    const [{ id: stranger }] = await owner.query(
      `INSERT INTO agents (email, display_name, password_hash, role) VALUES ('ailleurs@example.org', 'Ailleurs', 'x', 'agent') RETURNING id`,
    );
    const [{ id: otherCommune }] = await owner.query(
      `INSERT INTO agent_communes (agent_id, commune_id) SELECT $1, id FROM communes WHERE code = 'autre-metropole' RETURNING commune_id`,
      [stranger],
    );
    expect((await admin.put(`/api/v1/communes/${vf.id}/members/${stranger}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/communes/${otherCommune}/members`)).status).toBe(404);
    expect((await admin.put(`/api/v1/communes/${vf.id}/members/pas-un-id`)).status).toBe(404);
    expect((await admin.put(`/api/v1/communes/pas-un-id/members/${collecte}`)).status).toBe(404);
    expect(await members(vf.id)).toEqual(['admin@val-fleuri.fr', 'agent@val-fleuri.fr']);
  });
});
