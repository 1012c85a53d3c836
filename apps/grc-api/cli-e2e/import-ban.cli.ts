/**
 * `grc import-ban <adresses-<dep>.csv>` on the BUILT app, from an empty database (it migrates first): refused
 * while there is no town; into the starter town, the demo pack's Saint-Aubin extract loaded, the same file again
 * changes nothing, a file re-saved in Latin-1 is refused naming its line (exit 1, no stack trace, nothing
 * imported), a file without the BAN's columns too.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyDatabase, grc, pg, ROOT, type Run } from './support';

const DEMO_BAN = join(ROOT, 'packs/demo-town/ban/adresses-37.csv');
const explain = (r: Run) => `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;

describe('grc import-ban', () => {
  let db: Awaited<ReturnType<typeof emptyDatabase>>;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'grc-ban-'));
  const lines = readFileSync(DEMO_BAN, 'utf8').trimEnd().split('\n').length - 1;
  const count = async (sql: string) => Number((await pg<{ n: string }>(db.url, sql))[0]!.n);

  beforeAll(async () => {
    db = await emptyDatabase('ban');
    env = {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      GRC_QUEUE_PREFIX: `grc-cli-${db.name}`,
      GRC_ROOT: ROOT,
    };
  });
  afterAll(() => db?.drop());

  it('refuses to import into a database without a town, saying what to do', async () => {
    const none = await grc(['import-ban', DEMO_BAN], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/adresses-37\.csv not imported: the database has no town yet — load its pack first \(grc load-pack/);
    expect(explain(none)).not.toMatch(/at .*\.js:\d+|commune_id/);
  }, 300_000);

  it('loads the demo pack’s extract into a town, then the same file changes nothing', async () => {
    // a town without addresses: the starter pack (it ships no BAN file)
    const loaded = await grc(['load-pack', 'packs/starter-town'], env);
    expect(explain(loaded)).toMatch(/town pack loaded/);
    expect(await count(`SELECT count(*) AS n FROM addresses`)).toBe(0);
    const first = await grc(['import-ban', DEMO_BAN], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${lines} line(s), ${lines} inserted, 0 updated, 0 unchanged, 0 removed, 0 rejected; communes 37999`);
    expect(await count(`SELECT count(*) AS n FROM addresses`)).toBe(lines);
    expect(await count(`SELECT count(*) AS n FROM address_streets`)).toBe(31);
    const again = await grc(['import-ban', DEMO_BAN], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${lines} line(s), 0 inserted, 0 updated, ${lines} unchanged, 0 removed`);
    expect(await count(`SELECT count(*) AS n FROM address_imports`)).toBe(2);
  }, 300_000);

  it('refuses a Latin-1 file and a file without the BAN columns: the reason, exit 1, nothing imported', async () => {
    const latin1 = join(dir, 'adresses-37-latin1.csv');
    writeFileSync(latin1, Buffer.from(readFileSync(DEMO_BAN, 'utf8'), 'latin1'));
    const bad = await grc(['import-ban', latin1], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/adresses-37-latin1\.csv not imported \(nothing was written\): Le fichier n’est pas en UTF-8 \(ligne 2\)/);
    const columns = join(dir, 'adresses-37-columns.csv');
    writeFileSync(columns, 'a;b;c\n1;2;3\n');
    const wrong = await grc(['import-ban', columns], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Colonnes BAN manquantes : id, numero/);
    for (const r of [bad, wrong]) expect(explain(r)).not.toMatch(/at .*\.js:\d+/);
    expect(await count(`SELECT count(*) AS n FROM address_imports`)).toBe(2);
    expect(await count(`SELECT count(*) AS n FROM addresses WHERE street LIKE '%' || chr(65533) || '%'`)).toBe(0);
  }, 300_000);
});
