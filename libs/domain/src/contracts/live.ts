import type { PresenceState } from '../live/live-events';

/** GET / PUT /api/v1/live/tickets/:id/presence: who else has the ticket open, and whether to warn before writing. */
export interface TicketPresence {
  /** everyone there now, the writers first; `me` marks the caller */
  entries: Array<{ agentId: string; displayName: string; state: PresenceState; me: boolean }>;
  /** PUT with a writing state: someone else is answering (or writing while I start a reply) — say so before the agent writes */
  warning: { agentId: string; displayName: string; state: PresenceState } | null;
}
