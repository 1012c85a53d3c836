import fc from 'fast-check';
import {
  ancestryIndex,
  DepartmentNode,
  departmentPath,
  descendantIds,
  validateKindChange,
  validateParentChange,
  visibleDepartmentIds,
} from './department-tree';

type Dept = DepartmentNode & { name: string };
const d = (id: string, parentId: string | null, kind: 'direction' | 'service', name = id, active = true): Dept => ({
  id,
  parentId,
  kind,
  active,
  name,
});

// DGS ─┬─ DST ─┬─ voirie ── voirie-nord
//      │       └─ espaces-verts (inactive)
//      └─ DAF ── etat-civil
// police (root service)
const ALL: Dept[] = [
  d('dgs', null, 'direction', 'Direction générale des services'),
  d('dst', 'dgs', 'direction', 'Direction des services techniques'),
  d('voirie', 'dst', 'service', 'Voirie'),
  d('voirie-nord', 'voirie', 'service', 'Voirie secteur nord'),
  d('espaces-verts', 'dst', 'service', 'Espaces verts', false),
  d('daf', 'dgs', 'direction', 'Direction des affaires familiales'),
  d('etat-civil', 'daf', 'service', 'État civil'),
  d('police', null, 'service', 'Police municipale'),
];

describe('visibleDepartmentIds', () => {
  it.each([
    [[], []],
    [['voirie-nord'], ['voirie-nord']],
    [['voirie'], ['voirie', 'voirie-nord']],
    [['dst'], ['dst', 'voirie', 'voirie-nord', 'espaces-verts']],
    [['dgs'], ['dgs', 'dst', 'voirie', 'voirie-nord', 'espaces-verts', 'daf', 'etat-civil']],
    [
      ['etat-civil', 'voirie'],
      ['voirie', 'voirie-nord', 'etat-civil'],
    ],
    [
      ['voirie', 'dst'],
      ['dst', 'voirie', 'voirie-nord', 'espaces-verts'],
    ],
    [
      ['police', 'unknown'],
      ['police', 'unknown'],
    ],
  ])('%j → %j', (memberOf, expected) => {
    expect(visibleDepartmentIds(ALL, memberOf)).toEqual(expected);
  });

  it('terminates on corrupt data with a cycle', () => {
    const cyclic = [d('a', 'b', 'service'), d('b', 'a', 'service')];
    expect(visibleDepartmentIds(cyclic, ['a']).sort()).toEqual(['a', 'b']);
    expect(departmentPath(cyclic, 'a')).toEqual(['b', 'a']);
  });

  it('property: contains the member departments, and is closed under "child of"', () => {
    // random forest: each node's parent has a smaller index
    const forest = fc
      .array(fc.option(fc.nat(), { nil: null }), { maxLength: 15 })
      .map((parents) => parents.map((p, i) => d(`n${i}`, p === null || i === 0 ? null : `n${p % i}`, 'service')));
    fc.assert(
      fc.property(forest, fc.array(fc.nat(20)), (all, picks) => {
        const memberOf = picks.filter((i) => i < all.length).map((i) => `n${i}`);
        const visible = new Set(visibleDepartmentIds(all, memberOf));
        for (const m of memberOf) expect(visible.has(m)).toBe(true);
        for (const x of all) if (x.parentId !== null && visible.has(x.parentId)) expect(visible.has(x.id)).toBe(true);
        // and nothing else: every visible node has a member among its ancestors (or is one)
        for (const v of visible) {
          const chain = departmentPath(all, v);
          expect(chain.some((name) => memberOf.includes(name))).toBe(true);
        }
      }),
    );
  });
});

describe('departmentPath', () => {
  it.each([
    ['dgs', ['Direction générale des services']],
    ['voirie-nord', ['Direction générale des services', 'Direction des services techniques', 'Voirie', 'Voirie secteur nord']],
    ['police', ['Police municipale']],
    ['nope', []],
  ])('%s → %j', (id, expected) => expect(departmentPath(ALL, id)).toEqual(expected));
});

describe('validateParentChange', () => {
  it.each([
    ['voirie', 'daf', null],
    ['voirie-nord', 'dst', null],
    ['dst', null, null],
    ['voirie', 'police', null], // a service under a service
    ['daf', 'dst', null], // a direction under a direction
    ['voirie', 'voirie', 'department.parent_is_self'],
    ['dst', 'voirie-nord', 'department.parent_cycle'],
    ['dgs', 'etat-civil', 'department.parent_cycle'],
    ['daf', 'voirie', 'department.direction_under_service'],
    ['voirie', 'ghost', 'department.parent_not_found'],
  ] as const)('%s under %s → %s', (id, parent, code) => {
    const r = validateParentChange(ALL, id, parent);
    if (code === null) expect(r).toEqual({ ok: true });
    else expect(r).toMatchObject({ ok: false, code, field: 'parentId' });
  });

  it('checks a department being created with its kind', () => {
    expect(validateParentChange(ALL, 'new', 'police', 'direction')).toMatchObject({
      ok: false,
      code: 'department.direction_under_service',
    });
    expect(validateParentChange(ALL, 'new', 'police', 'service').ok).toBe(true);
  });

  it('property: accepted moves never create a cycle', () => {
    const ids = ALL.map((x) => x.id);
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.option(fc.constantFrom(...ids), { nil: null }), (id, parent) => {
        if (!validateParentChange(ALL, id, parent).ok) return;
        const moved = ALL.map((x) => (x.id === id ? { ...x, parentId: parent } : x));
        expect(descendantIds(moved, [id]).has(parent ?? '')).toBe(false);
        let cur: string | null = id;
        const seen = new Set<string>();
        while (cur !== null) {
          expect(seen.has(cur)).toBe(false);
          seen.add(cur);
          cur = moved.find((x) => x.id === cur)?.parentId ?? null;
        }
      }),
    );
  });
});

describe('validateKindChange', () => {
  it('refuses a service with directions below, and a direction under a service', () => {
    expect(validateKindChange(ALL, 'dgs', 'service')).toMatchObject({ ok: false, code: 'department.service_with_directions' });
    expect(validateKindChange(ALL, 'voirie-nord', 'direction')).toMatchObject({ ok: false, code: 'department.direction_under_service' });
    expect(validateKindChange(ALL, 'voirie', 'direction').ok).toBe(true);
    expect(validateKindChange(ALL, 'daf', 'service').ok).toBe(true);
  });
});

describe('ancestryIndex', () => {
  it('gives each department its chain from the root, itself last (a figure rolled up counts under each)', () => {
    const up = ancestryIndex(ALL);
    expect(up.get('voirie-nord')).toEqual(['dgs', 'dst', 'voirie', 'voirie-nord']);
    expect(up.get('etat-civil')).toEqual(['dgs', 'daf', 'etat-civil']);
    expect(up.get('police')).toEqual(['police']);
    expect(up.size).toBe(ALL.length);
  });
});
