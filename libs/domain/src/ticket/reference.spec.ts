import fc from 'fast-check';
import { formatReference, parseReference, parseReferenceParts } from './reference';

describe('formatReference', () => {
  it.each([
    ['GRC', 2026, 4217, 'GRC-2026-004217'],
    ['GRC', 2026, 1, 'GRC-2026-000001'],
    ['VDP', 2030, 999_999, 'VDP-2030-999999'],
    ['AB', 2026, 1_000_000, 'AB-2026-1000000'],
    ['ABCDEF', 1999, 42, 'ABCDEF-1999-000042'],
  ])('%s %d %d → %s', (prefix, year, seq, expected) => {
    expect(formatReference(prefix, year, seq)).toBe(expected);
  });

  it.each([
    ['grc', 2026, 1],
    ['G', 2026, 1],
    ['ABCDEFG', 2026, 1],
    ['G1C', 2026, 1],
    ['GRC', 999, 1],
    ['GRC', 10000, 1],
    ['GRC', 2026.5, 1],
    ['GRC', 2026, 0],
    ['GRC', 2026, -3],
    ['GRC', 2026, 1.5],
    ['GRC', 2026, Number.NaN],
  ])('refuses %s %d %d', (prefix, year, seq) => {
    expect(() => formatReference(prefix, year, seq)).toThrow(RangeError);
  });
});

describe('parseReference', () => {
  it.each([
    ['GRC-2026-004217', 'GRC-2026-004217'],
    ['grc 2026 4217', 'GRC-2026-004217'],
    ['GRC20264217', 'GRC-2026-004217'],
    ['GRC2026004217', 'GRC-2026-004217'],
    ['  grc-2026-004217  ', 'GRC-2026-004217'],
    ['GRC–2026–004217', 'GRC-2026-004217'], // en dashes from a word processor
    ['GRC 2O26 OO4217', 'GRC-2026-004217'], // letter O typed for zero
    ['grc.2026.4217', 'GRC-2026-004217'],
    ['GRC / 2026 / 4 217', 'GRC-2026-004217'],
    ['GRC\u00a02026\u00a04217', 'GRC-2026-004217'],
    ['ECO-2026-4217', 'ECO-2026-004217'], // a prefix may itself end with O
    ['eco20264217', 'ECO-2026-004217'],
    ['GRC-2026-0004217', 'GRC-2026-004217'],
    ['GRC-2026-1234567', 'GRC-2026-1234567'],
  ])('%j → %s', (text, expected) => {
    expect(parseReference(text)).toBe(expected);
  });

  it.each([
    [''],
    ['   '],
    ['GRC'],
    ['GRC-2026'],
    ['GRC-2026-'],
    ['GRC-26-4217'],
    ['G-2026-4217'],
    ['ABCDEFG-2026-4217'],
    ['GRC-2026-000000'],
    ['GRC-2026-42X7'],
    ['GRC-0999-4217'],
    ['GRC-2026-1234567890123'],
    ['2026-4217'], // no prefix and no default
    ['GRC-2026-4217; DROP TABLE'],
    ['x'.repeat(100)],
  ])('%j → null', (text) => {
    expect(parseReference(text)).toBeNull();
  });

  it('uses the town prefix when the citizen gives only the numbers', () => {
    expect(parseReference('2026 4217', { defaultPrefix: 'GRC' })).toBe('GRC-2026-004217');
    expect(parseReference('VDP 2026 4217', { defaultPrefix: 'GRC' })).toBe('VDP-2026-004217');
    expect(parseReference('2026 4217', { defaultPrefix: 'bad' })).toBeNull();
  });

  it('returns the parts', () => {
    expect(parseReferenceParts('grc 2026 4217')).toEqual({ prefix: 'GRC', year: 2026, sequence: 4217 });
  });
});

describe('reference properties', () => {
  const prefix = fc.stringMatching(/^[A-Z]{2,6}$/);
  const year = fc.integer({ min: 1000, max: 9999 });
  const seq = fc.integer({ min: 1, max: 999_999_999_999 });

  it('round-trips format → parse', () => {
    fc.assert(
      fc.property(prefix, year, seq, (p, y, s) => {
        const ref = formatReference(p, y, s);
        expect(parseReference(ref)).toBe(ref);
        expect(parseReferenceParts(ref)).toEqual({ prefix: p, year: y, sequence: s });
      }),
    );
  });

  it('survives the ways a reference gets mangled (case, separators, O for 0)', () => {
    const separator = fc.constantFrom('', ' ', '-', '  ', ' - ', '.', '–');
    fc.assert(
      fc.property(prefix, year, seq, separator, separator, fc.boolean(), fc.boolean(), (p, y, s, s1, s2, lower, oForZero) => {
        const ref = formatReference(p, y, s);
        let digits1 = String(y);
        let digits2 = String(s).padStart(6, '0');
        if (oForZero) {
          digits1 = digits1.replace(/0/g, 'O');
          digits2 = digits2.replace(/0/g, 'O');
        }
        let typed = `${p}${s1}${digits1}${s2}${digits2}`;
        if (lower) typed = typed.toLowerCase();
        expect(parseReference(typed)).toBe(ref);
      }),
    );
  });

  it('never throws and only returns canonical references', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const r = parseReference(text);
        if (r !== null) expect(r).toMatch(/^[A-Z]{2,6}-\d{4}-\d{6,12}$/);
      }),
    );
  });
});
