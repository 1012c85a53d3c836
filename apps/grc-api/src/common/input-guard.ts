import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { FieldError, ProblemException } from './problem';

/** Keys that would reach an object's prototype if anything ever merged the input: refused, not dropped. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// a high surrogate not followed by a low one, or a low one not preceded by a high one
export const MAX_NUMBER = 2_147_483_647;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const join = (prefix: string, key: string | number) => (typeof key === 'number' ? `${prefix}[${key}]` : prefix ? `${prefix}.${key}` : key);

function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'Caractère nul (U+0000) interdit.';
  if (LONE_SURROGATE.test(s)) return 'Texte mal encodé (caractère UTF-16 isolé).';
  return null;
}

/**
 * What no field of any request may hold, whatever its schema: NUL bytes and lone UTF-16 surrogates
 * (PostgreSQL refuses both, in text and in jsonb), prototype keys and numbers beyond a PostgreSQL integer. Returns the first fault with
 * its path; the walk is bounded by the parser's depth limit (body-parsing.ts).
 */
export function findInputFault(value: unknown, field = ''): FieldError | null {
  // no quantity of a town's requests goes beyond a PostgreSQL integer; larger ones only overflow columns
  if (typeof value === 'number' && !(Math.abs(value) <= MAX_NUMBER)) {
    return { field: field || 'body', message: `Nombre hors des limites (±${MAX_NUMBER} au plus).`, code: 'input.out_of_range' };
  }
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message
      ? { field: field || 'body', message, code: message.startsWith('Caractère nul') ? 'input.nul' : 'input.surrogate' }
      : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const fault = findInputFault(value[i], join(field, i));
      if (fault) return fault;
    }
    return null;
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const key of Object.keys(value)) {
      const at = join(field, key);
      if (PROTOTYPE_KEYS.has(key)) return { field: at, message: `Clé « ${key} » interdite.`, code: 'input.prototype_key' };
      const keyMessage = textProblem(key);
      if (keyMessage) return { field: at, message: keyMessage, code: 'input.key' };
      const fault = findInputFault((value as Record<string, unknown>)[key], at);
      if (fault) return fault;
    }
  }
  return null;
}

export const inputFault = (fault: FieldError) =>
  new ProblemException(400, 'Requête invalide', `${fault.field} : ${fault.message}`, [fault]);

/**
 * The same check on what Nest hands to a handler (route params by name, and bodies parsed after the
 * global middleware, e.g. multipart fields by multer), before the validation pipe.
 */
@Injectable()
export class InputGuardPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const fault = findInputFault(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
    if (fault) throw inputFault(fault);
    return value;
  }
}
