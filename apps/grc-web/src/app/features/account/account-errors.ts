import { HttpErrorResponse } from '@angular/common/http';
import type { Problem } from '@grc/domain';
import type { MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';

type T = (key: MsgKey, params?: Record<string, string | number>) => string;

/**
 * An API error of the account's forms, its field messages worded from the codes (password rule, wrong
 * current password, wrong code) in the agent's language; other errors as the server words them.
 */
export function accountError(err: unknown, t: T): UiError {
  const e = toUiError(err);
  if (!(err instanceof HttpErrorResponse)) return e;
  const errors = (err.error as Partial<Problem> | null)?.errors ?? [];
  const fields = { ...e.fields };
  let detail = e.detail;
  for (const x of errors) {
    const word = wordOf(x.code, x.params ?? {}, t);
    if (word) {
      fields[x.field] = word;
      detail = word;
    }
  }
  return { ...e, fields, detail };
}

function wordOf(code: string | undefined, params: Record<string, string | number | null>, t: T): string | null {
  switch (code) {
    case 'password_common':
    case 'current_password_wrong':
    case 'password_unchanged':
      return t(`account.pw.${code}` as MsgKey);
    case 'password_too_weak': {
      const reasons = String(params['reasons'] ?? '')
        .split(',')
        .filter(Boolean)
        .map((r) => t(`account.pw.${r}` as MsgKey))
        .join(', ');
      return t('account.pw.password_too_weak', { reasons, minLength: Number(params['minLength'] ?? 12) });
    }
    case 'second_factor_invalid':
      return t('account.tf.second_factor_invalid');
    case 'second_factor_required':
      return t('account.tfRequired');
    default:
      return null;
  }
}
