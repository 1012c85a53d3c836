/**
 * Keyset pagination for the inbox. A cursor is the sort-key values of the last row of a page,
 * as base64url(JSON) — opaque to the client, and decoding never throws (a bad cursor is null,
 * which the API answers with a 400). Pure: no Buffer, only TextEncoder/TextDecoder (global in
 * Node and browsers).
 */
import type { InboxSort } from '../contracts/api';

export type CursorValue = string | number;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP: Record<string, number> = Object.fromEntries([...ALPHABET].map((c, i) => [c, i]));

function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] as number;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    out += ALPHABET[b0 >> 2];
    out += ALPHABET[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)];
    if (b1 !== undefined) out += ALPHABET[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)];
    if (b2 !== undefined) out += ALPHABET[b2 & 63];
  }
  return out;
}

/** Strict: base64url alphabet, no padding, no impossible length. Null otherwise. */
function base64urlDecode(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let j = 0;
  for (const c of text) {
    const v = LOOKUP[c];
    if (v === undefined || !Object.prototype.hasOwnProperty.call(LOOKUP, c)) return null;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[j++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes.subarray(0, j);
}

export const CURSOR_MAX_LENGTH = 1024;
export const CURSOR_MAX_VALUES = 8;

const isCursorValue = (v: unknown): v is CursorValue => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** base64url(JSON) of the values; throws RangeError on a value JSON cannot carry (NaN, Infinity). */
export function encodeCursor(values: readonly CursorValue[]): string {
  if (!values.every(isCursorValue)) throw new RangeError('cursor values must be strings or finite numbers');
  return base64urlEncode(new TextEncoder().encode(JSON.stringify(values)));
}

/** The values, or null for anything malformed (never throws). */
export function decodeCursor(text: unknown): CursorValue[] | null {
  if (typeof text !== 'string' || text === '' || text.length > CURSOR_MAX_LENGTH) return null;
  try {
    const bytes = base64urlDecode(text);
    if (bytes === null) return null;
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > CURSOR_MAX_VALUES) return null;
    if (!parsed.every(isCursorValue)) return null;
    return parsed;
  } catch {
    return null;
  }
}

// ---------- inbox sorts ----------

export const INBOX_SORT_VALUES: readonly InboxSort[] = ['created_desc', 'created_asc', 'updated_desc', 'priority_desc', 'due_asc'];
export const DEFAULT_INBOX_SORT: InboxSort = 'created_desc';
export const isInboxSort = (v: unknown): v is InboxSort => (INBOX_SORT_VALUES as readonly unknown[]).includes(v);

/** Column-level keys (snake_case, as in the tickets table); timestamps travel as ISO strings. */
export type InboxSortKey = 'created_at' | 'updated_at' | 'priority_rank' | 'sla_due_at' | 'id';
export type SortDirection = 'asc' | 'desc';
export interface InboxSortPart {
  key: InboxSortKey;
  direction: SortDirection;
}

/**
 * Ordered keys of each inbox sort; the last one is always `id`, so the order is total and
 * keyset pagination neither skips nor repeats a ticket.
 */
export const INBOX_SORTS: Readonly<Record<InboxSort, readonly InboxSortPart[]>> = {
  created_desc: [
    { key: 'created_at', direction: 'desc' },
    { key: 'id', direction: 'desc' },
  ],
  created_asc: [
    { key: 'created_at', direction: 'asc' },
    { key: 'id', direction: 'asc' },
  ],
  updated_desc: [
    { key: 'updated_at', direction: 'desc' },
    { key: 'id', direction: 'desc' },
  ],
  priority_desc: [
    { key: 'priority_rank', direction: 'desc' },
    { key: 'created_at', direction: 'desc' },
    { key: 'id', direction: 'desc' },
  ],
  /** SLA: nearest running deadline first; none (or paused, or stopped) last, newest first among them */
  due_asc: [
    { key: 'sla_due_at', direction: 'asc' },
    { key: 'created_at', direction: 'desc' },
    { key: 'id', direction: 'desc' },
  ],
};

const KEY_TYPES: Record<InboxSortKey, 'string' | 'number'> = {
  created_at: 'string',
  updated_at: 'string',
  priority_rank: 'number',
  sla_due_at: 'string',
  id: 'string',
};

/** A row as the inbox query returns it (timestamps as ISO 8601 strings with a fixed format). */
export interface InboxCursorRow {
  id: string;
  created_at: string;
  updated_at: string;
  priority_rank: number;
  /** 'infinity' when none */
  sla_due_at?: string;
}

/** Cursor for the row a page ends on. */
export const inboxCursorFor = (sort: InboxSort, row: InboxCursorRow): string =>
  encodeCursor(INBOX_SORTS[sort].map((p) => row[p.key] ?? 'infinity'));

/** Decodes and checks the cursor matches the sort (count and type of each value); null otherwise. */
export function decodeInboxCursor(sort: InboxSort, text: unknown): CursorValue[] | null {
  const parts = INBOX_SORTS[sort];
  const values = decodeCursor(text);
  if (values === null || values.length !== parts.length) return null;
  return parts.every((p, i) => typeof values[i] === KEY_TYPES[p.key]) ? values : null;
}

/** Compares two rows in the order of the sort (negative: a comes first). Mirrors the SQL ORDER BY. */
export function compareInboxRows(sort: InboxSort, a: InboxCursorRow, b: InboxCursorRow): number {
  return compareToValues(
    sort,
    a,
    INBOX_SORTS[sort].map((p) => b[p.key] ?? 'infinity'),
  );
}

/** Compares a row with cursor values: > 0 means the row comes after the cursor (belongs to the next page). */
export function compareToValues(sort: InboxSort, row: InboxCursorRow, values: readonly CursorValue[]): number {
  const parts = INBOX_SORTS[sort];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as InboxSortPart;
    const x = row[p.key] ?? 'infinity';
    const y = values[i] as CursorValue;
    const c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return p.direction === 'asc' ? c : -c;
  }
  return 0;
}
