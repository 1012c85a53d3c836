import type { CitizenFields } from './requester';

/**
 * Merging two records of the same person (one from an e-mail, one from the counter): the kept record's
 * fields win; each field it lacks is taken from the other record. The address travels as a whole
 * (address, postcode, city together) so that a street is never paired with another record's town.
 * Two different values of a contact are reported: the other record's e-mail or phone, when it differs
 * from the kept one's, is lost from the record (it stays in the merged record's history).
 */
export interface MergeOutcome {
  fields: CitizenFields;
  /** fields of the kept record filled from the other one */
  filled: Array<keyof CitizenFields>;
  /** fields where both had a different value: the kept one's wins */
  conflicts: Array<keyof CitizenFields>;
}

const SIMPLE: Array<keyof CitizenFields> = [
  'firstName',
  'lastName',
  'organisationName',
  'contactPerson',
  'email',
  'phone',
  'preferredChannel',
];
const ADDRESS: Array<keyof CitizenFields> = ['address', 'postcode', 'city'];
const same = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' ? a.trim().toLowerCase() === b.trim().toLowerCase() : a === b;

export function mergeCitizens(kept: CitizenFields, other: CitizenFields): MergeOutcome {
  const fields: CitizenFields = { ...kept };
  const filled: Array<keyof CitizenFields> = [];
  const conflicts: Array<keyof CitizenFields> = [];
  const set = <K extends keyof CitizenFields>(k: K, v: CitizenFields[K]) => {
    fields[k] = v;
  };
  for (const k of SIMPLE) {
    if (kept[k] === null && other[k] !== null) {
      set(k, other[k]);
      filled.push(k);
    } else if (kept[k] !== null && other[k] !== null && !same(kept[k], other[k])) conflicts.push(k);
  }
  const keptHasAddress = ADDRESS.some((k) => kept[k] !== null);
  const otherHasAddress = ADDRESS.some((k) => other[k] !== null);
  if (!keptHasAddress && otherHasAddress) {
    for (const k of ADDRESS) set(k, other[k]);
    filled.push(...ADDRESS.filter((k) => other[k] !== null));
  } else if (keptHasAddress && otherHasAddress && ADDRESS.some((k) => !same(kept[k], other[k]))) {
    conflicts.push(...ADDRESS.filter((k) => other[k] !== null && !same(kept[k], other[k])));
  }
  return { fields, filled, conflicts };
}
