import { textLength } from '../errors';

/**
 * A category's own fields (the Open311 "attributes" of a service definition, `category_attributes`):
 * defined by administrators (console, town pack), asked by the agent's new-ticket form, the public form
 * and Open311, shown and edited on the ticket page. One rule set checks the definitions and the values
 * for every channel; errors name the field at fault (`attributes.<code>`, `fields.<i>.<prop>`) with a
 * code (and parameters) the console words.
 */

export const FIELD_DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;
export type FieldDatatype = (typeof FIELD_DATATYPES)[number];

/** One choice of a list field: `key` is what is stored and sent, `name` the French label, `nameEn` the English one. */
export interface FieldChoice {
  key: string;
  name: string;
  nameEn?: string;
}

export interface CategoryField {
  /** letters, digits, "_" or "-": the Open311 attribute code, the key of the value on the ticket */
  code: string;
  datatype: FieldDatatype;
  /** false: an informational text shown to the requester, no value asked */
  variable: boolean;
  required: boolean;
  /** the label (question) in French, the town's language (Open311's `description`) */
  description: string;
  /** the label in English (the console and the public form in English); null: the French one */
  descriptionEn: string | null;
  /** a help text (Open311's `datatype_description`) */
  datatypeDescription: string | null;
  order: number;
  /** the choices of a list field */
  values: FieldChoice[];
  /** a number field's range (inclusive), null: no bound */
  min: number | null;
  max: number | null;
}

/** A stored value: text, number, ISO datetime, a list's key, or the keys of a multiple choice. */
export type FieldValue = string | number | string[];
export type FieldValues = Record<string, FieldValue>;

/** A refusal of one field: `code` is worded by the console (`field.<code>`), `message` is the French text. */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
  params?: Record<string, string | number>;
}

export type FieldCheck<T> = { ok: true; value: T } | { ok: false; errors: FieldProblem[] };

export const FIELD_LIMITS = {
  codeMax: 64,
  labelMax: 1000,
  helpMax: 500,
  choiceKeyMax: 100,
  choiceNameMax: 200,
  choicesMax: 100,
  fieldsMax: 50,
  stringMax: 1000,
  textMax: 4000,
} as const;

const CODE = /^[A-Za-z0-9_-]+$/;
const DECIMAL = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The label of a field in a language (English falls back to French). */
export const fieldLabel = (f: Pick<CategoryField, 'description' | 'descriptionEn'>, lang: 'fr' | 'en'): string =>
  lang === 'en' && f.descriptionEn ? f.descriptionEn : f.description;

/** The label of a choice in a language (English falls back to French); the key itself when unknown. */
export function choiceLabel(f: Pick<CategoryField, 'values'>, key: string, lang: 'fr' | 'en'): string {
  const c = f.values.find((v) => v.key === key);
  if (!c) return key;
  return lang === 'en' && c.nameEn ? c.nameEn : c.name;
}

/**
 * A W3C datetime (`2026-01-31T08:00:00Z`, `…+01:00`) or a date (`2026-01-31`, read as UTC midnight), as an
 * ISO string; null when it is not one or not a real day (31 February) or hour.
 */
