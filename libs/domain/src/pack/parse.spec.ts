import { parseTownPack, type PackError } from './parse';
import { serializeTownPack } from './serialize';

const town = `formatVersion: 1
name: Ville de Test
code: test
timezone: Europe/Paris
locale: fr
referencePrefix: GRC
`;
const departments = `- { code: dgs, name: Direction générale, kind: direction, parent: null }
- { code: dst, name: Services techniques, kind: direction, parent: dgs }
- { code: voirie, name: Voirie, kind: service, parent: dst, email: voirie@test.fr }
`;
const categories = `- { code: nid-de-poule, nameFr: Nid-de-poule, nameEn: Pothole, department: voirie }
`;
const routing = `- category: nid-de-poule
  department: voirie
  areaName: Nord
  area: [[0.1, 47.1], [0.2, 47.1], [0.2, 47.2]]
`;
const agents = `- { email: Admin@Test.fr, displayName: Admin, role: admin, password: Demo-GRC-2026! }
- { email: a@test.fr, displayName: Agent, role: agent, departments: [voirie] }
`;
const valid = (): Record<string, string> => ({
  'town.yaml': town,
  'departments.yaml': departments,
  'categories.yaml': categories,
  'routing.yaml': routing,
  'agents.yaml': agents,
});
const errorsOf = (files: Record<string, string>): PackError[] => {
  const r = parseTownPack(files);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
};
const at = (errors: PackError[], file: string, path: string): PackError | undefined =>
  errors.find((e) => e.file === file && e.path === path);

