import fc from 'fast-check';
import { RoutingRuleData, pointInPolygon, routeTicket, rulesForCategory, selfIntersections, validatePolygon } from './routing';

// a 2 × 2 square around (0, 0) and a triangle, in [lng, lat]
const SQUARE: Array<[number, number]> = [
  [-1, -1],
  [1, -1],
  [1, 1],
  [-1, 1],
];
const TRIANGLE: Array<[number, number]> = [
  [0, 0],
  [4, 0],
  [0, 4],
];
// a concave "U" shape
const U: Array<[number, number]> = [
  [0, 0],
  [3, 0],
  [3, 3],
  [2, 3],
  [2, 1],
  [1, 1],
  [1, 3],
  [0, 3],
];

describe('pointInPolygon', () => {
  it.each([
    [[0, 0], SQUARE, true],
    [[0.999, -0.999], SQUARE, true],
    [[1, 0], SQUARE, true], // on an edge
    [[1, 1], SQUARE, true], // on a vertex
    [[-1, 0.5], SQUARE, true],
    [[1.0001, 0], SQUARE, false],
    [[5, 5], SQUARE, false],
    [[1, 1], TRIANGLE, true],
    [[2, 2], TRIANGLE, true], // on the hypotenuse
    [[2.01, 2.01], TRIANGLE, false],
    [[1.5, 2], U, false], // in the notch
    [[0.5, 2], U, true],
    [[2.5, 2], U, true],
    [[1.5, 1], U, true], // bottom of the notch is an edge
    [[1.5, 0.5], U, true],
  ] as const)('%j in %j → %s', (p, poly, expected) => {
    expect(pointInPolygon(p, poly)).toBe(expected);
  });

  it('treats a closed ring like an open one', () => {
    expect(pointInPolygon([0, 0], [...SQUARE, [-1, -1]])).toBe(true);
    expect(pointInPolygon([2, 0], [...SQUARE, [-1, -1]])).toBe(false);
  });

  it('is false for degenerate polygons', () => {
    expect(
      pointInPolygon(
        [0, 0],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    ).toBe(false);
    expect(pointInPolygon([0, 0], [])).toBe(false);
  });
});

describe('pointInPolygon properties', () => {
  const coord = fc.double({ min: -170, max: 170, noNaN: true });
  const rect = fc
    .tuple(coord, coord, coord, coord)
    .filter(([a, b, c, d]) => a !== c && b !== d)
    .map(([a, b, c, d]) => ({
      minX: Math.min(a, c),
      maxX: Math.max(a, c),
      minY: Math.min(b, d),
      maxY: Math.max(b, d),
    }));
  const ring = (r: { minX: number; maxX: number; minY: number; maxY: number }): Array<[number, number]> => [
    [r.minX, r.minY],
    [r.maxX, r.minY],
    [r.maxX, r.maxY],
    [r.minX, r.maxY],
  ];

  it('a point is in a rectangle iff it is within its bounds (edges included)', () => {
    fc.assert(
      fc.property(rect, coord, coord, (r, x, y) => {
        const inside = x >= r.minX && x <= r.maxX && y >= r.minY && y <= r.maxY;
        expect(pointInPolygon([x, y], ring(r))).toBe(inside);
      }),
    );
  });

  it('every vertex and every edge point of a rectangle is inside', () => {
    fc.assert(
      fc.property(rect, fc.double({ min: 0, max: 1, noNaN: true }), (r, t) => {
        for (const v of ring(r)) expect(pointInPolygon(v, ring(r))).toBe(true);
        const x = r.minX + (r.maxX - r.minX) * t;
        expect(pointInPolygon([Math.min(Math.max(x, r.minX), r.maxX), r.minY], ring(r))).toBe(true);
        expect(pointInPolygon([r.maxX, r.minY + (r.maxY - r.minY) * t > r.maxY ? r.maxY : r.minY + (r.maxY - r.minY) * t], ring(r))).toBe(
          true,
        );
      }),
    );
  });

  it('does not depend on vertex order, starting vertex, or closing point', () => {
    const poly = fc.array(fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 })), { minLength: 3, maxLength: 8 });
    const pt = fc.tuple(fc.integer({ min: -25, max: 25 }), fc.integer({ min: -25, max: 25 }));
    fc.assert(
      fc.property(poly, pt, fc.nat(), (p, q, k) => {
        const expected = pointInPolygon(q, p);
        const s = k % p.length;
        const rotated = [...p.slice(s), ...p.slice(0, s)];
        expect(pointInPolygon(q, [...p].reverse())).toBe(expected);
        expect(pointInPolygon(q, rotated)).toBe(expected);
        expect(pointInPolygon(q, [...p, p[0] as [number, number]])).toBe(expected);
      }),
    );
  });
});

