/**
 * "One problem, many reporters": how much a request resembles an open one. Pure functions, shared by the
 * API (which pre-filters in SQL with pg_trgm and a bounding box) and the specs. A candidate must be in the
 * same category; then the score mixes distance, text similarity and recency, each in [0, 1].
 */

export interface GeoPoint {
  lat: number;
  lng: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function haversineMetres(a: GeoPoint, b: GeoPoint): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Lowercase, accents removed, anything but letters and digits becomes a space (as pg_trgm sees words). */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The trigrams of a text as pg_trgm builds them: each word padded with two spaces before and one after. */
export function trigrams(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of normalizeText(text).split(' ')) {
    if (!word) continue;
    const chars = [' ', ' ', ...word, ' '];
    for (let i = 0; i + 3 <= chars.length; i++) out.add(chars.slice(i, i + 3).join(''));
  }
  return out;
}

/** pg_trgm's similarity(): shared trigrams over all trigrams, in [0, 1]. */
export function trigramSimilarity(a: string, b: string): number {
  const ta = trigrams(a);
  const tb = trigrams(b);
  if (!ta.size || !tb.size) return 0;
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return shared / (ta.size + tb.size - shared);
}

export interface DuplicateSettings {
  /** beyond this distance the location no longer counts (metres) */
  maxDistanceMetres: number;
  /** beyond this age the recency no longer counts (days) */
  maxAgeDays: number;
  /** candidates scoring below are not offered */
  minScore: number;
}

export const DEFAULT_DUPLICATE_SETTINGS: DuplicateSettings = { maxDistanceMetres: 150, maxAgeDays: 30, minScore: 0.3 };

export interface DuplicateFacts {
  sameCategory: boolean;
  /** null when either request has no position */
  distanceMetres: number | null;
  /** trigram similarity of the texts, in [0, 1] */
  textSimilarity: number;
  /** how long before the new request the candidate was received (days, ≥ 0) */
  ageDays: number;
}

export interface DuplicateScore {
  /** 0 when not a candidate at all (another category); otherwise in [0, 1] */
  score: number;
  candidate: boolean;
  /** the parts, for the agent: why it is offered */
  parts: { distance: number | null; text: number; recency: number };
}

const WEIGHTS = { distance: 0.45, text: 0.4, recency: 0.15 };
const clamp01 = (n: number) => Math.min(1, Math.max(0, n));

/**
 * The score of one candidate. Without a position on either side the distance is left out and the
 * other weights are rescaled, with a 20 % penalty (a text match alone is weaker evidence).
 */
export function scoreDuplicate(f: DuplicateFacts, s: DuplicateSettings = DEFAULT_DUPLICATE_SETTINGS): DuplicateScore {
  const text = clamp01(f.textSimilarity);
  const recency = clamp01(1 - Math.max(0, f.ageDays) / s.maxAgeDays);
  const distance = f.distanceMetres === null ? null : clamp01(1 - f.distanceMetres / s.maxDistanceMetres);
  if (!f.sameCategory) return { score: 0, candidate: false, parts: { distance, text, recency } };
  const score =
    distance === null
      ? (0.8 * (WEIGHTS.text * text + WEIGHTS.recency * recency)) / (WEIGHTS.text + WEIGHTS.recency)
      : WEIGHTS.distance * distance + WEIGHTS.text * text + WEIGHTS.recency * recency;
  const rounded = Math.round(score * 1000) / 1000;
  // close by with a little textual overlap, or a strong text match: offered
  return { score: rounded, candidate: rounded >= s.minScore, parts: { distance, text, recency } };
}

/** A bounding box around a point (degrees), for an index-friendly SQL pre-filter before the exact distance. */
export function boundingBox(p: GeoPoint, metres: number): { minLat: number; maxLat: number; minLng: number; maxLng: number } {
  const dLat = metres / 111_320;
  const dLng = metres / (111_320 * Math.max(0.01, Math.cos(rad(p.lat))));
  return { minLat: p.lat - dLat, maxLat: p.lat + dLat, minLng: p.lng - dLng, maxLng: p.lng + dLng };
}
