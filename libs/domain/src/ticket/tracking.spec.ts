import { TICKET_STATUSES } from './ticket-status';
import { DEFAULT_TRACKING_TTL_DAYS, isTrackingExpired, trackingExpiresAt, type TrackedTicket } from './tracking';

const DAY = 86_400_000;
const t0 = new Date('2026-03-02T10:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

describe('tracking link expiry', () => {
  it('never expires while the request is open, however old', () => {
    for (const status of ['new', 'open', 'waiting_citizen'] as const) {
      const t: TrackedTicket = { status, resolvedAt: null, closedAt: null, updatedAt: at(-1000) };
      expect(trackingExpiresAt(t, 90)).toBeNull();
      expect(isTrackingExpired(t, 90, at(5000))).toBe(false);
    }
  });
  it('expires ttl days after the resolution, the limit itself included', () => {
    const t: TrackedTicket = { status: 'resolved', resolvedAt: t0, closedAt: null, updatedAt: at(1) };
    expect(trackingExpiresAt(t, 90)).toEqual(at(90));
    expect(isTrackingExpired(t, 90, new Date(at(90).getTime() - 1))).toBe(false);
    expect(isTrackingExpired(t, 90, at(90))).toBe(true);
  });
  it('counts from the resolution when a resolved request is later closed, else from the closing', () => {
    expect(trackingExpiresAt({ status: 'closed', resolvedAt: t0, closedAt: at(30), updatedAt: at(30) }, 90)).toEqual(at(90));
    expect(trackingExpiresAt({ status: 'closed', resolvedAt: null, closedAt: at(30), updatedAt: at(30) }, 90)).toEqual(at(120));
    expect(trackingExpiresAt({ status: 'closed', resolvedAt: null, closedAt: null, updatedAt: at(7) }, 10)).toEqual(at(17));
  });
  it('0 days: links never expire', () => {
    for (const status of TICKET_STATUSES)
      expect(isTrackingExpired({ status, resolvedAt: t0, closedAt: t0, updatedAt: t0 }, 0, at(10_000))).toBe(false);
  });
  it('defaults to 90 days', () => expect(DEFAULT_TRACKING_TTL_DAYS).toBe(90));
});
