/**
 * Rebuilds an instance's state by folding its history: the first entry is the start, every other
 * one re-applies its recorded action with the recorded actor, instant and ticket. Used to audit a
 * stored state, or to rebuild one after a bug fix.
 */
import type { WorkflowDefinition } from '../definition/schema';
import { apply, refusal, start } from './apply';
import type { HistoryEntry, WorkflowInstanceState, WorkflowRefusal } from './state';

export type ReplayResult = { ok: true; state: WorkflowInstanceState } | (WorkflowRefusal & { atSeq: number });

export function replay(definition: WorkflowDefinition, history: readonly HistoryEntry[]): ReplayResult {
  const first = history[0];
  if (!first || first.action.type !== 'start')
    return { ...refusal('no_transition', 'historique vide ou ne commençant pas par le démarrage du circuit', 409), atSeq: 0 };
  let r = start(definition, first.ticket, first.actor, first.at);
  for (let i = 1; r.ok && i < history.length; i++) {
    const h = history[i]!;
    if (h.action.type === 'start') return { ...refusal('no_transition', 'démarrage en double dans l’historique', 409), atSeq: i };
    const next = apply(definition, r.state, h.action, h.actor, h.at, h.ticket);
    if (!next.ok) return { ...next, atSeq: i };
    r = next;
  }
  return r.ok ? { ok: true, state: r.state } : { ...r, atSeq: 0 };
}
