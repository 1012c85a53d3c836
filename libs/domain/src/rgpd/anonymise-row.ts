import { PLACEHOLDERS, personalTable, type PersonalColumn } from './personal-data';
import { coarseCoordinate, redactJson, redactText } from './redaction';

/** The value one column keeps under its treatment (`delete-content`: the caller deletes the file; the row keeps a placeholder). */
export function treatedValue(table: string, c: PersonalColumn, value: unknown, knownNames: readonly string[]): unknown {
  switch (c.treatment) {
    case 'null':
      return null;
    case 'placeholder':
    case 'delete-content':
      return PLACEHOLDERS[`${table}.${c.column}`] ?? null;
    case 'round':
      return typeof value === 'number' ? coarseCoordinate(value) : null;
    case 'redact':
      return typeof value === 'string' ? redactText(value, knownNames) : value;
    case 'redact-json':
      return redactJson(value, knownNames);
  }
}

/**
 * A row of a registered table without its person: every registered column of `row` (by column name) given
 * its treatment's value; columns of `row` the registry does not list are returned as they were. The API's
 * repositories write the result; the treatments live here, in one place, driven by `PERSONAL_DATA`.
 */
export function anonymisedRow<R extends Record<string, unknown>>(table: string, row: R, knownNames: readonly string[]): R {
  const t = personalTable(table);
  if (!t) throw new Error(`${table} is not in the personal data registry`);
  const out: Record<string, unknown> = { ...row };
  for (const c of t.columns) if (c.column in row) out[c.column] = treatedValue(table, c, row[c.column], knownNames);
  return out as R;
}
