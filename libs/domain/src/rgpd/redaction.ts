import { findPhoneNumbersInText } from 'libphonenumber-js/min';

/**
 * The anonymisation's rules on values (pure): what a text, a JSON document or a position keeps once its
 * person is gone. The API's anonymisation module applies them to the columns the registry
 * (`personal-data.ts`) marks `redact`, `redact-json` and `round`.
 */

/** The codes that replace what was removed: stable, language-neutral, readable in a timeline. */
export const REDACTED = { email: '[email]', phone: '[téléphone]', name: '[nom]' } as const;
/** What a personal field's value becomes in a JSON document (an audit diff keeps that it changed, not the value). */
export const CHANGED = 'changed';

const EMAIL = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

/**
 * Words of a name that are not redacted on their own (they are redacted inside the whole name): particles
 * and words too short to be a name, so that "Le Goff" does not turn every "le" of a text into [nom].
 */
const PARTICLES = new Set([
  'de',
  'du',
  'des',
  'le',
  'la',
  'les',
  'van',
  'von',
  'der',
  'den',
  'di',
  'da',
  'del',
  'el',
  'al',
  'ben',
  'bin',
  'mac',
  'mc',
  'saint',
  'sainte',
  'st',
  'ste',
  'et',
  'and',
]);

/** Lower case, accents and other combining marks removed, one output character per input character. */
function foldWithIndex(text: string): { folded: string; origin: number[] } {
  const out: string[] = [];
  const origin: number[] = [];
  let i = 0;
  for (const ch of text) {
    // ASCII (most of a French text) folds to itself in lower case: no normalisation per character
    if (ch.charCodeAt(0) < 128) {
      out.push(ch.toLowerCase());
      origin.push(i);
    } else {
      for (const c of ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()) {
        out.push(c);
        origin.push(i);
      }
    }
    i += ch.length;
  }
  origin.push(i);
  return { folded: out.join(''), origin };
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The names to look for, longest first: each whole name, then each significant word. */
function namePatterns(knownNames: readonly string[]): string[] {
  const whole = new Set<string>();
  const words = new Set<string>();
  for (const raw of knownNames) {
    const name = fold(raw ?? '')
      .replace(/\s+/g, ' ')
      .trim();
    if (name.length < 2) continue;
    whole.add(name);
    for (const w of name.split(/[^\p{L}\p{N}]+/u)) if (w.length >= 3 && !PARTICLES.has(w)) words.add(w);
  }
  return [...whole, ...words].sort((a, b) => b.length - a.length);
}

function replaceRanges(text: string, ranges: Array<[number, number]>, code: string): string {
  let out = '';
  let at = 0;
  for (const [s, e] of ranges.sort((a, b) => a[0] - b[0])) {
    if (s < at) continue;
    out += text.slice(at, s) + code;
    at = e;
  }
  return out + text.slice(at);
}

/** A word: a maximal run of letters and digits (a name matches whole words only). Compiled once. */
const WORD = /[\p{L}\p{N}]+/gu;
const SPACES = /^\s+$/;

interface Token {
  w: string;
  s: number;
  e: number;
}
function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD)) out.push({ w: m[0], s: m.index, e: m.index + m[0].length });
  return out;
}

/** A name as words and what separates them (' ': any run of white space; else the same characters). */
interface NamePattern {
  words: string[];
  seps: string[];
  length: number;
}
function namePattern(p: string): NamePattern | null {
  const t = tokens(p);
  if (!t.length) return null;
  return { words: t.map((x) => x.w), seps: t.slice(1).map((x, i) => p.slice(t[i]!.e, x.s)), length: p.length };
}

/**
 * A person's names by their first word, longest first (null: nothing to look for), kept for the next texts of
 * the same person. A match is a run of the text's words equal to the name's words, with the same separators:
 * the whole words of a text compared with a set, rather than a pattern compiled per person (the
 * anonymisation's profile showed the compilation of such patterns, one per requester, as its main cost).
 */
type NameIndex = Map<string, NamePattern[]>;
const nameIndexCache = new Map<string, NameIndex | null>();
function nameIndex(knownNames: readonly string[]): NameIndex | null {
  const key = knownNames.join('\u0000');
  const hit = nameIndexCache.get(key);
  if (hit !== undefined) return hit;
  const patterns = namePatterns(knownNames)
    .map(namePattern)
    .filter((p): p is NamePattern => !!p);
  let index: NameIndex | null = null;
  if (patterns.length) {
    index = new Map();
    for (const p of patterns) index.set(p.words[0]!, [...(index.get(p.words[0]!) ?? []), p]);
  }
  if (nameIndexCache.size > 1000) nameIndexCache.clear();
  nameIndexCache.set(key, index);
  return index;
}

