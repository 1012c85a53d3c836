import type { Citizen } from '../contracts/api';

/**
 * Erasure (art. 17) of one person: each request is anonymised and kept, or deleted, as its category's
 * retention rule says — a category the town keeps (e.g. a legal duty to keep the record) keeps the request
 * without the person; the reason is given as a code.
 */
export type ErasureOutcome = 'anonymised' | 'deleted';
export type ErasureReason =
  /** the category's retention rule keeps its requests (anonymised): a duty or a need to keep the record */
  | 'retention_keeps'
  /** the category's retention rule deletes its requests */
  | 'retention_deletes'
  /** no rule for the category and no town default: kept anonymised (nothing is deleted without a rule) */
  | 'no_rule';

export interface ErasureResult {
  citizenId: string;
  requests: Array<{ id: string; reference: string; outcome: ErasureOutcome; reason: ErasureReason }>;
  /** open requests erased anyway (force, with a reason) */
  forcedOpen: number;
}

export function erasureOf(action: 'anonymise' | 'delete' | null): { outcome: ErasureOutcome; reason: ErasureReason } {
  if (action === 'delete') return { outcome: 'deleted', reason: 'retention_deletes' };
  if (action === 'anonymise') return { outcome: 'anonymised', reason: 'retention_keeps' };
  return { outcome: 'anonymised', reason: 'no_rule' };
}

/** POST /citizens/{id}/merge: the kept record after the merge. */
export interface MergeResult {
  citizen: Citizen;
  /** the other record, now deleted */
  mergedId: string;
  movedRequests: number;
  /** fields of the kept record filled from the other */
  filled: string[];
  /** fields where both had a different value (the kept one's stays) */
  conflicts: string[];
}