export function parseFieldDate(value: string): string | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7).map((x) => x ?? undefined) as string[];
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return null;
  const iso =
    m[4] === undefined
      ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z`
      : m[7] === undefined
        ? `${value}Z`
        : value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The values sent for one field, as trimmed texts (numbers and booleans written out); null when one is not a text. */
function texts(v: unknown): string[] | null {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out: string[] = [];
  for (const x of list) {
    if (x === null || x === undefined) continue;
    if (typeof x === 'string') out.push(x.trim());
    else if ((typeof x === 'number' && Number.isFinite(x)) || typeof x === 'boolean') out.push(String(x));
    else return null;
  }
  return out.filter((x) => x !== '');
}

const problem = (field: string, code: string, message: string, params?: Record<string, string | number>): FieldProblem =>
  params ? { field, code, message, params } : { field, code, message };

export interface CheckValuesOptions {
  /**
   * `edit`: an agent changing some values on a ticket — only the codes sent are checked (a required
   * field may not be emptied; absent codes keep their value). Default `create`: every field is checked.
   */
  mode?: 'create' | 'edit';
  /** the prefix of the field names in the errors (default `attributes`) */
  prefix?: string;
}

/**
 * Checks values against a category's fields: required ones present (not for informational fields), one
 * value unless a multiple choice, texts within their length, numbers decimal and within the range, dates
 * real days, choices among the keys. Codes the definition does not know are dropped (Open311 clients such
 * as FixMyStreet send their own). Returns the values to store (numbers as numbers, dates as ISO strings,
 * multiple choices without repeats); in `edit` mode a value sent empty is `null` (removed).
 */
export function checkFieldValues(
  defs: readonly CategoryField[],
  sent: Readonly<Record<string, unknown>>,
  opts: CheckValuesOptions = {},
): FieldCheck<Record<string, FieldValue | null>> {
  const prefix = opts.prefix ?? 'attributes';
  const edit = opts.mode === 'edit';
  const errors: FieldProblem[] = [];
  const out: Record<string, FieldValue | null> = {};
  for (const d of defs) {
    if (!d.variable) continue;
    if (edit && !Object.prototype.hasOwnProperty.call(sent, d.code)) continue;
    const field = `${prefix}.${d.code}`;
    const label = d.description;
    const values = texts(sent[d.code]);
    if (values === null) {
      errors.push(problem(field, 'isString', `« ${label} » : une valeur texte est attendue.`));
      continue;
    }
    if (!values.length) {
      if (d.required) errors.push(problem(field, 'required', `« ${label} » est obligatoire.`));
      else if (edit) out[d.code] = null;
      continue;
    }
    if (d.datatype !== 'multivaluelist' && values.length > 1) {
      errors.push(problem(field, 'single', `« ${label} » n’accepte qu’une valeur.`));
      continue;
    }
    const v = values[0]!;
    switch (d.datatype) {
      case 'string':
      case 'text': {
        const max = d.datatype === 'string' ? FIELD_LIMITS.stringMax : FIELD_LIMITS.textMax;
        if (textLength(v) > max) errors.push(problem(field, 'maxLength', `« ${label} » : ${max} caractères au plus.`, { max }));
        else out[d.code] = v;
        break;
      }
      case 'number': {
        const n = DECIMAL.test(v) ? Number(v.replace(',', '.')) : NaN;
        if (!Number.isFinite(n)) errors.push(problem(field, 'isNumber', `« ${label} » : un nombre est attendu.`));
        else if (d.min !== null && n < d.min) errors.push(problem(field, 'min', `« ${label} » : ${d.min} au moins.`, { min: d.min }));
        else if (d.max !== null && n > d.max) errors.push(problem(field, 'max', `« ${label} » : ${d.max} au plus.`, { max: d.max }));
        else out[d.code] = n;
        break;
      }
      case 'datetime': {
        const iso = parseFieldDate(v);
        if (iso === null) errors.push(problem(field, 'isDateString', `« ${label} » : une date est attendue (AAAA-MM-JJ).`));
        else out[d.code] = iso;
        break;
      }
      case 'singlevaluelist':
      case 'multivaluelist': {
        const keys = d.values.map((x) => String(x.key));
        const wrong = values.find((x) => !keys.includes(x));
        if (wrong !== undefined) {
          const list = keys.join(', ');
          errors.push(
            problem(field, 'isIn', `« ${label} » : « ${wrong.slice(0, 100)} » ne fait pas partie des valeurs possibles (${list}).`, {
              values: list,
            }),
          );
        } else out[d.code] = d.datatype === 'singlevaluelist' ? v : [...new Set(values)];
        break;
      }
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: out };
}

/** `checkFieldValues` for a new ticket: every value present (no nulls). */
export function checkNewFieldValues(
  defs: readonly CategoryField[],
  sent: Readonly<Record<string, unknown>>,
  prefix?: string,
): FieldCheck<FieldValues> {
  return checkFieldValues(defs, sent, { mode: 'create', prefix }) as FieldCheck<FieldValues>;
}

/** The ticket's values after an edit: the checked changes applied (null removes a value). */
export function applyFieldEdit(current: Readonly<Record<string, unknown>>, changes: Readonly<Record<string, FieldValue | null>>) {
  const next: Record<string, unknown> = { ...current };
  for (const [code, v] of Object.entries(changes)) {
    if (v === null) delete next[code];
    else next[code] = v;
  }
  return next;
}

/** Whether two stored values are the same (a multiple choice compared as a set). */
export function sameFieldValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x) => b.includes(x));
  return a === b || (a === undefined && b === null) || (a === null && b === undefined);
}

/** A definition as typed by an administrator or read from a pack: defaults filled, texts trimmed. */
export interface CategoryFieldInput {
  code: string;
  datatype: string;
  variable?: boolean;
  required?: boolean;
  description: string;
  descriptionEn?: string | null;
  datatypeDescription?: string | null;
  order?: number;
  values?: Array<{ key: string; name: string; nameEn?: string | null }>;
  min?: number | null;
  max?: number | null;
}

const blankToNull = (s: string | null | undefined): string | null => {
  const t = (s ?? '').trim();
  return t === '' ? null : t;
};

/**
 * Checks a category's field definitions (errors on `<prefix>.<i>.<prop>`): codes well-formed and unique,
 * a known type, a label, choices (unique keys, labels) for a list and only for a list, a range only for a
 * number and min ≤ max, no required informational field. Returns them normalised (order defaults to the
 * rank, choices and range emptied where they do not apply).
 */
export function checkFieldDefinitions(input: readonly CategoryFieldInput[], prefix = 'fields'): FieldCheck<CategoryField[]> {
  const errors: FieldProblem[] = [];
  const out: CategoryField[] = [];
  if (input.length > FIELD_LIMITS.fieldsMax) {
    return {
      ok: false,
      errors: [problem(prefix, 'arrayMaxSize', `${FIELD_LIMITS.fieldsMax} champs au plus.`, { max: FIELD_LIMITS.fieldsMax })],
    };
  }
  const seen = new Set<string>();
  input.forEach((f, i) => {
    const at = (p: string) => `${prefix}.${i}.${p}`;
    const code = (f.code ?? '').trim();
    if (!code) errors.push(problem(at('code'), 'required', 'Le code est obligatoire.'));
    else if (!CODE.test(code) || code.length > FIELD_LIMITS.codeMax)
      errors.push(problem(at('code'), 'code', `Le code s’écrit en lettres, chiffres, « _ » ou « - » (${FIELD_LIMITS.codeMax} au plus).`));
    else if (seen.has(code.toLowerCase())) errors.push(problem(at('code'), 'duplicate', `Le code « ${code} » est déjà pris.`, { code }));
    seen.add(code.toLowerCase());
    const datatype = f.datatype as FieldDatatype;
    if (!FIELD_DATATYPES.includes(datatype))
      errors.push(problem(at('datatype'), 'isIn', 'Type de champ inconnu.', { values: FIELD_DATATYPES.join(', ') }));
    const description = (f.description ?? '').trim();
    if (!description) errors.push(problem(at('description'), 'required', 'Le libellé est obligatoire.'));
    else if (textLength(description) > FIELD_LIMITS.labelMax)
      errors.push(problem(at('description'), 'maxLength', 'Libellé trop long.', { max: FIELD_LIMITS.labelMax }));
    const descriptionEn = blankToNull(f.descriptionEn);
    if (descriptionEn && textLength(descriptionEn) > FIELD_LIMITS.labelMax)
      errors.push(problem(at('descriptionEn'), 'maxLength', 'Libellé trop long.', { max: FIELD_LIMITS.labelMax }));
    const datatypeDescription = blankToNull(f.datatypeDescription);
    if (datatypeDescription && textLength(datatypeDescription) > FIELD_LIMITS.helpMax)
      errors.push(problem(at('datatypeDescription'), 'maxLength', 'Aide trop longue.', { max: FIELD_LIMITS.helpMax }));
    const variable = f.variable ?? true;
    const required = variable && (f.required ?? false);
    const isList = datatype === 'singlevaluelist' || datatype === 'multivaluelist';
    const values: FieldChoice[] = [];
    if (isList) {
      const raw = f.values ?? [];
      if (!raw.length) errors.push(problem(at('values'), 'choicesRequired', 'Une liste demande au moins un choix.'));
      if (raw.length > FIELD_LIMITS.choicesMax)
        errors.push(problem(at('values'), 'arrayMaxSize', `${FIELD_LIMITS.choicesMax} choix au plus.`, { max: FIELD_LIMITS.choicesMax }));
      const keys = new Set<string>();
      raw.forEach((c, j) => {
        const key = String(c.key ?? '').trim();
        const name = String(c.name ?? '').trim();
        if (!key) errors.push(problem(at(`values.${j}.key`), 'required', 'La clé du choix est obligatoire.'));
        else if (textLength(key) > FIELD_LIMITS.choiceKeyMax)
          errors.push(problem(at(`values.${j}.key`), 'maxLength', 'Clé trop longue.', { max: FIELD_LIMITS.choiceKeyMax }));
        else if (keys.has(key))
          errors.push(problem(at(`values.${j}.key`), 'duplicate', `La clé « ${key} » est déjà prise.`, { code: key }));
        keys.add(key);
        if (!name) errors.push(problem(at(`values.${j}.name`), 'required', 'Le libellé du choix est obligatoire.'));
        else if (textLength(name) > FIELD_LIMITS.choiceNameMax)
          errors.push(problem(at(`values.${j}.name`), 'maxLength', 'Libellé trop long.', { max: FIELD_LIMITS.choiceNameMax }));
        const nameEn = blankToNull(c.nameEn);
        values.push(nameEn ? { key, name, nameEn } : { key, name });
      });
    }
    let min: number | null = null;
    let max: number | null = null;
    if (datatype === 'number') {
      min = f.min ?? null;
      max = f.max ?? null;
      if (min !== null && !Number.isFinite(min)) errors.push(problem(at('min'), 'isNumber', 'Un nombre est attendu.'));
      if (max !== null && !Number.isFinite(max)) errors.push(problem(at('max'), 'isNumber', 'Un nombre est attendu.'));
      if (min !== null && max !== null && min > max)
        errors.push(problem(at('max'), 'min', 'Le maximum doit être supérieur ou égal au minimum.', { min }));
    }
    const order = f.order ?? i + 1;
    if (!Number.isInteger(order) || order < 0) errors.push(problem(at('order'), 'min', 'Un entier positif est attendu.', { min: 0 }));
    out.push({ code, datatype, variable, required, description, descriptionEn, datatypeDescription, order, values, min, max });
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: out };
}

/** The fields in the order they are asked (order, then code). */
export const sortFields = <T extends Pick<CategoryField, 'order' | 'code'>>(defs: readonly T[]): T[] =>
  [...defs].sort((a, b) => a.order - b.order || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
