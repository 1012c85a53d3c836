import { checkNewFieldValues, normalizeEmail, normalizePhone, type CategoryField, type FieldValues } from '@grc/domain';
import { badParam } from './open311.errors';

/** A raw body or query: form-encoded values are strings (arrays when repeated), JSON may hold anything. */
export type RawParams = Record<string, unknown>;

/** One attribute of a service definition: a category's own field (libs/domain category-fields). */
export type AttributeDefinition = CategoryField;

// control characters other than tab and line breaks (PostgreSQL refuses NUL in text, XML 1.0 the others)
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** One optional text parameter: absent or blank → null; a repeated or non-text value, or too long → 400. */
export function text(params: RawParams, name: string, max: number): string | null {
  const v = params[name];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') throw badParam(`Le paramètre ${name} doit être un texte (une seule valeur).`);
  const t = v.replace(CONTROL_CHARS, '').trim();
  if (t === '') return null;
  if ([...t].length > max) throw badParam(`Le paramètre ${name} dépasse ${max} caractères.`);
  return t;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function coordinate(params: RawParams, name: 'lat' | 'long', limit: number): number | null {
  const raw = params[name];
  if (raw === undefined || raw === null || raw === '') return null;
  const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const n = DECIMAL.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(n) || Math.abs(n) > limit) {
    throw badParam(`Coordonnées invalides : ${name} doit être un nombre décimal WGS84 entre -${limit} et ${limit}.`);
  }
  return n;
}

export interface Location {
  lat: number | null;
  long: number | null;
  addressString: string | null;
  addressId: string | null;
}

/** lat+long, or address_string, or address_id: at least one location is required (GeoReport v2). */
export function location(params: RawParams): Location {
  const lat = coordinate(params, 'lat', 90);
  const long = coordinate(params, 'long', 180);
  if ((lat === null) !== (long === null)) throw badParam('Coordonnées invalides : donnez lat et long ensemble.');
  const addressString = text(params, 'address_string', 500);
  const addressId = text(params, 'address_id', 200);
  if (lat === null && addressString === null && addressId === null) {
    throw badParam('Localisation manquante : lat et long, address_string ou address_id est obligatoire.');
  }
  return { lat, long, addressString, addressId };
}

export interface Requester {
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
}

export function requester(params: RawParams): Requester {
  const rawEmail = text(params, 'email', 254);
  const email = rawEmail === null ? null : normalizeEmail(rawEmail);
  if (rawEmail !== null && email === null) throw badParam('Le paramètre email n’est pas une adresse e-mail valide.');
  const rawPhone = text(params, 'phone', 40);
  const phone = rawPhone === null ? null : normalizePhone(rawPhone);
  if (rawPhone !== null && phone === null) throw badParam('Le paramètre phone n’est pas un numéro de téléphone valide.');
  return { email, phone, firstName: text(params, 'first_name', 100), lastName: text(params, 'last_name', 100) };
}

export function mediaUrl(params: RawParams): string | null {
  const v = text(params, 'media_url', 2000);
  if (v === null) return null;
  let ok = false;
  try {
    const u = new URL(v);
    ok = u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    /* not a URL */
  }
  if (!ok) throw badParam('Le paramètre media_url doit être une URL http(s).');
  return v;
}

/**
 * The attribute values sent: form-encoded `attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2`
 * (the standard's notation, read from the flat keys), or a JSON object `{"attribute": {"code": "v"}}`.
 */
export function rawAttributes(params: RawParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (code: string, value: unknown) => {
    const list = Array.isArray(value) ? value : [value];
    for (const v of list) {
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v)) && typeof v !== 'boolean') {
        throw badParam(`La valeur de attribute[${code}] doit être un texte.`);
      }
      out.set(code, [...(out.get(code) ?? []), String(v)]);
    }
  };
  for (const [key, value] of Object.entries(params)) {
    const m = /^attribute\[([^\]]+)\](\[\])?$/.exec(key);
    if (m) add(m[1]!, value);
  }
  const nested = params['attribute'];
  if (nested !== undefined && nested !== null) {
    if (typeof nested !== 'object' || Array.isArray(nested)) throw badParam('Le paramètre attribute doit s’écrire attribute[code]=valeur.');
    for (const [code, value] of Object.entries(nested as Record<string, unknown>)) add(code, value);
  }
  return out;
}

/** A W3C datetime (`2026-01-31T08:00:00Z`, `…+01:00`) or a date (`2026-01-31`, read as UTC midnight); 400 otherwise. */
export function w3cDate(value: string, name: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.exec(value);
  const invalid = () => badParam(`Le paramètre ${name} n’est pas une date W3C valide (ex. 2026-01-31T08:00:00Z).`);
  if (!match) throw invalid();
  const [y, mo, d, h = '0', mi = '0', s = '0'] = match.slice(1, 7).map((x) => x ?? undefined) as string[];
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    throw invalid();
  const date = new Date(
    match[4] === undefined ? `${match[1]}-${match[2]}-${match[3]}T00:00:00Z` : value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'),
  );
  if (Number.isNaN(date.getTime())) throw invalid();
  return date;
}

/**
 * Checks the values against the service definition with the rules every channel uses (libs/domain
 * checkFieldValues): required ones present, numbers and datetimes well-formed, list values among the keys.
 * Codes the definition does not know are ignored (clients such as FixMyStreet send their own extra
 * attributes). Returns the values to store on the ticket; the first refusal is a 400 naming `attribute[code]`.
 */
export function validateAttributes(defs: AttributeDefinition[], sent: Map<string, string[]>): FieldValues {
  const checked = checkNewFieldValues(defs, Object.fromEntries(sent));
  if (!checked.ok) {
    const e = checked.errors[0]!;
    throw badParam(`attribute[${e.field.replace(/^attributes\./, '')}] : ${e.message}`);
  }
  return checked.value;
}