describe('parseTownPack', () => {
  it('reads reply templates scoped to a department and/or a category, and names an unknown code', () => {
    const templates = `replies:
  - { name: Trou constaté, body: 'Bonjour {{citizenName}}', department: voirie, category: nid-de-poule }
  - { name: Général, body: Bonjour }
`;
    const r = parseTownPack({ ...valid(), 'templates.yaml': templates });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.pack.templates?.replies).toEqual([
      { name: 'Trou constaté', body: 'Bonjour {{citizenName}}', active: true, department: 'voirie', category: 'nid-de-poule' },
      { name: 'Général', body: 'Bonjour', active: true },
    ]);
    const errors = errorsOf({
      ...valid(),
      'templates.yaml': `replies:\n  - { name: X, body: x, department: sports, category: lampadaire }\n`,
    });
    expect(at(errors, 'templates.yaml', 'replies.0.department')?.message).toContain('unknown department code "sports"');
    expect(at(errors, 'templates.yaml', 'replies.0.category')?.message).toContain('unknown category code "lampadaire"');
  });

  it('parses a valid pack and applies defaults', () => {
    const r = parseTownPack(valid());
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.pack.town.code).toBe('test');
    expect(r.pack.departments[0]).toEqual({
      code: 'dgs',
      name: 'Direction générale',
      kind: 'direction',
      parent: null,
      email: null,
      active: true,
      frontDesk: false,
    });
    expect(r.pack.agents[0]).toMatchObject({ email: 'admin@test.fr', locale: 'fr', departments: [] });
    expect(r.pack.routing[0]).toMatchObject({ position: 0, areaName: 'Nord' });
    expect(r.pack.demo).toBeNull();
  });

  it('needs town, departments and categories; routing and agents are optional', () => {
    expect(errorsOf({})).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'town.yaml', path: '', message: 'missing file' }),
        expect.objectContaining({ file: 'departments.yaml', message: 'missing file' }),
        expect.objectContaining({ file: 'categories.yaml', message: 'missing file' }),
      ]),
    );
    const { 'routing.yaml': _r, 'agents.yaml': _a, ...minimal } = valid();
    const r = parseTownPack(minimal);
    expect(r.ok && r.pack.routing.length === 0 && r.pack.agents.length === 0).toBe(true);
  });

  it('reports YAML syntax errors with their line', () => {
    const errors = errorsOf({ ...valid(), 'categories.yaml': '- code: a\n  nameFr: [oops\n' });
    expect(errors[0]).toMatchObject({ file: 'categories.yaml', path: '' });
    expect(errors[0]?.message).toMatch(/^YAML:/);
  });

  it('words a YAML error for a line that is already given: no "at line…:" left dangling, the text at fault quoted', () => {
    const errors = errorsOf({ ...valid(), 'town.yaml': `${town}name: Autre nom\n` });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'town.yaml', path: '', line: town.split('\n').length });
    expect(errors[0]?.message).toBe('YAML: Map keys must be unique: a key appears twice in this map (column 1: "name: Autre nom")');
    const [unclosed] = errorsOf({ ...valid(), 'categories.yaml': '- { code: a, nameFr: A\n- b\n' });
    expect(unclosed?.message).toMatch(/^YAML: Flow map .* end with a \} \(column 1: "- b"\)$/);
  });

  it('lists every schema error with its path and line', () => {
    const errors = errorsOf({
      ...valid(),
      'town.yaml': town.replace('formatVersion: 1', 'formatVersion: 2').replace('Europe/Paris', 'Mars/Olympus'),
      'departments.yaml': departments + '- { code: Bad Code, name: "", kind: office, parnet: dgs }\n',
      'agents.yaml': agents + '- { email: not-an-email, displayName: X, role: boss, departments: [voirie], password: short }\n',
    });
    expect(at(errors, 'town.yaml', 'formatVersion')?.message).toMatch(/must be 1/);
    expect(at(errors, 'town.yaml', 'timezone')?.line).toBe(4);
    expect(at(errors, 'departments.yaml', '3.code')).toBeDefined();
    expect(at(errors, 'departments.yaml', '3.name')).toBeDefined();
    expect(at(errors, 'departments.yaml', '3.kind')).toBeDefined();
    expect(at(errors, 'departments.yaml', '3.parnet')?.message).toBe('unknown field "parnet"');
    expect(at(errors, 'departments.yaml', '3.code')?.line).toBe(4);
    expect(at(errors, 'agents.yaml', '2.email')).toBeDefined();
    expect(at(errors, 'agents.yaml', '2.role')).toBeDefined();
    expect(at(errors, 'agents.yaml', '2.password')?.message).toMatch(/12/);
  });

  it('checks the references to a file that has schema errors in the same run, not after it is fixed', () => {
    const errors = errorsOf({
      ...valid(),
      // a typo in departments.yaml: the file does not match, its codes are still known
      'departments.yaml': departments.replace('parent: dst, email', 'parnet: dst, email'),
      'categories.yaml':
        categories +
        '- { code: eclairage, nameFr: Éclairage, nameEn: Lighting, department: eclairage-public }\n- { code: bad, nameFr: 3, nameEn: Bad, department: voirie }\n',
      'routing.yaml': '- { category: nid-de-poule, department: voiries }\n- { category: ghost, department: voirie, position: -1 }\n',
      'agents.yaml':
        agents +
        '- { email: b@test.fr, displayName: B, role: agent, departments: [dst, accueil] }\n- { email: c, displayName: C, role: agent }\n',
    });
    expect(at(errors, 'departments.yaml', '2.parnet')?.message).toBe('unknown field "parnet"');
    expect(at(errors, 'categories.yaml', '1.department')?.message).toBe('unknown department code "eclairage-public"');
    expect(at(errors, 'categories.yaml', '2.nameFr')).toBeDefined();
    expect(at(errors, 'routing.yaml', '0.department')?.message).toBe('unknown department code "voiries"');
    expect(at(errors, 'routing.yaml', '1.position')).toBeDefined();
    expect(at(errors, 'agents.yaml', '2.departments.1')?.message).toBe('unknown department code "accueil"');
    expect(at(errors, 'agents.yaml', '3.email')).toBeDefined();
    // type errors in the reference's words, not zod's ("Expected string, received number")
    expect(at(errors, 'categories.yaml', '2.nameFr')?.message).toBe('must be a text, not a number');
    // the codes the broken files name are known: no false alarm about voirie, dst or nid-de-poule
    expect(errors.filter((e) => /unknown (department|category) code "(voirie|dst|nid-de-poule)"/.test(e.message))).toEqual([]);
  });

  it('reads retention.yaml: a default and one rule per known category', () => {
    const r = parseTownPack({
      ...valid(),
      'retention.yaml':
        'default: { months: 36, action: anonymise }\ncategories:\n  - { category: nid-de-poule, months: 24, action: delete }\n',
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.pack.retention).toEqual({
      default: { months: 36, action: 'anonymise' },
      categories: [{ category: 'nid-de-poule', months: 24, action: 'delete' }],
    });
    const ghost = errorsOf({ ...valid(), 'retention.yaml': 'categories:\n  - { category: ghost, months: 24, action: anonymise }\n' });
    expect(at(ghost, 'retention.yaml', 'categories.0.category')?.message).toBe('unknown category code "ghost"');
    const errors = errorsOf({
      ...valid(),
      'retention.yaml':
        'categories:\n  - { category: ghost, months: 24, action: anonymise }\n  - { category: nid-de-poule, months: -1, action: burn }\n',
    });
    expect(at(errors, 'retention.yaml', 'categories.1.months')).toBeDefined();
    expect(at(errors, 'retention.yaml', 'categories.1.action')).toBeDefined();
  });

  it('requires area and areaName together, and a polygon of 3 points', () => {
    const errors = errorsOf({
      ...valid(),
      'routing.yaml':
        '- { category: nid-de-poule, department: voirie, areaName: Nord }\n- { category: nid-de-poule, department: voirie, areaName: Sud, area: [[0, 47], [1, 47]] }\n',
    });
    expect(at(errors, 'routing.yaml', '0.area')?.message).toMatch(/go together/);
    expect(at(errors, 'routing.yaml', '1.area')?.message).toMatch(/at least 3/);
  });

  it('refuses a routing area whose sides cross (a bow-tie), closed or not; a closed square is fine', () => {
    const errors = errorsOf({
      ...valid(),
      'routing.yaml':
        '- { category: nid-de-poule, department: voirie, areaName: Noeud, area: [[0, 47], [2, 49], [2, 47], [0, 50]] }\n' +
        '- { category: nid-de-poule, department: voirie, areaName: Carre, area: [[0, 47], [1, 47], [1, 48], [0, 48], [0, 47]] }\n',
    });
    expect(at(errors, 'routing.yaml', '0.area')?.message).toMatch(/sides cross each other/);
    expect(at(errors, 'routing.yaml', '1.area')).toBeUndefined();
  });

  it('checks cross-references and duplicates', () => {
    const errors = errorsOf({
      ...valid(),
      'departments.yaml': departments + '- { code: voirie, name: Doublon, kind: service, parent: nowhere }\n',
      'categories.yaml': categories + '- { code: nid-de-poule, nameFr: X, nameEn: X, department: ghost }\n',
      'routing.yaml':
        routing + '- { category: unknown-cat, department: ghost }\n- { category: nid-de-poule, department: voirie, position: 0 }\n',
      'agents.yaml': agents + '- { email: a@test.fr, displayName: Twin, role: head, departments: [voirie, ghost] }\n',
    });
    expect(at(errors, 'departments.yaml', '3.code')?.message).toMatch(/duplicate department code "voirie"/);
    expect(at(errors, 'departments.yaml', '3.parent')?.message).toMatch(/unknown department code "nowhere"/);
    expect(at(errors, 'categories.yaml', '1.code')?.message).toMatch(/duplicate category/);
    expect(at(errors, 'categories.yaml', '1.department')?.message).toMatch(/"ghost"/);
    expect(at(errors, 'routing.yaml', '1.category')?.message).toMatch(/"unknown-cat"/);
    expect(at(errors, 'routing.yaml', '1.department')?.message).toMatch(/"ghost"/);
    expect(at(errors, 'routing.yaml', '2.position')?.message).toMatch(/share position 0/);
    expect(at(errors, 'agents.yaml', '2.email')?.message).toMatch(/duplicate email/);
    expect(at(errors, 'agents.yaml', '2.departments.1')?.message).toMatch(/"ghost"/);
  });

  it('refuses department cycles and a service as parent of a direction', () => {
    const errors = errorsOf({
      ...valid(),
      'departments.yaml': `- { code: a, name: A, kind: direction, parent: c }
- { code: b, name: B, kind: direction, parent: a }
- { code: c, name: C, kind: direction, parent: b }
- { code: voirie, name: Voirie, kind: service, parent: null }
- { code: dir, name: Dir, kind: direction, parent: voirie }
- { code: self, name: Self, kind: service, parent: self }
`,
    });
    const cycles = errors.filter((e) => /cycle/.test(e.message));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]?.message).toMatch(/a → c → b → a|a → b → c → a|cycle in departments/);
    expect(at(errors, 'departments.yaml', '4.parent')?.message).toMatch(/service "voirie" cannot be the parent of the direction "dir"/);
    expect(at(errors, 'departments.yaml', '5.parent')?.message).toMatch(/own parent/);
  });

  it('round-trips through serializeTownPack, without passwords by default', () => {
    const r = parseTownPack(valid());
    if (!r.ok) throw new Error('invalid');
    const files = serializeTownPack(r.pack);
    expect(files['agents.yaml']).not.toMatch(/password/);
    const again = parseTownPack(files);
    if (!again.ok) throw new Error(JSON.stringify(again.errors));
    const { agents: a1, ...rest1 } = r.pack;
    const { agents: a2, ...rest2 } = again.pack;
    expect(rest2).toEqual(rest1);
    expect(a2).toEqual(a1.map(({ password: _p, ...a }) => a));
    expect(serializeTownPack(r.pack, { includeAgents: false })['agents.yaml']).toBeUndefined();
  });
});