describe('routeTicket', () => {
  const rule = (
    id: string,
    position: number,
    departmentId: string,
    area: Array<[number, number]> | null,
    categoryId = 'voirie',
  ): RoutingRuleData => ({
    id,
    categoryId,
    departmentId,
    areaName: area ? `zone ${id}` : null,
    area,
    position,
  });
  const RULES = [
    rule('r-anywhere', 30, 'dept-central', null),
    rule('r-north', 10, 'dept-north', [
      [0, 10],
      [10, 10],
      [10, 20],
      [0, 20],
    ]),
    rule('r-south', 20, 'dept-south', [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ]),
    rule('r-other-cat', 0, 'dept-parks', null, 'espaces-verts'),
  ];

  it.each([
    ['north', { lat: 15, lng: 5 }, 'dept-north', 'r-north', 'area_match'],
    ['on the shared border: the first rule wins', { lat: 10, lng: 5 }, 'dept-north', 'r-north', 'area_match'],
    ['south', { lat: 5, lng: 5 }, 'dept-south', 'r-south', 'area_match'],
    ['outside every area', { lat: 50, lng: 50 }, 'dept-central', 'r-anywhere', 'rule_without_area'],
    ['no location', undefined, 'dept-central', 'r-anywhere', 'rule_without_area'],
  ] as const)('%s', (_label, location, departmentId, ruleId, reason) => {
    expect(routeTicket(RULES, 'dept-default', { categoryId: 'voirie', location })).toMatchObject({ departmentId, ruleId, reason });
  });

  it('falls back on the category default', () => {
    const areaOnly = RULES.filter((r) => r.id !== 'r-anywhere');
    expect(routeTicket(areaOnly, 'dept-default', { categoryId: 'voirie', location: { lat: 50, lng: 50 } })).toEqual({
      departmentId: 'dept-default',
      ruleId: null,
      reason: 'category_default',
      explanation: 'Aucune règle d’aiguillage ne correspond : service par défaut de la catégorie.',
    });
    expect(routeTicket(areaOnly, 'dept-default', { categoryId: 'voirie' }).reason).toBe('category_default');
    expect(routeTicket([], 'dept-default', { categoryId: 'voirie' }).departmentId).toBe('dept-default');
  });

  it('explains in French with the area name', () => {
    expect(routeTicket(RULES, 'd', { categoryId: 'voirie', location: { lat: 15, lng: 5 } }).explanation).toContain('« zone r-north »');
  });

  it('orders by position then id', () => {
    const rs = [rule('b', 1, 'B', null), rule('a', 1, 'A', null), rule('c', 0, 'C', null, 'x')];
    expect(rulesForCategory(rs, 'voirie').map((r) => r.id)).toEqual(['a', 'b']);
    expect(routeTicket(rs, 'd', { categoryId: 'voirie' }).ruleId).toBe('a');
  });

  describe('properties', () => {
    const cell = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }));
    const ruleArb = fc.record({
      id: fc.uuid(),
      categoryId: fc.constantFrom('voirie', 'proprete'),
      departmentId: fc.constantFrom('d1', 'd2', 'd3'),
      areaName: fc.constant(null),
      area: fc.option(
        cell.map(([x, y]): Array<[number, number]> => [
          [x, y],
          [x + 1, y],
          [x + 1, y + 1],
          [x, y + 1],
        ]),
        { nil: null },
      ),
      position: fc.integer({ min: 0, max: 5 }),
    });
    const location = fc.option(
      fc.record({ lat: fc.double({ min: -1, max: 11, noNaN: true }), lng: fc.double({ min: -1, max: 11, noNaN: true }) }),
      { nil: undefined },
    );

    it('picks the first matching rule of the category, else the default', () => {
      fc.assert(
        fc.property(fc.array(ruleArb, { maxLength: 8 }), location, (rules, loc) => {
          const d = routeTicket(rules, 'default', { categoryId: 'voirie', location: loc });
          const candidates = rulesForCategory(rules, 'voirie');
          const matches = candidates.filter((r) => r.area === null || (loc !== undefined && pointInPolygon([loc.lng, loc.lat], r.area)));
          if (matches.length === 0) expect(d).toMatchObject({ departmentId: 'default', ruleId: null, reason: 'category_default' });
          else expect(d).toMatchObject({ departmentId: matches[0]?.departmentId, ruleId: matches[0]?.id });
        }),
      );
    });

    it('ignores rules of other categories and the order the rules come in', () => {
      fc.assert(
        fc.property(fc.array(ruleArb, { maxLength: 8 }), location, (rules, loc) => {
          const d = routeTicket(rules, 'default', { categoryId: 'voirie', location: loc });
          expect(routeTicket([...rules].reverse(), 'default', { categoryId: 'voirie', location: loc })).toEqual(d);
          expect(
            routeTicket(
              rules.filter((r) => r.categoryId === 'voirie'),
              'default',
              { categoryId: 'voirie', location: loc },
            ),
          ).toEqual(d);
        }),
      );
    });

    it('a rule without area in first position always wins', () => {
      fc.assert(
        fc.property(fc.array(ruleArb, { maxLength: 8 }), location, (rules, loc) => {
          const first = { id: '0', categoryId: 'voirie', departmentId: 'first', areaName: null, area: null, position: -1 };
          expect(routeTicket([...rules, first], 'default', { categoryId: 'voirie', location: loc }).departmentId).toBe('first');
        }),
      );
    });
  });
});

