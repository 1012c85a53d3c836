import fc from 'fast-check';
import {
  CursorValue,
  INBOX_SORTS,
  INBOX_SORT_VALUES,
  InboxCursorRow,
  compareInboxRows,
  compareToValues,
  decodeCursor,
  decodeInboxCursor,
  encodeCursor,
  inboxCursorFor,
  isInboxSort,
} from './cursor';

describe('encodeCursor / decodeCursor', () => {
  it.each<[CursorValue[]]>([
    [[3, '2026-03-01T10:00:00.123456Z', '0b0f6a6e-2f55-4c8e-9a57-1a3c1f9e0c11']],
    [['éàü — 漢字 😀']],
    [[0, -1, 1.5]],
    [['']],
  ])('round-trips %j', (values) => {
    const c = encodeCursor(values);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual(values);
  });

  it('is base64url of the JSON', () => {
    expect(encodeCursor([1, 'a'])).toBe('WzEsImEiXQ'); // btoa('[1,"a"]') without padding
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => encodeCursor([Number.NaN])).toThrow(RangeError);
    expect(() => encodeCursor([Infinity])).toThrow(RangeError);
  });

  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
  it.each([
    ['empty', ''],
    ['not base64', '!!!'],
    ['padding', 'WzEsImEiXQ=='],
    ['impossible length', 'WzEsI'],
    ['standard base64 chars', 'Wz+/'],
    ['not JSON', b64('hello')],
    ['JSON object', b64('{"a":1}')],
    ['JSON string', b64('"x"')],
    ['empty array', b64('[]')],
    ['nested', b64('[[1]]')],
    ['null value', b64('[null]')],
    ['boolean value', b64('[true]')],
    ['too many values', b64(JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8, 9]))],
    ['invalid UTF-8', Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]).toString('base64url')],
    ['huge', 'A'.repeat(2000)],
    ['not a string', 42],
    ['undefined', undefined],
  ])('%s → null', (_label, text) => {
    expect(decodeCursor(text)).toBeNull();
  });

  it('property: round-trip', () => {
    const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 8 }), (values) => {
        // JSON turns -0 into 0
        expect(decodeCursor(encodeCursor(values))).toEqual(values.map((v) => (Object.is(v, -0) ? 0 : v)));
      }),
    );
  });

  it('property: agrees with Node base64url', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.integer()), { minLength: 1, maxLength: 5 }), (values) => {
        expect(encodeCursor(values)).toBe(Buffer.from(JSON.stringify(values), 'utf8').toString('base64url'));
      }),
    );
  });

  it('property: never throws on garbage', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'AZaz09-_=+/'.split('')) })), (s) => {
        const r = decodeCursor(s);
        expect(r === null || Array.isArray(r)).toBe(true);
      }),
    );
  });
});

describe('INBOX_SORTS', () => {
  it.each([
    ['created_desc', 'created_at desc, id desc'],
    ['created_asc', 'created_at asc, id asc'],
    ['updated_desc', 'updated_at desc, id desc'],
    ['priority_desc', 'priority_rank desc, created_at desc, id desc'],
  ] as const)('%s → %s', (sort, orderBy) => {
    expect(INBOX_SORTS[sort].map((p) => `${p.key} ${p.direction}`).join(', ')).toBe(orderBy);
  });

  it('covers every sort and always ends with the id tiebreaker', () => {
    expect(Object.keys(INBOX_SORTS).sort()).toEqual([...INBOX_SORT_VALUES].sort());
    for (const s of INBOX_SORT_VALUES) expect(INBOX_SORTS[s].at(-1)?.key).toBe('id');
    expect(isInboxSort('priority_desc')).toBe(true);
    expect(isInboxSort('priority_asc')).toBe(false);
  });
});

describe('inbox cursors', () => {
  const row: InboxCursorRow = {
    id: 'b1',
    created_at: '2026-03-01T10:00:00.000Z',
    updated_at: '2026-03-02T08:00:00.000Z',
    priority_rank: 3,
  };

  it('encode the sort keys of a row and check them against the sort', () => {
    const c = inboxCursorFor('priority_desc', row);
    expect(decodeCursor(c)).toEqual([3, '2026-03-01T10:00:00.000Z', 'b1']);
    expect(decodeInboxCursor('priority_desc', c)).toEqual([3, '2026-03-01T10:00:00.000Z', 'b1']);
    expect(decodeInboxCursor('created_desc', c)).toBeNull(); // wrong arity
    expect(decodeInboxCursor('created_desc', encodeCursor([3, 'b1']))).toBeNull(); // wrong type
    expect(decodeInboxCursor('created_desc', 'garbage!')).toBeNull();
  });

  it('puts running deadlines first, then the requests without one, newest first (a shared deadline too)', () => {
    const at = (id: string, created: string, due?: string): InboxCursorRow => ({
      ...row,
      id,
      created_at: `2026-03-0${created}T00:00:00.000Z`,
      ...(due ? { sla_due_at: `2026-05-0${due}T00:00:00.000Z` } : {}),
    });
    const rows = [at('a', '1'), at('b', '2', '3'), at('c', '3', '3'), at('d', '4'), at('e', '1', '1')];
    expect([...rows].sort((x, y) => compareInboxRows('due_asc', x, y)).map((r) => r.id)).toEqual(['e', 'c', 'b', 'd', 'a']);
  });

  it('property: keyset pages (rows strictly after the cursor) list every row exactly once, in order', () => {
    const rowArb = fc.record({
      created_at: fc.integer({ min: 0, max: 5 }).map((d) => `2026-03-0${d + 1}T00:00:00.000Z`),
      updated_at: fc.integer({ min: 0, max: 5 }).map((d) => `2026-04-0${d + 1}T00:00:00.000Z`),
      priority_rank: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 25 }),
        fc.constantFrom(...INBOX_SORT_VALUES),
        fc.integer({ min: 1, max: 6 }),
        (partial, sort, limit) => {
          const rows: InboxCursorRow[] = partial.map((r, i) => ({ ...r, id: `t${String(i).padStart(3, '0')}` }));
          const expected = [...rows].sort((a, b) => compareInboxRows(sort, a, b));
          const seen: InboxCursorRow[] = [];
          let cursor: string | null = null;
          for (let guard = 0; guard < 100; guard++) {
            const after: CursorValue[] | null = cursor === null ? null : decodeInboxCursor(sort, cursor);
            const page = expected.filter((r) => after === null || compareToValues(sort, r, after) > 0).slice(0, limit);
            seen.push(...page);
            if (page.length < limit) break;
            cursor = inboxCursorFor(sort, page[page.length - 1] as InboxCursorRow);
          }
          expect(seen).toEqual(expected);
        },
      ),
    );
  });
});
