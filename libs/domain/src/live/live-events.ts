/**
 * Live events (issue 13): what the API tells a console after a ticket changed, over server-sent events.
 * Ids, never data (architecture invariant 10): the console re-reads through the scoped REST routes. An
 * event names its ticket, the version the change produced, what kind of change it was and the
 * department(s) it concerns — which is what scoping needs, and no more.
 */

/** `created`: a new ticket; `changed`: any change; `moved`: the ticket left `fromDepartmentId` for `departmentId`; `presence`: someone opened, left or started writing on the ticket. */
export const LIVE_EVENT_KINDS = ['created', 'changed', 'moved', 'presence'] as const;
export type LiveEventKind = (typeof LIVE_EVENT_KINDS)[number];

export interface LiveEvent {
  kind: LiveEventKind;
  ticketId: string;
  /** the ticket's version after the change (0 for presence: it does not change the ticket) */
  version: number;
  /** the department the ticket is in after the change */
  departmentId: string;
  /** for `moved`: the department it left */
  fromDepartmentId?: string | null;
  /** the timeline kinds the change wrote (note, reply, status_changed…): what a page may refresh */
  timeline?: string[];
}

/** One event as the stream sends it: the event log's id (Redis stream id, the SSE `id:`) and the event. */
export interface LiveEnvelope {
  id: string;
  event: LiveEvent;
}

/** Who is listening: what the REST routes scope by. */
export interface LiveViewer {
  /** admins see every department */
  admin: boolean;
  visibleDepartmentIds: readonly string[];
}

const sees = (viewer: LiveViewer, departmentId: string | null | undefined): boolean =>
  !!departmentId && (viewer.admin || viewer.visibleDepartmentIds.includes(departmentId));

/**
 * Whether the inbox stream of this viewer receives the event: exactly the departments GET /tickets
 * would show. A ticket moved away is told to its former department (the row leaves the list), only by id;
 * presence is not sent there.
 */
export function inboxReceives(viewer: LiveViewer, e: LiveEvent): boolean {
  // presence is a ticket page's business: the inbox's rows and counters do not change with it
  if (e.kind === 'presence') return false;
  if (sees(viewer, e.departmentId)) return true;
  return e.kind === 'moved' && sees(viewer, e.fromDepartmentId);
}

/**
 * What a ticket's stream does with an event: `send` it (it is this ticket's, and the viewer still sees
 * it), send it then `close` (the ticket moved to a department the viewer does not see: GET /tickets/:id
 * would now answer 404, so the stream ends), or `skip` it.
 */
export function ticketStreamAction(viewer: LiveViewer, ticketId: string, e: LiveEvent): 'send' | 'close' | 'skip' {
  if (e.ticketId !== ticketId) return 'skip';
  if (sees(viewer, e.departmentId)) return 'send';
  return e.kind === 'moved' && sees(viewer, e.fromDepartmentId) ? 'close' : 'skip';
}

/** The live event a committed ticket change produces. */
export function liveEventOfChange(change: {
  ticketId: string;
  created: boolean;
  version: number;
  departmentId: string;
  departmentBefore: string | null;
  timeline: readonly string[];
}): LiveEvent {
  const moved = !change.created && change.departmentBefore !== null && change.departmentBefore !== change.departmentId;
  return {
    kind: change.created ? 'created' : moved ? 'moved' : 'changed',
    ticketId: change.ticketId,
    version: change.version,
    departmentId: change.departmentId,
    ...(moved ? { fromDepartmentId: change.departmentBefore } : {}),
    timeline: [...new Set(change.timeline)],
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Reads an event back from the log or the channel; null for anything that is not one (never trusted blindly). */
export function parseLiveEvent(json: string): LiveEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const e = v as Record<string, unknown>;
  if (!LIVE_EVENT_KINDS.includes(e['kind'] as LiveEventKind)) return null;
  if (typeof e['ticketId'] !== 'string' || !UUID.test(e['ticketId'])) return null;
  if (typeof e['departmentId'] !== 'string' || !UUID.test(e['departmentId'])) return null;
  if (typeof e['version'] !== 'number' || !Number.isInteger(e['version'])) return null;
  const from = e['fromDepartmentId'];
  if (from !== undefined && from !== null && (typeof from !== 'string' || !UUID.test(from))) return null;
  const timeline = Array.isArray(e['timeline']) ? e['timeline'].filter((k): k is string => typeof k === 'string') : undefined;
  return {
    kind: e['kind'] as LiveEventKind,
    ticketId: e['ticketId'],
    version: e['version'],
    departmentId: e['departmentId'],
    ...(from ? { fromDepartmentId: from as string } : {}),
    ...(timeline ? { timeline } : {}),
  };
}

/** Redis stream ids ("<ms>-<seq>"): the Last-Event-ID a console sends back; null when it is not one. */
export function parseStreamId(id: string | null | undefined): string | null {
  if (!id) return null;
  const s = id.trim();
  return /^\d{1,15}-\d{1,10}$/.test(s) ? s : null;
}

/** Orders two stream ids (a live message already replayed is not sent twice). */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am !== bm ? am - bm : as - bs;
}

// ------------------------------------------------------------------ presence

export const PRESENCE_STATES = ['viewing', 'writing_reply', 'writing_note'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

export interface PresenceEntry {
  agentId: string;
  state: PresenceState;
  /** epoch ms after which the entry is gone (no heartbeat) */
  until: number;
}

/** The entries still alive at `now`, one per agent, the writers first then by agent id. */
export function livePresence(entries: readonly PresenceEntry[], now: number): PresenceEntry[] {
  const byAgent = new Map<string, PresenceEntry>();
  for (const e of entries)
    if (e.until > now && (!byAgent.has(e.agentId) || byAgent.get(e.agentId)!.until < e.until)) byAgent.set(e.agentId, e);
  const rank = (s: PresenceState) => (s === 'viewing' ? 1 : 0);
  return [...byAgent.values()].sort((a, b) => rank(a.state) - rank(b.state) || a.agentId.localeCompare(b.agentId));
}

/**
 * Whether starting to write should warn first: someone else is writing a reply (the citizen would get
 * two answers), or writing anything while I start a reply.
 */
export function collisionWarning(
  me: string,
  entries: readonly PresenceEntry[],
  starting: PresenceState,
): { agentId: string; state: PresenceState } | null {
  if (starting === 'viewing') return null;
  const other = entries.find(
    (e) => e.agentId !== me && (e.state === 'writing_reply' || (starting === 'writing_reply' && e.state === 'writing_note')),
  );
  return other ? { agentId: other.agentId, state: other.state } : null;
}
