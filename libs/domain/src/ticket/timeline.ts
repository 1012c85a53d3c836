/** What the ticket timeline records. */
export const TIMELINE_EVENT_KINDS = [
  'created',
  'reply', // public reply to the citizen
  'note', // internal note, never shown to the citizen
  'inbound', // a message from the citizen
  'assigned',
  'transferred',
  'status_changed',
  'priority_changed',
  'category_changed',
  'attachment_added',
] as const;
export type TimelineEventKind = (typeof TIMELINE_EVENT_KINDS)[number];
