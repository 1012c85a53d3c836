/**
 * Places: how a typed address is read (search-as-you-type over the Base Adresse Nationale), how a BAN
 * line is checked, distances and labels. Pure: the SQL is the places repository's.
 */

/** Street-type and common-word abbreviations a person types, as the BAN spells them (normalised: lower case, no accent). */
export const ADDRESS_ABBREVIATIONS: Readonly<Record<string, string>> = {
  av: 'avenue',
  ave: 'avenue',
  avn: 'avenue',
  bd: 'boulevard',
  bld: 'boulevard',
  bvd: 'boulevard',
  boul: 'boulevard',
  r: 'rue',
  pl: 'place',
  pce: 'place',
  ch: 'chemin',
  chem: 'chemin',
  che: 'chemin',
  imp: 'impasse',
  all: 'allee',
  al: 'allee',
  rte: 'route',
  rt: 'route',
  sq: 'square',
  qu: 'quai',
  qua: 'quai',
  fg: 'faubourg',
  fbg: 'faubourg',
  crs: 'cours',
  pass: 'passage',
  res: 'residence',
  lot: 'lotissement',
  sent: 'sentier',
  st: 'saint',
  ste: 'sainte',
  gal: 'general',
  gen: 'general',
  mal: 'marechal',
  pdt: 'president',
  prof: 'professeur',
  dr: 'docteur',
};

/** Repetition indices of a house number (BAN `rep`), with the short forms people use. */
const REPETITIONS: Readonly<Record<string, string>> = {
  bis: 'bis',
  b: 'bis',
  ter: 'ter',
  t: 'ter',
  quater: 'quater',
  qua: 'quater',
  q: 'quater',
  quinquies: 'quinquies',
  c: 'c',
  a: 'a',
  d: 'd',
};

export interface AddressQuery {
  /** the house number typed first ("12", "12bis", "12 b"), if any */
  number: number | null;
  /** its repetition index, normalised as the BAN writes it (bis, ter, quater, a…) */
  rep: string | null;
  /** the rest, normalised (lower case, no accent, abbreviations expanded, single spaces) */
  text: string;
  /** a five-digit postcode found among the words (removed from `text`) */
  postcode: string | null;
}

export const MAX_ADDRESS_QUERY = 200;

/** Lower case, accents and punctuation off, single spaces: the form both the index and the query use. */
export function normaliseAddressText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** Reads what a person typed: "12 bis av. de la gare 37999" → number 12, rep bis, "avenue de la gare", 37999. */
export function parseAddressQuery(raw: string): AddressQuery {
  const words = normaliseAddressText(raw.slice(0, MAX_ADDRESS_QUERY)).split(' ').filter(Boolean);
  let number: number | null = null;
  let rep: string | null = null;
  let postcode: string | null = null;
  let i = 0;
  const first = words[0] ? /^(\d{1,4})([a-z]*)$/.exec(words[0]) : null;
  if (first && !(words.length > 1 && /^\d{5}$/.test(words[0]!))) {
    number = Number(first[1]);
    i = 1;
    const glued = first[2] ? REPETITIONS[first[2]] : undefined;
    if (glued) rep = glued;
    else if (first[2]) {
      // "12rue": a number glued to a word
      words[0] = first[2];
      i = 0;
    } else if (words[1] && REPETITIONS[words[1]] && !(words[1] in ADDRESS_ABBREVIATIONS) && (words[1].length > 1 || words.length > 2)) {
      rep = REPETITIONS[words[1]]!;
      i = 2;
    }
  }
  const rest: string[] = [];
  for (const w of words.slice(i)) {
    if (postcode === null && /^\d{5}$/.test(w)) {
      postcode = w;
      continue;
    }
    rest.push(ADDRESS_ABBREVIATIONS[w] ?? w);
  }
  return { number, rep, text: rest.join(' '), postcode };
}

/** A street's searchable text: its name and its commune, normalised with the abbreviations expanded. */
export function streetSearchText(streetName: string, commune: string): string {
  return normaliseAddressText(`${streetName} ${commune}`)
    .split(' ')
    .map((w) => ADDRESS_ABBREVIATIONS[w] ?? w)
    .join(' ');
}

/** "12 bis Rue Nationale" */
export function addressLine(number: number | null, rep: string | null, street: string): string {
  return number === null ? street : `${number}${rep ? ` ${rep}` : ''} ${street}`;
}

const EARTH_RADIUS_M = 6_371_008.8;
/** Great-circle distance in metres (haversine). */
export function distanceMetres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return Math.round(2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h))));
}
