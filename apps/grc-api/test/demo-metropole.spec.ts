import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Me, Page, TicketSummary } from '@grc/domain';
import { parse } from 'yaml';
import { parseTownPack } from '@grc/domain';
import { createDataSource, dataSourceOptions, tenantDataSource } from '../src/database/data-source';
import { withCommune } from '../src/database/tenancy';
import { exportPackFiles } from '../src/modules/packs/pack-transfer';
import { loadTownPackFromFolder } from '../src/modules/packs/pack-loader';
import { rebuildFigures, regenerateOpenData } from '../src/cli/commands/reporting-rebuild';
import { ADMIN } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

const PACKS = join(__dirname, '../../../packs');

/**
 * The quick start's métropole (packs/demo-metropole, loaded by `npm start` after demo-town): Grand Aubin
 * Métropole with one shared service, Val-Fleuri a commune of it whose bulky waste goes there; Saint-Aubin
 * (the default commune) a member, its demo unchanged.
 */
describe('demo métropole packs', () => {
  let owner: DataSource;
  let ctx: TestContext;
  const count = async (sql: string, params: unknown[] = []) => (await owner.query(sql, params))[0].n as number;
  let before: { departments: number; tickets: number };

  beforeAll(async () => {
    owner = await createDataSource(process.env['DATABASE_URL']!).initialize();
    const sa = `(SELECT id FROM communes WHERE code = 'saint-aubin')`;
    before = {
      departments: await count(`SELECT count(*)::int n FROM departments WHERE commune_id = ${sa}`),
      tickets: await count(`SELECT count(*)::int n FROM tickets WHERE commune_id = ${sa}`),
    };
    for (const folder of ['grand-aubin', 'val-fleuri']) {
      const r = await loadTownPackFromFolder(owner, join(PACKS, 'demo-metropole', folder), { onlyIfEmpty: true, now: new Date() });
      expect(r.loaded).toBe(true);
    }
    ctx = await startTestApp();
  });
  afterAll(async () => {
    await ctx?.close();
    await owner?.destroy();
  });

  it('makes a métropole with a shared service and two member communes, Saint-Aubin still the default and unchanged', async () => {
    const communes = await owner.query(
      `SELECT c.code, c.kind, c.is_default, p.code AS parent FROM communes c LEFT JOIN communes p ON p.id = c.parent_id ORDER BY c.code`,
    );
    expect(communes).toEqual([
      { code: 'grand-aubin', kind: 'metropole', is_default: false, parent: null },
      { code: 'saint-aubin', kind: 'commune', is_default: true, parent: 'grand-aubin' },
      { code: 'val-fleuri', kind: 'commune', is_default: false, parent: 'grand-aubin' },
    ]);
    const sa = `(SELECT id FROM communes WHERE code = 'saint-aubin')`;
    expect(await count(`SELECT count(*)::int n FROM departments WHERE commune_id = ${sa}`)).toBe(before.departments);
    expect(await count(`SELECT count(*)::int n FROM tickets WHERE commune_id = ${sa}`)).toBe(before.tickets);
    // Val-Fleuri's encombrants go to the métropole's shared service; its own codes did not meet Saint-Aubin's
    const [route] = await owner.query(
      `SELECT d.code, d.shared, m.code AS commune FROM categories k JOIN departments d ON d.id = k.default_department_id
       JOIN communes m ON m.id = d.commune_id JOIN communes c ON c.id = k.commune_id WHERE c.code = 'val-fleuri' AND k.code = 'encombrants'`,
    );
    expect(route).toEqual({ code: 'collecte', shared: true, commune: 'grand-aubin' });
    const vf = `(SELECT id FROM communes WHERE code = 'val-fleuri')`;
    expect(await count(`SELECT count(*)::int n FROM tickets WHERE commune_id = ${vf}`)).toBe(12);
    expect(await count(`SELECT count(*)::int n FROM agent_departments WHERE commune_id = ${vf}`)).toBe(2);
    // a second start loads nothing again
    const again = await loadTownPackFromFolder(owner, join(PACKS, 'demo-metropole', 'val-fleuri'), { onlyIfEmpty: true, now: new Date() });
    expect(again.loaded).toBe(false);
  });

  it('shows the métropole’s agent the shared service’s requests, and Val-Fleuri’s agents their commune', async () => {
    const shared: Array<{ id: string }> = await owner.query(
      `SELECT t.id FROM tickets t JOIN departments d ON d.id = t.department_id WHERE d.code = 'collecte' AND d.shared`,
    );
    expect(shared.length).toBeGreaterThan(0);
    const collecte = await ctx.loginAs('collecte@grand-aubin.fr');
    const me: Me = (await collecte.get('/api/v1/auth/me').expect(200)).body;
    expect(me.commune?.code).toBe('grand-aubin');
    const page: Page<TicketSummary> = (await collecte.get('/api/v1/tickets').query({ view: 'departments' }).expect(200)).body;
    expect(page.items.map((t) => t.id).sort()).toEqual(shared.map((t) => t.id).sort());
    const vfAdmin = await ctx.loginAs('admin@val-fleuri.fr');
    const all: Page<TicketSummary> = (await vfAdmin.get('/api/v1/tickets').query({ view: 'all' }).expect(200)).body;
    expect(all.items.length).toBe(12);
    // Saint-Aubin's administrator: one commune, as before
    const admin = await ctx.loginAs(ADMIN);
    expect(((await admin.get('/api/v1/auth/me').expect(200)).body as Me).communes?.map((c) => c.code)).toEqual(['saint-aubin']);
  });
  it('exports a commune of the métropole with its references to the shared service, and the métropole with its communes', async () => {
    const app = await tenantDataSource(dataSourceOptions(process.env['DATABASE_URL']!, 2, 'grc_app')).initialize();
    try {
      const code = async (c: string) => (await owner.query(`SELECT id FROM communes WHERE code = $1`, [c]))[0].id as string;
      const vf = await withCommune(await code('val-fleuri'), () => exportPackFiles(app));
      expect(parse(vf['town.yaml']!)).toMatchObject({ code: 'val-fleuri', metropole: 'grand-aubin' });
      expect(parse(vf['departments.yaml']!).map((d: { code: string }) => d.code)).toEqual(['mairie', 'services-techniques']);
      expect(parse(vf['categories.yaml']!).find((c: { code: string }) => c.code === 'encombrants').department).toBe('metropole:collecte');
      const m = await withCommune(await code('grand-aubin'), () => exportPackFiles(app));
      expect(parse(m['town.yaml']!)).toMatchObject({ kind: 'metropole', communes: ['saint-aubin', 'val-fleuri'] });
      expect(parse(m['departments.yaml']!).find((d: { code: string }) => d.code === 'collecte').shared).toBe(true);
      // and each export reads back as a valid pack
      for (const files of [vf, m]) {
        const r = parseTownPack(files);
        expect(r.ok ? [] : r.errors).toEqual([]);
      }
    } finally {
      await app.destroy();
    }
  });

  it('rebuilds the figures of every commune after a load, each request’s under its commune', async () => {
    await owner.query(`DELETE FROM report_step_facts`);
    await owner.query(`DELETE FROM report_ticket_facts`);
    expect(await rebuildFigures(ctx.app)).toMatch(/in 3 commune\(s\)/);
    const rows: Array<{ code: string; facts: number; tickets: number }> = await owner.query(
      `SELECT c.code, (SELECT count(*)::int FROM report_ticket_facts f WHERE f.commune_id = c.id) AS facts,
              (SELECT count(*)::int FROM tickets t WHERE t.commune_id = c.id) AS tickets
       FROM communes c ORDER BY c.code`,
    );
    expect(rows.find((r) => r.code === 'val-fleuri')!.tickets).toBeGreaterThan(0);
    for (const r of rows) expect({ code: r.code, facts: r.facts }).toEqual({ code: r.code, facts: r.tickets });
    // again, with every commune's facts there: the métropole's pass reads its shared service's facts of Val-Fleuri
    // (Val-Fleuri's, in Val-Fleuri's cube) and builds its own cube from its own facts only
    expect(
      await count(`SELECT count(*)::int n FROM report_ticket_facts f JOIN departments d ON d.id = f.department_id
        WHERE d.shared AND d.commune_id <> f.commune_id`),
    ).toBeGreaterThan(0);
    expect(await rebuildFigures(ctx.app)).toMatch(/in 3 commune\(s\)/);
    const cubes: Array<{ code: string; received: number; facts: number }> = await owner.query(
      `SELECT c.code, (SELECT coalesce(sum(k.received), 0)::int FROM report_cube k WHERE k.commune_id = c.id) AS received,
              (SELECT count(*)::int FROM report_ticket_facts f WHERE f.commune_id = c.id) AS facts
       FROM communes c ORDER BY c.code`,
    );
    for (const r of cubes) expect({ code: r.code, received: r.received }).toEqual({ code: r.code, received: r.facts });
  });

  it('gives the métropole’s dashboard its shared service’s requests of every commune, whole months (the cube) as partial days (the facts)', async () => {
    expect(await rebuildFigures(ctx.app)).toMatch(/in 3 commune\(s\)/);
    const admin = await ctx.loginAs('admin@grand-aubin.fr');
    const received = async (from: string, to: string) =>
      (
        (await admin.get('/api/v1/reporting/dashboard').query({ from, to }).expect(200)).body.figures as Array<{
          code: string;
          value: number | null;
        }>
      ).find((f) => f.code === 'received')?.value;
    const today = new Date();
    const lastMonthEnd = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 0)).toISOString().slice(0, 10);
    const yearAgo = new Date(Date.UTC(today.getUTCFullYear() - 1, today.getUTCMonth(), 1)).toISOString().slice(0, 10);
    const inFacts = await count(
      `SELECT count(*)::int n FROM report_ticket_facts f JOIN departments d ON d.id = f.department_id
       WHERE d.code = 'collecte' AND d.shared AND f.received_at >= ($1::date::timestamp AT TIME ZONE 'Europe/Paris')
         AND f.received_at < (($2::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')`,
      [yearAgo, lastMonthEnd],
    );
    expect(inFacts).toBeGreaterThan(0); // Val-Fleuri's encombrants, filed under Val-Fleuri
    expect(await received(yearAgo, lastMonthEnd)).toBe(inFacts);
    // the same months and one day more read the partial day from the facts: the same requests either way
    const dayBefore = new Date(Date.parse(yearAgo) - 86_400_000).toISOString().slice(0, 10);
    const dayMore = await count(
      `SELECT count(*)::int n FROM report_ticket_facts f JOIN departments d ON d.id = f.department_id
       WHERE d.code = 'collecte' AND d.shared AND f.received_at >= ($1::date::timestamp AT TIME ZONE 'Europe/Paris')
         AND f.received_at < ($2::date::timestamp AT TIME ZONE 'Europe/Paris')`,
      [dayBefore, yearAgo],
    );
    expect(await received(dayBefore, lastMonthEnd)).toBe(inFacts + dayMore);
    // the open data alone, every commune (the CLI's reporting-rebuild --open-data-only)
    expect(await regenerateOpenData(ctx.app)).toMatch(/open data regenerated: \d+ row\(s\) in 3 commune\(s\) in \d+ ms, peak RSS \d+ MB/);
  });
});
