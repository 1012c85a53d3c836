import fc from 'fast-check';
import { TICKET_STATUSES, TicketStatus, allowedTransitions, canTransition, isTicketStatus, OPEN_STATUSES } from './ticket-status';

/** The expected table, written out pair by pair: [from, to, allowed]. */
const EXPECTED: Record<TicketStatus, Record<TicketStatus, boolean>> = {
  new: { new: false, open: true, waiting_citizen: true, resolved: true, closed: true },
  open: { new: false, open: false, waiting_citizen: true, resolved: true, closed: true },
  waiting_citizen: { new: false, open: true, waiting_citizen: false, resolved: true, closed: true },
  resolved: { new: false, open: true, waiting_citizen: false, resolved: false, closed: true },
  closed: { new: false, open: true, waiting_citizen: false, resolved: false, closed: false },
};
const PAIRS = TICKET_STATUSES.flatMap((from) => TICKET_STATUSES.map((to) => [from, to, EXPECTED[from][to]] as const));

describe('ticket status transitions', () => {
  it('covers all 25 pairs', () => expect(PAIRS).toHaveLength(25));

  it.each(PAIRS)('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
    expect(allowedTransitions(from).includes(to)).toBe(allowed);
  });

  it('never allows staying put or going back to new', () => {
    for (const s of TICKET_STATUSES) {
      expect(canTransition(s, s)).toBe(false);
      expect(canTransition(s, 'new')).toBe(false);
    }
  });

  it('knows its statuses', () => {
    expect(TICKET_STATUSES.every(isTicketStatus)).toBe(true);
    expect([undefined, null, 'NEW', 'reopened', 3].some(isTicketStatus)).toBe(false);
    expect(OPEN_STATUSES).toEqual(['new', 'open', 'waiting_citizen']);
  });
});

describe('ticket status properties', () => {
  const status = fc.constantFrom(...TICKET_STATUSES);
  const reachable = (from: TicketStatus): Set<TicketStatus> => {
    const seen = new Set<TicketStatus>([from]);
    const queue = [from];
    while (queue.length > 0) {
      for (const n of allowedTransitions(queue.shift() as TicketStatus)) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    }
    return seen;
  };

  it('from any status, closed is reachable, in one move', () => {
    fc.assert(fc.property(status, (s) => s === 'closed' || canTransition(s, 'closed')));
    fc.assert(fc.property(status, (s) => reachable(s).has('closed')));
  });

  it('from closed you can reopen, and then reach every working status again', () => {
    expect(canTransition('closed', 'open')).toBe(true);
    fc.assert(fc.property(status, (s) => s === 'new' || reachable('closed').has(s)));
  });

  it('any walk along allowed moves stays within the table and can always end closed', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), (choices) => {
        let s: TicketStatus = 'new';
        for (const c of choices) {
          const next = allowedTransitions(s);
          expect(next.length).toBeGreaterThan(0); // no dead end
          s = next[c % next.length] as TicketStatus;
        }
        expect(s === 'closed' || canTransition(s, 'closed')).toBe(true);
      }),
    );
  });
});
