import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Modules whose SQL lives in their `*.repository.ts` files only (issue 9, item 2): a query written in
 * one of their services, controllers or processors fails this spec. Add a module here once its
 * repositories hold all of its queries.
 */
const MODULES = [
  'reference',
  'agents',
  'notifications',
  'timers',
  'audit',
  'sla',
  'citizens',
  'duplicates',
  'auth',
  'workflows',
  'mail',
  'open311',
  'public',
  'tickets',
  'health',
  'worker',
  'town',
  'accounts',
  'anonymisation',
  'citizen-rights',
  'reporting',
  'places',
  'live',
  'views',
  'metrics',
  'packs',
  'letters',
];

/** What counts as a query outside a repository: SQL text, raw or prepared queries, EntityManager/DataSource calls. */
const RULES: Array<[string, RegExp]> = [
  ['SQL text', /`[^`]*\b(SELECT\s[^`]*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b[^`]*`/is],
  ['raw query', /\.query\s*\(/],
  ['prepared query', /\bpreparedQuery\s*\(/],
  ['EntityManager call', /\b(m|mm|em|manager)\.(?!queryRunner\b)\w+\s*\(/],
  ['DataSource call other than a transaction', /\bthis\.db\.(?!transaction\b)\w+\s*\(|\bthis\.db\.manager\b/],
];

/** The rules a file's source breaks (comments ignored), e.g. ['raw query']. */
export function sqlOutsideRepository(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return RULES.filter(([, re]) => re.test(code)).map(([name]) => name);
}

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));

describe('repositories own the SQL', () => {
  it.each(MODULES)('modules/%s: no query outside its *.repository.ts files', (module) => {
    const offenders = files(join(__dirname, module))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.repository.ts') && !f.endsWith('.spec.ts'))
      .map((f) => ({ file: f.slice(__dirname.length + 1), rules: sqlOutsideRepository(readFileSync(f, 'utf8')) }))
      .filter((o) => o.rules.length > 0);
    expect(offenders).toEqual([]);
  });

  it('recognises each kind of query it forbids, and not an orchestration', () => {
    expect(sqlOutsideRepository('await m.query(`SELECT 1 FROM departments WHERE id = $1`, [id]);')).toEqual([
      'SQL text',
      'raw query',
      'EntityManager call',
    ]);
    expect(sqlOutsideRepository("await preparedQuery(m, 'x', []);")).toEqual(['prepared query']);
    expect(sqlOutsideRepository('await m.save(row);')).toEqual(['EntityManager call']);
    expect(sqlOutsideRepository('await this.db.manager.find(X);')).toEqual([
      'EntityManager call',
      'DataSource call other than a transaction',
    ]);
    expect(
      sqlOutsideRepository(
        'return this.db.transaction(async (m) => this.rows.save(row, m)); if (!m.queryRunner?.isTransactionActive) return;',
      ),
    ).toEqual([]);
  });
});
