import type { TicketStatus } from './ticket-status';

/** Days a tracking link keeps working once its request is resolved or closed (GRC_TRACKING_TTL_DAYS). */
export const DEFAULT_TRACKING_TTL_DAYS = 90;

export interface TrackedTicket {
  status: TicketStatus;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** the fallback when a finished ticket carries neither date (data imported as such) */
  updatedAt: Date;
}

/**
 * When the tracking links of a ticket stop working: `ttlDays` after it was finished — resolved, or closed
 * without having been resolved — and never while it is open (a reopened ticket's links work again).
 * `ttlDays` 0 means links never expire. Null: no expiry.
 */
export function trackingExpiresAt(t: TrackedTicket, ttlDays: number): Date | null {
  if (ttlDays <= 0 || (t.status !== 'resolved' && t.status !== 'closed')) return null;
  const finished = t.resolvedAt ?? t.closedAt ?? t.updatedAt;
  return new Date(finished.getTime() + ttlDays * 86_400_000);
}

export const isTrackingExpired = (t: TrackedTicket, ttlDays: number, now: Date): boolean => {
  const at = trackingExpiresAt(t, ttlDays);
  return at !== null && now.getTime() >= at.getTime();
};
