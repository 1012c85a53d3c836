import type { FieldError } from '@grc/domain';

export type Shape = { [key: string]: Shape | true };

/**
 * Unknown fields of a hand-checked body (no DTO class): each refused with its path, and an object
 * expected where the shape has one (`match: "x"` stored as a string would have matched every ticket).
 * `'*'` allows any key at that level (a map such as targets.steps).
 */
export function strictFields(value: unknown, shape: Shape, path = ''): FieldError[] {
  const at = (k: string) => (path ? `${path}.${k}` : k);
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ field: path || 'body', message: 'Objet attendu.', code: 'object_expected' }];
  }
  const errors: FieldError[] = [];
  for (const [key, v] of Object.entries(value)) {
    const sub = shape[key] ?? shape['*'];
    if (!sub) errors.push({ field: at(key), message: 'Champ inconnu : il n’est pas accepté ici.', code: 'whitelistValidation' });
    else if (sub !== true) errors.push(...strictFields(v, sub, at(key)));
  }
  return errors;
}
