/** Evaluation of transition conditions on ticket fields (a missing field is undefined). */
import type { Condition, Scalar } from '../definition/schema';

export function evaluateCondition(c: Condition, fields: Readonly<Record<string, Scalar | undefined>>): boolean {
  if ('all' in c) return c.all.every((x) => evaluateCondition(x, fields));
  if ('any' in c) return c.any.some((x) => evaluateCondition(x, fields));
  if ('not' in c) return !evaluateCondition(c.not, fields);
  const v = fields[c.field];
  switch (c.op) {
    case 'exists':
      return (v !== undefined && v !== null) === (c.value === undefined ? true : c.value === true);
    case 'eq':
      return v === c.value;
    case 'ne':
      return v !== c.value;
    case 'in':
      return (c.value as Scalar[]).includes(v as Scalar) && v !== undefined;
    case 'not_in':
      return !(c.value as Scalar[]).includes(v as Scalar);
    case 'gt':
      return typeof v === 'number' && v > (c.value as number);
    case 'gte':
      return typeof v === 'number' && v >= (c.value as number);
    case 'lt':
      return typeof v === 'number' && v < (c.value as number);
    case 'lte':
      return typeof v === 'number' && v <= (c.value as number);
  }
}
