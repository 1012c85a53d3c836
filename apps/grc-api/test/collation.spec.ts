import { ADMIN } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

/** Lists shown to people come in French order ("Éclairage" before "Nid-de-poule"), whatever the database's locale. */
describe('French collation of the lists', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  const fr = new Intl.Collator('fr', { numeric: true });

  it.each([
    ['/api/v1/categories', 'nameFr'],
    ['/api/v1/departments', 'name'],
    ['/api/v1/agents', 'displayName'],
  ])('%s is sorted by %s as French readers expect', async (path, key) => {
    const list = (await (await ctx.as(ADMIN)).get(path).expect(200)).body as Array<Record<string, string>>;
    const names = list.map((x) => x[key]!);
    expect(names.length).toBeGreaterThan(3);
    expect(names).toEqual([...names].sort(fr.compare));
  });

  it('puts "Éclairage…" and "Élagage" before "Nid-de-poule" (a byte order would put them after)', async () => {
    const names = ((await (await ctx.as(ADMIN)).get('/api/v1/categories').expect(200)).body as Array<{ nameFr: string }>).map(
      (c) => c.nameFr,
    );
    expect(names.indexOf('Éclairage allumé en journée')).toBeLessThan(names.indexOf('Nid-de-poule'));
    expect(names.indexOf('Élagage')).toBeLessThan(names.indexOf('Nid-de-poule'));
    const [{ collation }] = await ctx.db.query(
      `SELECT collation_name AS collation FROM information_schema.columns WHERE table_name = 'categories' AND column_name = 'name_fr'`,
    );
    expect(collation).toBe('fr-x-icu');
  });
});
