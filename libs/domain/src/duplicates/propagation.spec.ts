import { TICKET_STATUSES, canTransition, type TicketStatus } from '../ticket/ticket-status';
import { followerStatusAfter } from './propagation';

describe('followerStatusAfter', () => {
  it('resolves and closes every open follower with the master', () => {
    for (const f of ['new', 'open', 'waiting_citizen'] as TicketStatus[]) {
      expect(followerStatusAfter('open', 'resolved', f)).toBe('resolved');
      expect(followerStatusAfter('new', 'closed', f)).toBe('closed');
    }
    expect(followerStatusAfter('resolved', 'closed', 'resolved')).toBe('closed');
  });
  it('reopens resolved or closed followers when the master reopens, and only those', () => {
    expect(followerStatusAfter('resolved', 'open', 'resolved')).toBe('open');
    expect(followerStatusAfter('closed', 'open', 'closed')).toBe('open');
    expect(followerStatusAfter('closed', 'open', 'new')).toBeNull();
    expect(followerStatusAfter('resolved', 'open', 'waiting_citizen')).toBeNull();
  });
  it('takes a new follower in hand when the master is', () => {
    expect(followerStatusAfter('new', 'open', 'new')).toBe('open');
    expect(followerStatusAfter('new', 'open', 'waiting_citizen')).toBeNull();
  });
  it('never spreads waiting_citizen, nor a return from it', () => {
    for (const f of TICKET_STATUSES) {
      expect(followerStatusAfter('open', 'waiting_citizen', f)).toBeNull();
      expect(followerStatusAfter('new', 'waiting_citizen', f)).toBeNull();
      expect(followerStatusAfter('waiting_citizen', 'open', f)).toBeNull();
    }
  });
  it('does nothing without a change, and only moves the lifecycle allows', () => {
    for (const from of TICKET_STATUSES)
      for (const to of TICKET_STATUSES)
        for (const f of TICKET_STATUSES) {
          const next = followerStatusAfter(from, to, f);
          if (from === to || f === to) expect(next).toBeNull();
          if (next !== null) {
            expect(next).toBe(to);
            expect(canTransition(f, next)).toBe(true);
          }
        }
  });
});
