import { canTransition, type TicketStatus } from '../ticket/ticket-status';

const TERMINAL: readonly TicketStatus[] = ['resolved', 'closed'];

/**
 * What a master's status change means for one of its followers: the status the follower takes, or null
 * when it stays as it is. The master's progress is every reporter's progress:
 * - resolved or closed → the follower too (whatever open status it had);
 * - reopened (resolved/closed → open) → a resolved or closed follower reopens;
 * - taken in hand (new → open) → a follower still `new` becomes `open`.
 * `waiting_citizen` never spreads: the master waits for its own reporter, not for the followers'.
 * A move the lifecycle does not allow for the follower is not made.
 */
export function followerStatusAfter(masterFrom: TicketStatus, masterTo: TicketStatus, follower: TicketStatus): TicketStatus | null {
  if (masterFrom === masterTo || follower === masterTo) return null;
  let wanted: boolean;
  if (TERMINAL.includes(masterTo)) wanted = true;
  else if (masterTo === 'open' && TERMINAL.includes(masterFrom)) wanted = TERMINAL.includes(follower);
  else if (masterTo === 'open' && masterFrom === 'new') wanted = follower === 'new';
  else wanted = false;
  return wanted && canTransition(follower, masterTo) ? masterTo : null;
}
