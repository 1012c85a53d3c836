import type { ZodIssue } from 'zod';

/**
 * A zod issue as a field error's code and parameters (the console words `field.<code>`): the one mapping
 * every zod-checked input of the API goes through, so no schema's French message is the only wording.
 * A custom issue names its code in `params.code` (`refine(…, { params: { code: 'url' } })`).
 */
export function zodFieldCode(issue: ZodIssue): { code: string; params?: Record<string, string | number> } {
  switch (issue.code) {
    case 'invalid_type':
      return issue.received === 'undefined' || issue.received === 'null'
        ? { code: 'required' }
        : { code: 'invalid_type', params: { expected: issue.expected } };
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.type === 'string') return min <= 1 ? { code: 'required' } : { code: 'too_short', params: { min } };
      if (issue.type === 'array' || issue.type === 'set') return { code: 'too_few', params: { min } };
      return { code: 'min', params: { min } };
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.type === 'string') return { code: 'too_long', params: { max } };
      if (issue.type === 'array' || issue.type === 'set') return { code: 'too_many', params: { max } };
      return { code: 'max', params: { max } };
    }
    case 'invalid_string':
      return issue.validation === 'email' ? { code: 'isEmail' } : issue.validation === 'url' ? { code: 'url' } : { code: 'invalid' };
    case 'invalid_enum_value':
      return { code: 'isIn', params: { values: issue.options.join(', ') } };
    case 'unrecognized_keys':
      return { code: 'whitelistValidation' };
    case 'custom': {
      const code = (issue.params as { code?: unknown } | undefined)?.code;
      return { code: typeof code === 'string' ? code : 'invalid' };
    }
    default:
      return { code: 'invalid' };
  }
}
