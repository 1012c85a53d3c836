import { HttpErrorResponse } from '@angular/common/http';
import type { Problem } from '@grc/domain';
import type { I18n, MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';

/** Codes of the circuits' refusals the console words itself (fr, en) from the API's code + params. */
const WORDED = new Set(['workflow_running', 'workflow_required', 'participant_only', 'self_approval', 'self_approval_deadlock']);

/**
 * An API error of the circuits, in the agent's language: the first error whose code we know is
 * worded from its params (the circuit, the step…); anything else keeps the server's French detail.
 */
/** Whether the API refused because of a circuit (not a stale version): no "reload" is needed. */
export function isCircuitRefusal(err: unknown): boolean {
  return (
    err instanceof HttpErrorResponse &&
    typeof err.error === 'object' &&
    err.error !== null &&
    ((err.error as Partial<Problem>).errors ?? []).some((e) => !!e?.code && WORDED.has(e.code))
  );
}

export function workflowError(err: unknown, i18n: I18n): UiError {
  const ui = toUiError(err);
  if (!(err instanceof HttpErrorResponse) || typeof err.error !== 'object' || err.error === null) return ui;
  const known = ((err.error as Partial<Problem>).errors ?? []).find((e) => e?.code && WORDED.has(e.code));
  if (!known) return ui;
  const params: Record<string, string | number> = { field: known.field };
  for (const [k, v] of Object.entries(known.params ?? {})) if (v !== null && v !== undefined) params[k] = v;
  return { ...ui, detail: i18n.t(`wf.err.${known.code}` as MsgKey, params) };
}
