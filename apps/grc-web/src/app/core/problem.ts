import { HttpErrorResponse } from '@angular/common/http';
import type { Problem } from '@grc/domain';
import type { MsgKey } from './i18n';

/** An API error ready for display: a message for the alert region, and messages per field. */
export interface UiError {
  status: number;
  /** a message shown as is: the problem's code worded, or in French the server's own text */
  detail: string | null;
  /** when the server gave no detail, a dictionary key to translate */
  fallbackKey: MsgKey;
  fields: Record<string, string>;
}

/** What toUiError needs of the I18n service to word the API's codes (registered by I18n itself). */
export interface ProblemWording {
  lang(): string;
  /** the dictionary has this key in the active language */
  has(key: string): boolean;
  t(key: string, params?: Record<string, string | number>): string;
}
let wording: ProblemWording | null = null;
export function useProblemWording(w: ProblemWording): void {
  wording = w;
}

type Params = Record<string, string | number | null> | undefined;
const cleanParams = (p: Params): Record<string, string | number> =>
  Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, v ?? '']));

/**
 * The API sends codes and parameters (docs/console.md#languages): a field's `code` is worded from
 * `field.<code>`, the problem's from `problem.<code>`; a code the console does not know falls back to the
 * server's French text in French, and to a generic message in another language (never French in English).
 */
function wordField(code: string | undefined, params: Params, serverText: string): string {
  if (!wording) return serverText;
  if (code && wording.has(`field.${code}`)) return wording.t(`field.${code}`, cleanParams(params));
  return wording.lang() === 'fr' && serverText ? serverText : wording.t('field.invalid');
}
function wordProblem(body: Partial<Problem>, serverText: string | null): string | null {
  if (!wording) return serverText;
  if (body.code && wording.has(`problem.${body.code}`)) return wording.t(`problem.${body.code}`, cleanParams(body.params));
  return wording.lang() === 'fr' ? serverText : null;
}

export function toUiError(err: unknown): UiError {
  if (err instanceof HttpErrorResponse) {
    const body = (typeof err.error === 'object' && err.error !== null ? err.error : {}) as Partial<Problem>;
    const fields: Record<string, string> = {};
    for (const e of body.errors ?? []) {
      if (e && typeof e.field === 'string' && !fields[e.field]) fields[e.field] = wordField(e.code, e.params, e.message);
    }
    const fallbackKey: MsgKey =
      err.status === 0
        ? 'common.networkError'
        : err.status === 429
          ? 'common.rateLimited'
          : err.status === 403
            ? 'common.forbidden'
            : err.status === 404
              ? 'common.notFound'
              : err.status === 409
                ? 'ticket.conflict'
                : 'common.unknownError';
    const detail = wordProblem(
      body,
      typeof body.detail === 'string' && body.detail
        ? body.detail
        : typeof body.title === 'string' && err.status !== 0 && body.title
          ? body.title
          : null,
    );
    return { status: err.status, detail, fallbackKey, fields };
  }
  return { status: -1, detail: null, fallbackKey: 'common.unknownError', fields: {} };
}

/** Client-side validation error in the same shape. */
export function localError(fields: Record<string, string>, fallbackKey: MsgKey = 'common.formHasErrors'): UiError {
  return { status: 400, detail: null, fallbackKey, fields };
}

/** The message for one field; a field may be reported under several names (e.g. `newCitizen.email`). */
export function fieldMessage(error: UiError | null | undefined, field: string): string | null {
  if (!error) return null;
  if (error.fields[field]) return error.fields[field];
  for (const [k, v] of Object.entries(error.fields)) {
    if (k.endsWith(`.${field}`) || field.endsWith(`.${k}`)) return v;
  }
  return null;
}
