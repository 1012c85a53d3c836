/**
 * Shared shape of a domain refusal and of the results the pure decisions return.
 * A refusal carries a stable machine code, a French message ready to show an agent,
 * and, when one input is at fault, the name of that field (maps onto Problem.errors).
 */
export interface DomainRefusal {
  code: string;
  message: string;
  field?: string;
}

/** A refusal as returned by a decision: `if (!r.ok) throw new UnprocessableEntity(r)`. */
export type Refusal = DomainRefusal & { ok: false };

/** `{ ok: true }` for plain decisions, `{ ok: true, value }` when the decision produces something. */
export type Ok<T> = [T] extends [void] ? { ok: true } : { ok: true; value: T };

export type Result<T = void> = Ok<T> | Refusal;

/** Many field errors at once (form validation). */
export interface FieldError extends DomainRefusal {
  field: string;
}
export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function ok(): { ok: true };
export function ok<T>(value: T): { ok: true; value: T };
export function ok<T>(...args: [] | [T]): { ok: true } | { ok: true; value: T } {
  return args.length === 0 ? { ok: true } : { ok: true, value: args[0] as T };
}

export const refuse = (code: string, message: string, field?: string): Refusal =>
  field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };

export const fieldError = (field: string, code: string, message: string): FieldError => ({ field, code, message });

export const validation = <T>(errors: FieldError[], value: () => T): Validation<T> =>
  errors.length > 0 ? { ok: false, errors } : { ok: true, value: value() };

/** Strips `ok` from a refusal, e.g. to put it in a Problem document. */
export const toDomainRefusal = (r: Refusal): DomainRefusal =>
  r.field === undefined ? { code: r.code, message: r.message } : { code: r.code, message: r.message, field: r.field };

/** Length in Unicode code points (what PostgreSQL counts for varchar/text limits). */
export const textLength = (s: string): number => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // a high surrogate followed by a low one is a single code point
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
};
