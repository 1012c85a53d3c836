import type { EntityManager } from 'typeorm';

export type TimerState = 'pending' | 'fired' | 'cancelled' | 'failed';

/** A row of the `timers` table as handlers see it. */
export interface TimerRow {
  id: string;
  key: string;
  kind: string;
  ticketId: string | null;
  dueAt: Date;
  state: TimerState;
  payload: Record<string, unknown>;
  attempts: number;
}

export interface TimerSpec {
  /** deterministic, unique: scheduling the same key again moves the timer (unless it already fired) */
  key: string;
  kind: string;
  ticketId?: string | null;
  dueAt: Date;
  payload?: Record<string, unknown>;
}

/**
 * Acts on a due timer, inside the transaction that marks it fired (the row is locked): throw to roll
 * everything back and retry later. Must only use `m`.
 */
export type TimerHandler = (m: EntityManager, timer: TimerRow) => Promise<void>;