describe('parseTownPack: a métropole and its communes', () => {
  const metropoleTown = town.replace('code: test', 'code: grand-test\nkind: metropole\ncommunes: [test]');
  it('reads a métropole with a shared department, and a commune whose category and routing go to it', () => {
    const m = parseTownPack({
      ...valid(),
      'town.yaml': metropoleTown,
      'departments.yaml': departments + '- { code: collecte, name: Collecte, kind: service, parent: dgs, shared: true }\n',
    });
    expect(m.ok && m.pack.departments.find((d) => d.code === 'collecte')?.shared).toBe(true);
    expect(m.ok && m.pack.town).toMatchObject({ kind: 'metropole', communes: ['test'] });
    const c = parseTownPack({
      ...valid(),
      'town.yaml': town + 'metropole: grand-test\n',
      'categories.yaml':
        categories + "- { code: encombrants, nameFr: Encombrants, nameEn: Bulky waste, department: 'metropole:collecte' }\n",
      'routing.yaml': routing + "- { category: nid-de-poule, department: 'metropole:collecte', position: 5 }\n",
    });
    expect(c.ok && c.pack.categories.map((k) => k.department)).toEqual(['voirie', 'metropole:collecte']);
  });

  it('refuses a shared department outside a métropole, a métropole of a métropole, and metropole: without a métropole', () => {
    const errors = errorsOf({
      ...valid(),
      'departments.yaml': departments + '- { code: collecte, name: Collecte, kind: service, parent: dgs, shared: true }\n',
      'categories.yaml': categories + "- { code: encombrants, nameFr: E, nameEn: E, department: 'metropole:collecte' }\n",
      'routing.yaml': routing + "- { category: nid-de-poule, department: 'metropole:Bad Code', position: 5 }\n",
    });
    expect(at(errors, 'departments.yaml', '3.shared')?.message).toMatch(/only a métropole/);
    expect(at(errors, 'categories.yaml', '1.department')?.message).toMatch(/names no métropole/);
    expect(at(errors, 'routing.yaml', '1.department')?.message).toMatch(/metropole:<code>/);
    const twice = errorsOf({ ...valid(), 'town.yaml': metropoleTown + 'metropole: other\n' });
    expect(at(twice, 'town.yaml', 'metropole')?.message).toMatch(/belongs to no métropole/);
    const members = errorsOf({ ...valid(), 'town.yaml': town + 'communes: [a]\n' });
    expect(at(members, 'town.yaml', 'communes')?.message).toMatch(/only a métropole/);
  });
});