/** The ranges (in `folded`) of the names found, leftmost first, the longest name at each place. */
function nameRanges(folded: string, index: NameIndex): Array<[number, number]> {
  const t = tokens(folded);
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < t.length; i++) {
    const candidates = index.get(t[i]!.w);
    if (!candidates) continue;
    const found = candidates.find(
      (p) =>
        i + p.words.length <= t.length &&
        p.words.every((w, k) => t[i + k]!.w === w) &&
        p.seps.every((sep, k) => {
          const between = folded.slice(t[i + k]!.e, t[i + k + 1]!.s);
          return sep === ' ' ? SPACES.test(between) : between === sep;
        }),
    );
    if (!found) continue;
    ranges.push([t[i]!.s, t[i + found.words.length - 1]!.e]);
    i += found.words.length - 1;
  }
  return ranges;
}

function redactNames(text: string, knownNames: readonly string[]): string {
  const index = nameIndex(knownNames);
  if (!index) return text;
  // fast path: most texts do not name the person; the per-character mapping is built only when one does
  if (!nameRanges(fold(text), index).length) return text;
  const { folded, origin } = foldWithIndex(text);
  const ranges = nameRanges(folded, index).map(([s, e]): [number, number] => [origin[s]!, origin[e]!]);
  return replaceRanges(text, ranges, REDACTED.name);
}

/** At least 8 digits with the separators phone numbers are written with: a text without them holds no phone number. */
const MAYBE_PHONE = /(?:\d[\s.\-()/]*){8,}/;

function redactPhones(text: string): string {
  if (!MAYBE_PHONE.test(text)) return text;
  const found = findPhoneNumbersInText(text, { defaultCountry: 'FR' });
  return replaceRanges(
    text,
    found.map((f) => [f.startsAt, f.endsAt]),
    REDACTED.phone,
  );
}

/**
 * A text without its person: e-mail addresses, phone numbers (French and international, as
 * libphonenumber-js finds them, French by default) and the person's known names (whole words, case and
 * accents ignored; a name's particles only inside the whole name) replaced by `[email]`, `[téléphone]`,
 * `[nom]`. The rest of the text is kept: what was asked and answered stays for the town's history.
 */
export function redactText(text: string, knownNames: readonly string[] = []): string {
  if (!text) return text;
  let out = text.includes('@') ? text.replace(EMAIL, REDACTED.email) : text;
  out = redactPhones(out);
  return redactNames(out, knownNames);
}

/**
 * Keys of a JSON document whose values are personal whatever they say (a citizen's fields in an audit diff,
 * an Open311 device, a file's name): every leaf below them becomes "changed". Not `from`/`to`: they carry the
 * status, priority and category history (an e-mail sender under `from` is caught by the text's redaction).
 */
export const PERSONAL_KEYS: ReadonlySet<string> = new Set(
  [
    'firstName',
    'lastName',
    'organisationName',
    'contactPerson',
    'email',
    'phone',
    'address',
    'postcode',
    'city',
    'toAddress',
    'sender',
    'requester',
    'citizen',
    'ip',
    'deviceId',
    'accountId',
    'mediaUrl',
    'addressId',
    'filename',
  ].map((k) => k.toLowerCase().replace(/_/g, '')),
);
const isPersonalKey = (k: string) => PERSONAL_KEYS.has(k.toLowerCase().replace(/_/g, ''));

function changedLeaves(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(changedLeaves);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, changedLeaves(v)]));
  return CHANGED;
}

/**
 * A JSON document without its person: same keys and shape; values under a personal key become "changed"
 * (null stays null: an audit diff still says the field went from nothing to something); every other string is
 * `redactText`-ed; numbers and booleans stay (identifiers, counts, statuses keep the figures true).
 */
export function redactJson<T>(value: T, knownNames: readonly string[] = []): T {
  const walk = (v: unknown): unknown => {
    if (v === null || v === undefined) return v;
    if (typeof v === 'string') return redactText(v, knownNames);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, isPersonalKey(k) ? changedLeaves(x) : walk(x)]),
      );
    return v;
  };
  return walk(value) as T;
}

/**
 * The grid a kept position is snapped to, in degrees: 0.002° is about 220 m north–south and 150 m east–west
 * in metropolitan France, the order of INSEE's 200 m statistical grid (carroyage), the finest grid at which the
 * INSEE publishes figures about households. Finer (0.001°, ~110 m) can single out one house on a rural road;
 * coarser (0.01°, ~1 km) puts a small town's whole centre on one point and makes maps by neighbourhood false.
 */
export const COARSE_GRID_DEGREES = 0.002;

/** A latitude or longitude snapped to the coarse grid (null stays null), e.g. 48.85837 → 48.858. */
export function coarseCoordinate(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const snapped = Math.round(value / COARSE_GRID_DEGREES) * COARSE_GRID_DEGREES;
  return Number(snapped.toFixed(3));
}
