/**
 * Ticket lifecycle: new → open → waiting_citizen → resolved → closed, with reopen.
 * The table is the rule; the API refuses any move it does not list.
 */
export const TICKET_STATUSES = ['new', 'open', 'waiting_citizen', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'waiting_citizen', 'resolved', 'closed'],
  open: ['waiting_citizen', 'resolved', 'closed'],
  waiting_citizen: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'], // reopen, or close for good
  closed: ['open'], // reopen
};

/** Statuses that still need work from the town. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'open', 'waiting_citizen'];

export const allowedTransitions = (from: TicketStatus): readonly TicketStatus[] => TRANSITIONS[from];
export const canTransition = (from: TicketStatus, to: TicketStatus): boolean => TRANSITIONS[from].includes(to);
export const isTicketStatus = (v: unknown): v is TicketStatus => (TICKET_STATUSES as readonly unknown[]).includes(v);
