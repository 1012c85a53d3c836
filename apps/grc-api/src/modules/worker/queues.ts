/** Every BullMQ queue and job name of the product, in one place (producers and workers import these). */
export const QUEUES = {
  /** refreshes the inbox_counters read model */
  inboxCounters: 'inbox-counters',
  /** wakes the e-mail sender after outbox rows were committed (modules/mail) */
  mailOutbox: 'mail-outbox',
} as const;

export const INBOX_COUNTERS_JOBS = {
  recompute: 'recompute',
} as const;

/** id of the repeatable job that heals the read model whatever happened to Redis */
export const INBOX_COUNTERS_RECONCILER = 'inbox-counters-reconcile';
/** many ticket changes within one slot → one recompute at the end of the slot */
export const INBOX_COUNTERS_SLOT_MS = 2_000;
export const INBOX_COUNTERS_RECONCILE_EVERY_MS = 60_000;

export const MAIL_OUTBOX_JOBS = {
  send: 'send',
} as const;
