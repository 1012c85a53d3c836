/**
 * Public ticket reference, short enough to be read over the phone: `GRC-2026-004217`.
 * prefix (2–6 uppercase letters, configured per town) - year (4 digits) - sequence
 * (zero-padded to at least 6 digits, more when the year goes past 999 999 requests).
 */
export const REFERENCE_PREFIX_PATTERN = /^[A-Z]{2,6}$/;
export const REFERENCE_SEQUENCE_MIN_DIGITS = 6;
/** Above this the sequence would no longer be an exact JS number. */
export const REFERENCE_SEQUENCE_MAX = 999_999_999_999;

export interface ReferenceParts {
  prefix: string;
  year: number;
  sequence: number;
}

export const isReferencePrefix = (p: string): boolean => REFERENCE_PREFIX_PATTERN.test(p);
const isYear = (y: number): boolean => Number.isInteger(y) && y >= 1000 && y <= 9999;
const isSequence = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= REFERENCE_SEQUENCE_MAX;

/** Canonical reference; throws RangeError on a bad prefix, year or sequence (programming error). */
export function formatReference(prefix: string, year: number, seq: number): string {
  if (!isReferencePrefix(prefix)) throw new RangeError(`invalid reference prefix "${prefix}" (2 to 6 uppercase letters)`);
  if (!isYear(year)) throw new RangeError(`invalid reference year ${year}`);
  if (!isSequence(seq)) throw new RangeError(`invalid reference sequence ${seq}`);
  return `${prefix}-${year}-${String(seq).padStart(REFERENCE_SEQUENCE_MIN_DIGITS, '0')}`;
}

// spaces (incl. non-breaking), every kind of dash, dots, underscores, slashes
const SEPARATORS = /[\s\u00a0\u2000-\u200b\u202f\u2010-\u2015\u2212\-_./]+/;
const LEADING_PREFIX = /^([A-Z]{2,6})(?![A-Z])/;
const DIGITS = /^[0-9O]+$/;

/**
 * Reads what a citizen typed or dictated: tolerant of lowercase, spaces, missing or odd dashes,
 * and the letter O typed for a zero in the digits. `grc 2026 4217` → parts of `GRC-2026-004217`.
 * When separators are used, the first group of digits must be the 4-digit year (`GRC-26-4217` is
 * refused rather than guessed). When the prefix is missing, `defaultPrefix` (the town's) is used
 * if given. Null when invalid; never throws.
 */
export function parseReferenceParts(text: string, options: { defaultPrefix?: string } = {}): ReferenceParts | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  let rest = text.toUpperCase().trim();
  let prefix = options.defaultPrefix;
  const m = LEADING_PREFIX.exec(rest);
  if (m?.[1] !== undefined) {
    prefix = m[1];
    rest = rest.slice(m[1].length);
  }
  if (prefix === undefined || !isReferencePrefix(prefix)) return null;
  const groups = rest.split(SEPARATORS).filter((g) => g !== '');
  if (groups.length === 0 || !groups.every((g) => DIGITS.test(g))) return null;
  const digits = groups.join('').replace(/O/g, '0');
  if (groups.length > 1 && (groups[0] ?? '').length !== 4) return null;
  if (digits.length < 5 || digits.length > 16) return null;
  const year = Number(digits.slice(0, 4));
  const sequence = Number(digits.slice(4));
  if (!isYear(year) || !isSequence(sequence)) return null;
  return { prefix, year, sequence };
}

/** Canonical form of what was typed (`grc 2026 4217` → `GRC-2026-004217`), or null when invalid. */
export function parseReference(text: string, options: { defaultPrefix?: string } = {}): string | null {
  const p = parseReferenceParts(text, options);
  return p && formatReference(p.prefix, p.year, p.sequence);
}