describe('validatePolygon', () => {
  it('accepts a polygon and drops the closing point', () => {
    expect(
      validatePolygon([
        [2.35, 48.85],
        [2.36, 48.85],
        [2.36, 48.86],
        [2.35, 48.85],
      ]),
    ).toEqual({
      ok: true,
      value: [
        [2.35, 48.85],
        [2.36, 48.85],
        [2.36, 48.86],
      ],
    });
    expect(validatePolygon(SQUARE)).toEqual({ ok: true, value: SQUARE });
  });

  it.each([
    [null, 'area', 'polygon.not_an_array'],
    ['POLYGON((0 0))', 'area', 'polygon.not_an_array'],
    [[], 'area', 'polygon.too_few_points'],
    [
      [
        [0, 0],
        [1, 1],
      ],
      'area',
      'polygon.too_few_points',
    ],
    [
      [
        [0, 0],
        [1, 1],
        [0, 0],
      ],
      'area',
      'polygon.too_few_points',
    ],
    [
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      'area',
      'polygon.too_few_points',
    ],
    [
      [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
      'area',
      'polygon.flat',
    ],
    [
      [
        [0, 0],
        [181, 1],
        [2, 0],
      ],
      'area[1]',
      'polygon.longitude_out_of_range',
    ],
    [
      [
        [0, 0],
        [1, 1],
        [2, -90.5],
      ],
      'area[2]',
      'polygon.latitude_out_of_range',
    ],
    [[[0, 0], [1], [2, 0]], 'area[1]', 'polygon.point_invalid'],
    [
      [
        [0, 0],
        ['1', 1],
        [2, 0],
      ],
      'area[1]',
      'polygon.point_invalid',
    ],
    [
      [
        [0, 0],
        [Number.NaN, 1],
        [2, 0],
      ],
      'area[1]',
      'polygon.point_invalid',
    ],
  ])('%j → %s %s', (area, field, code) => {
    const r = validatePolygon(area);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContainEqual(expect.objectContaining({ field, code }));
  });

  it('refuses a ring whose sides cross (a bow-tie) or touch, and says where', () => {
    // asymmetric: its signed surface is not 0, so it is not refused as flat
    const bowTie = validatePolygon([
      [0, 0],
      [2, 2],
      [2, 0],
      [0, 3],
    ]);
    expect(bowTie).toEqual({
      ok: false,
      errors: [expect.objectContaining({ field: 'area', code: 'polygon.self_intersecting' })],
    });
    if (!bowTie.ok) expect(bowTie.errors[0]!.message).toContain('vers 1.20000, 1.20000');
    expect(
      selfIntersections([
        [0, 0],
        [2, 2],
        [2, 0],
        [0, 3],
      ]),
    ).toEqual([[1.2, 1.2]]);
    // a ring passing through one of its own vertices (a figure of eight pinched at a point)
    const pinched = validatePolygon([
      [0, 0],
      [1, 1],
      [2, 0],
      [2, 2],
      [1, 1],
      [0, 2],
    ]);
    expect(pinched.ok).toBe(false);
    // closed or open, a square, a concave "L" and the demo-like 1,000-point circle are fine
    expect(
      validatePolygon([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
        [0, 0],
      ]).ok,
    ).toBe(true);
    expect(
      validatePolygon([
        [0, 0],
        [2, 0],
        [2, 1],
        [1, 1],
        [1, 2],
        [0, 2],
      ]).ok,
    ).toBe(true);
    const circle = Array.from({ length: 1000 }, (_, i) => [
      0.68 + 0.01 * Math.cos((2 * Math.PI * i) / 1000),
      47.39 + 0.01 * Math.sin((2 * Math.PI * i) / 1000),
    ]);
    expect(validatePolygon(circle).ok).toBe(true);
  });

  it('speaks French', () => {
    const r = validatePolygon([
      [0, 0],
      [200, 0],
      [0, 1],
    ]);
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          field: 'area[1]',
          code: 'polygon.longitude_out_of_range',
          message: 'Le point n° 2 a une longitude hors de l’intervalle [-180, 180].',
        },
      ],
    });
  });

  it('property: any non-flat triangle of valid coordinates is accepted', () => {
    const lng = fc.double({ min: -180, max: 180, noNaN: true });
    const lat = fc.double({ min: -90, max: 90, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(lng, lat), { minLength: 3, maxLength: 10 }), (pts) => {
        const r = validatePolygon(pts);
        if (!r.ok)
          for (const e of r.errors) expect(['polygon.flat', 'polygon.too_few_points', 'polygon.self_intersecting']).toContain(e.code);
        else for (const p of r.value) expect(pts).toContainEqual(p);
      }),
    );
  });
});
