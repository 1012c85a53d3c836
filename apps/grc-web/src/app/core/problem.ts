import { HttpErrorResponse } from '@angular/common/http';
import type { Problem } from '@grc/domain';
import type { MsgKey } from './i18n';

/** An API error ready for display: a message for the alert region, and messages per field. */
export interface UiError {
  status: number;
  /** a message from the server, shown as is */
  detail: string | null;
  /** when the server gave no detail, a dictionary key to translate */
  fallbackKey: MsgKey;
  fields: Record<string, string>;
}

export function toUiError(err: unknown): UiError {
  if (err instanceof HttpErrorResponse) {
    const body = (typeof err.error === 'object' && err.error !== null ? err.error : {}) as Partial<Problem>;
    const fields: Record<string, string> = {};
    for (const e of body.errors ?? []) {
      if (e && typeof e.field === 'string' && !fields[e.field]) fields[e.field] = e.message;
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
    const detail =
      typeof body.detail === 'string' && body.detail
        ? body.detail
        : typeof body.title === 'string' && err.status !== 0 && body.title
          ? body.title
          : null;
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
