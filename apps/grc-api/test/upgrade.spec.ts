import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DataSource } from 'typeorm';
import type { Page, TicketDetail, TicketSummary } from '@grc/domain';
import { createDataSource } from '../src/database/data-source';
import { MIGRATIONS } from '../src/database/migrations';
import { exportPackFiles, parsePackFiles } from '../src/modules/packs/pack-transfer';
import { ADMIN, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';
import { adminQuery, databaseUrlFor } from './support/test-database';

/**
 * Upgrades (issue 15): a database made by the previous release (v0.1.0: its migrations and its demo pack,
 * dumped by scripts/upgrade-fixture.sh into test/fixtures) is migrated by this code, then the API works
 * on it: sign-in, inbox, full text, detail, a new request, the configuration's export. The dump is
 * checked in, so a fresh clone needs neither the tag nor the old code.
 */
const FIXTURE = join(__dirname, 'fixtures/grc-0.1.0.sql.gz');

async function restore(url: string, file: string): Promise<void> {
  const psql = spawn('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-d', url], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  psql.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number>((resolve) => psql.on('close', (code) => resolve(code ?? -1)));
  await pipeline(createReadStream(file), createGunzip(), psql.stdin);
  const code = await exited;
  if (code !== 0) throw new Error(`psql restore of ${file} failed (${code}): ${stderr}`);
}

describe('upgrade from v0.1.0', () => {
  const name = `grc_test_upgrade_${process.pid}_${Date.now().toString(36)}`;
  const url = databaseUrlFor(name);
  let db: DataSource;
  let before: string[];
  let ctx: TestContext;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${name}`);
    await restore(url, FIXTURE);
    db = await createDataSource(url).initialize();
    before = (await db.query(`SELECT name FROM migrations ORDER BY id`)).map((r: { name: string }) => r.name);
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('applies exactly the migrations the release did not have, in order, and ends with the same list as a new database', async () => {
    expect(before.length).toBeGreaterThan(10);
    const stamp = (n: string) => Number(/\d{13}$/.exec(n)?.[0]);
    const names = MIGRATIONS.map((m) => m.name);
    // the release's migrations are a prefix of ours, and every later one has a later timestamp (TypeORM runs
    // pending migrations by timestamp: one numbered below the release's last would run in another order
    // on an upgraded database than on a new one)
    expect(names.slice(0, before.length)).toEqual(before);
    const lastReleased = stamp(before.at(-1)!);
    expect(names.slice(before.length).filter((n) => stamp(n) <= lastReleased)).toEqual([]);
    expect([...names].sort((a, b) => stamp(a) - stamp(b))).toEqual(names);
    const done = await db.runMigrations({ transaction: 'each' });
    expect(done.map((m) => m.name)).toEqual(names.slice(before.length));
    const after = (await db.query(`SELECT name FROM migrations ORDER BY id`)).map((r: { name: string }) => r.name);
    expect(after).toEqual(names);
    expect(done.map((m) => m.name)).toContain('Communes1763800001090');
  });

  it('serves the upgraded town: sign-in, scoped inbox, full text, detail, a new request, the export', async () => {
    ctx = await startTestApp({ DATABASE_URL: url, GRC_MIGRATE_DATABASE_URL: url, GRC_QUEUE_PREFIX: `grc-test-${name}` });
    const admin = await ctx.loginAs(ADMIN);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM tickets`);
    expect(n).toBe(300);
    const all: Page<TicketSummary> = (await admin.get('/api/v1/tickets').query({ view: 'all', limit: '200' }).expect(200)).body;
    expect(all.items).toHaveLength(200);
    expect(all.nextCursor).not.toBeNull();
    const found: Page<TicketSummary> = (await admin.get('/api/v1/tickets').query({ view: 'all', q: 'eclairage' }).expect(200)).body;
    expect(found.items.length).toBeGreaterThan(0);

    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const mine: Page<TicketSummary> = (await agent.get('/api/v1/tickets').query({ view: 'departments', limit: '200' }).expect(200)).body;
    expect(mine.items.length).toBeGreaterThan(0);
    expect(new Set(mine.items.map((t) => t.department.code))).toEqual(new Set(['voirie']));
    const detail: TicketDetail = (await agent.get(`/api/v1/tickets/${mine.items[0]!.id}`).expect(200)).body;
    expect(detail.timeline.length).toBeGreaterThan(0);

    const [cat] = await db.query(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
    const created: TicketDetail = (
      await agent
        .post('/api/v1/tickets')
        .send({ channel: 'phone', categoryId: cat.id, subject: 'Après la mise à jour', description: 'Un trou rue Nationale.' })
        .expect(201)
    ).body;
    expect(created.reference).toMatch(/^GRC-\d{4}-\d{6,}$/);
    expect(created.department.code).toBe('voirie');

    // the whole configuration exports, and the export is a valid pack
    const files = await exportPackFiles(db);
    expect(parsePackFiles(files).pack.departments).toHaveLength(14);
    await admin.get('/api/v1/admin/pack').expect(200);
  });
});
