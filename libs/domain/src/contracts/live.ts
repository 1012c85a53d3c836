import type { Channel } from '../ticket/channel';
import type { PresenceState } from '../live/live-events';

/** GET / PUT /api/v1/live/tickets/:id/presence: who else has the ticket open, and whether to warn before writing. */
export interface TicketPresence {
  /** everyone there now, the writers first; `me` marks the caller */
  entries: Array<{ agentId: string; displayName: string; state: PresenceState; me: boolean }>;
  /** PUT with a writing state: someone else is answering (or writing while I start a reply) — say so before the agent writes */
  warning: { agentId: string; displayName: string; state: PresenceState } | null;
}

/** GET /api/v1/citizens/:id/messages: the exchanges with a person across their requests the agent may see, newest first. */
export interface CitizenMessage {
  id: string;
  ticketId: string;
  reference: string;
  channel: Channel;
  kind: 'reply' | 'inbound' | 'public_note';
  at: string;
  body: string | null;
  /** the agent who wrote it (null: the citizen, or the system) */
  actorName: string | null;
}
