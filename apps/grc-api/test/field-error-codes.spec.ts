import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIELD_ERROR_CODES, zodFieldCode } from '@grc/domain';
import { z } from 'zod';

/**
 * Every field error of the API carries a code the console words (issue 13: codes, not sentences): the codes are
 * listed in libs/domain FIELD_ERROR_CODES, which the console's spec (core/field-words.spec.ts) compares with its
 * dictionaries both ways. This reads the API's and the domain's sources and fails when a field error is built
 * with a code that list does not hold: `invalidField(…, 'code')`, `{ field, message, code: '…' }`, the domain's
 * `fieldError(field, 'code', …)` / `problem(field, 'code', …)`, the BAN import's `badFile('code', …)`, the GeoJSON import's `fail(path, 'code')`, and the
 * class-validator decorators of the DTOs (common/validation.ts sends their constraint's name as the code).
 */
const ROOTS = [join(__dirname, '..', 'src'), join(__dirname, '..', '..', '..', 'libs', 'domain', 'src')];

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'migrations') files(p, out);
    } else if (p.endsWith('.ts') && !p.endsWith('.spec.ts')) out.push(p);
  }
  return out;
}

// a decorator's constraint name, where it is not the decorator's name with a lower-case first letter
const CONSTRAINT_OF: Record<string, string> = { IsUUID: 'isUuid', IsOptional: '', ValidateIf: '', ValidateNested: 'nestedValidation' };
const PATTERNS = [
  /invalidField\(\s*[^;]*?,\s*'([\w.]+)'\s*[,)]/gs,
  /\{\s*field:[^{}]*?\bcode: '([\w.]+)'/gs,
  /\b(?:fieldError|problem)\(\s*[^,()]+,\s*'([\w.]+)'/g,
  /\bbadFile\(\s*'([\w.]+)'/g,
  // the GeoJSON import's failures (libs/domain places/geojson.ts)
  /\bfail\(\s*'[^']*',\s*'([\w.]+)'/g,
];

function codesInSources(): Map<string, string> {
  const found = new Map<string, string>();
  for (const f of ROOTS.flatMap((r) => files(r))) {
    const s = readFileSync(f, 'utf8');
    for (const re of PATTERNS) for (const m of s.matchAll(re)) if (!found.has(m[1]!)) found.set(m[1]!, f);
    for (const m of s.matchAll(/@(Is[A-Z]\w*|MaxLength|MinLength|Min|Max|Matches|ArrayMaxSize|ArrayMinSize|Equals|ValidateNested)\(/g)) {
      const name = m[1]!;
      const constraint = name in CONSTRAINT_OF ? CONSTRAINT_OF[name]! : name[0]!.toLowerCase() + name.slice(1);
      if (constraint && !found.has(constraint)) found.set(constraint, f);
    }
  }
  return found;
}

describe('field error codes', () => {
  const found = codesInSources();

  it('finds the field errors of the sources (the scan is not blind)', () => {
    for (const code of [
      'invalid_cursor',
      'stale_version',
      'isCalendarDate',
      'maxLength',
      'citizen.phone_invalid',
      'ban.columns',
      'single',
      'geojson.unknown_department',
    ])
      expect(found.has(code)).toBe(true);
    expect(found.size).toBeGreaterThan(100);
  });

  it('every code a field error is built with is listed in FIELD_ERROR_CODES (and so worded by the console)', () => {
    const listed = new Set<string>(FIELD_ERROR_CODES);
    expect([...found].filter(([code]) => !listed.has(code)).map(([code, file]) => `${code} (${file})`)).toEqual([]);
  });

  it('zod issues map to listed codes', () => {
    const schema = z.object({
      a: z.string().min(1),
      b: z.string().max(3),
      c: z.array(z.string()).min(2),
      d: z.enum(['x', 'y']),
      e: z.string().email(),
      f: z.string().url(),
      g: z.number(),
    });
    const r = schema.safeParse({ a: '', b: 'abcd', c: [], d: 'z', e: 'no', f: 'no', g: 'x' });
    if (r.success) throw new Error('expected issues');
    const mapped = r.error.issues.map(zodFieldCode);
    expect(mapped).toEqual([
      { code: 'required' },
      { code: 'too_long', params: { max: 3 } },
      { code: 'too_few', params: { min: 2 } },
      { code: 'isIn', params: { values: 'x, y' } },
      { code: 'isEmail' },
      { code: 'url' },
      { code: 'invalid_type', params: { expected: 'number' } },
    ]);
    for (const m of mapped) expect(FIELD_ERROR_CODES).toContain(m.code);
  });
});
