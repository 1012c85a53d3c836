import { NO_PERSONAL_DATA, PERSONAL_DATA, unclassifiedTables } from '@grc/domain';
import { createDataSource } from '../src/database/data-source';
import type { DataSource } from 'typeorm';

/**
 * Invariant 8: every table of the migrated schema is classified in the personal data registry
 * (libs/domain/src/rgpd/personal-data.ts), and every column the registry names exists — so a new table or a
 * renamed column fails the build until the anonymisation, the purges and the access export know of it.
 */
describe('personal data registry against the migrated schema', () => {
  let db: DataSource;
  let columns: Array<{ table_name: string; column_name: string }>;

  beforeAll(async () => {
    db = await createDataSource(process.env['DATABASE_URL']!).initialize();
    columns = await db.query(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'`,
    );
  });
  afterAll(() => db.destroy());

  it('classifies every table of the schema', () => {
    const tables = [...new Set(columns.map((c) => c.table_name))];
    expect(tables.length).toBeGreaterThan(30);
    expect(unclassifiedTables(tables)).toEqual([]);
  });

  it('names only tables and columns that exist', () => {
    const has = new Set(columns.map((c) => `${c.table_name}.${c.column_name}`));
    const missing: string[] = [];
    for (const t of PERSONAL_DATA) {
      const named = [...t.key, ...t.columns.map((c) => c.column)];
      if (t.link.via === 'ticket' || t.link.via === 'citizen' || t.link.via === 'contact') named.push(t.link.column);
      if (t.link.via === 'entity') named.push(t.link.typeColumn, t.link.idColumn);
      for (const c of named) if (!has.has(`${t.table}.${c}`)) missing.push(`${t.table}.${c}`);
    }
    for (const t of NO_PERSONAL_DATA) if (![...has].some((c) => c.startsWith(`${t}.`))) missing.push(t);
    expect(missing).toEqual([]);
  });
});
