import { canonicalJson, diffEntries, diffTownPacks } from './diff';
import type { TownPack } from './schema';

const pack = (over: Partial<TownPack> = {}): TownPack => ({
  town: { formatVersion: 1, name: 'Ville', code: 'ville', timezone: 'Europe/Paris', locale: 'fr', referencePrefix: 'GRC' },
  departments: [{ code: 'dgs', name: 'DGS', kind: 'direction', parent: null, email: null, active: true, frontDesk: false }],
  categories: [{ code: 'autre', nameFr: 'Autre', nameEn: 'Other', department: 'dgs', active: true }],
  routing: [],
  agents: [{ email: 'a@x.fr', displayName: 'A', role: 'agent', locale: 'fr', departments: ['dgs'], active: true }],
  demo: null,
  ...over,
});

describe('diffTownPacks', () => {
  it('finds nothing between a pack and itself, passwords and key order aside', () => {
    const p = pack();
    const q = pack({ agents: [{ ...p.agents[0]!, password: 'a-demo-password' }] });
    expect(diffTownPacks(p, q)).toEqual([]);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(canonicalJson({ a: [{ c: 2, d: 1 }], b: 1 }));
  });

  it('lists what is new and what differs, field by field', () => {
    const p = pack();
    const q = pack({
      town: { ...p.town, name: 'Ville nouvelle' },
      departments: [
        ...p.departments,
        { code: 'voirie', name: 'Voirie', kind: 'service', parent: 'dgs', email: null, active: true, frontDesk: false },
      ],
      categories: [{ ...p.categories[0]!, nameEn: 'Something else', fields: [] }],
      routing: [{ category: 'autre', department: 'voirie', areaName: null, area: null, position: 0 }],
    });
    expect(diffTownPacks(p, q)).toEqual([
      { kind: 'town', key: '', action: 'update', fields: ['name'] },
      { kind: 'department', key: 'voirie', action: 'create' },
      { kind: 'category', key: 'autre', action: 'update', fields: ['nameEn'] },
      { kind: 'routing', key: 'autre', action: 'update', fields: ['rules'] },
    ]);
  });

  it('leaves out what the pack does not name (the import keeps it)', () => {
    expect(diffEntries('department', [{ code: 'a' }, { code: 'b' }], [{ code: 'b' }], (d) => d.code)).toEqual([]);
  });
});
