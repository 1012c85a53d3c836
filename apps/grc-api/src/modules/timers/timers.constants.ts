import { envAtImport } from '../../config/environment';
/** The BullMQ queue mirroring the `timers` table (one delayed job per pending row). */
export const TIMERS_QUEUE = 'timers';
export const TIMER_JOB = 'fire';
/** BullMQ job ids cannot contain ':' (timer keys do): the job id is the key with ':' → '|'. */
export const jobIdOf = (key: string): string => key.replace(/:/g, '|');
/** How often the reconciler runs (it also runs at worker start and as soon as Redis is found emptied). */
export const RECONCILE_EVERY_MS = envAtImport('GRC_TIMERS_RECONCILE_MS');
/**
 * Pending rows due within this horizon get their job re-added when it is missing from Redis (a job lost
 * while Redis was unreachable): four periodic passes see each row before it is due. A wider horizon
 * only costs more EXISTS checks every pass (60,000 rows per pass in the 100,000-timer benchmark at 10 min).
 */
export const RECONCILE_HORIZON_MS = 60_000;
/** Overdue rows older than this are fired by the reconciler itself (the job path is normally faster). */
export const OVERDUE_GRACE_MS = 1_000;
/** After this many failed attempts a timer is set aside as 'failed' (visible, never retried blindly). */
export const MAX_TIMER_ATTEMPTS = 10;
/** Key of the Redis sentinel: its absence means Redis lost its data (FLUSHALL, restart without persistence). */
export const SENTINEL_SUFFIX = 'timers:sentinel';
