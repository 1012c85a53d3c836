import { NO_PERSONAL_DATA, PERSONAL_DATA, unclassifiedTables } from './personal-data';

describe('personal data registry', () => {
  it('names each table once, in one list only', () => {
    const personal = PERSONAL_DATA.map((t) => t.table);
    expect(new Set(personal).size).toBe(personal.length);
    expect(personal.filter((t) => NO_PERSONAL_DATA.includes(t))).toEqual([]);
  });

  it('reports the tables of a schema that nobody classified', () => {
    expect(unclassifiedTables(['citizens', 'agents', 'new_feature_table'])).toEqual(['new_feature_table']);
  });

  it('gives every personal table at least one column and a link', () => {
    for (const t of PERSONAL_DATA) {
      expect(t.columns.length).toBeGreaterThan(0);
      expect(t.link.via).toBeDefined();
    }
  });
});
