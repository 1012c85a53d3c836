/**
 * A request's facts for the figures: what happened to it and when, with its durations already counted
 * in business time (the department's SLA calendar, libs/domain/src/sla) and in calendar days. Pure: the
 * worker folds a ticket's timeline, its SLA clocks and its calendar into one row of the rollup
 * (`report_ticket_facts`); every figure is an aggregate of these rows (definitions.ts).
 */
import { pointInPolygon, type LngLat } from '../routing/routing';
import { businessMsBetween, MINUTE_MS, type BusinessCalendar } from '../sla/calendar';
import { OPEN_STATUSES, type TicketStatus } from '../ticket/ticket-status';

const DAY_MS = 86_400_000;

export interface FactsEvent {
  kind: string;
  at: Date;
  data: Record<string, unknown>;
}

export interface FactsClock {
  target: string;
  breached: boolean;
  /** null while running or paused */
  stoppedAt: Date | null;
  stopReason: 'met' | 'cancelled' | null;
}

export interface FactsInput {
  createdAt: Date;
  status: TicketStatus;
  /** the columns, used when the timeline says nothing of the status (a town's imported history) */
  resolvedAt: Date | null;
  closedAt: Date | null;
  masterTicketId: string | null;
  /** the ticket's timeline, in order */
  events: readonly FactsEvent[];
  clocks: readonly FactsClock[];
  /** the ticket's department's calendar (its nearest department with one, else the town's) */
  calendar: BusinessCalendar;
}

export type SlaOutcome = 'met' | 'missed';

export interface StepFact {
  definitionCode: string;
  step: string;
  enteredAt: Date;
  leftAt: Date;
  businessMinutes: number;
  calendarMinutes: number;
}

export interface TicketFacts {
  firstResponseAt: Date | null;
  /** the final resolution: the last move to resolved (or to closed without resolved); null while open */
  resolvedAt: Date | null;
  closedAt: Date | null;
  firstResponseBusinessMinutes: number | null;
  firstResponseDays: number | null;
  resolutionBusinessMinutes: number | null;
  resolutionDays: number | null;
  /** moves from resolved/closed back to an open status */
  reopenCount: number;
  slaFirstResponse: SlaOutcome | null;
  slaFirstResponseAt: Date | null;
  slaResolution: SlaOutcome | null;
  slaResolutionAt: Date | null;
  /** clocks (any target, steps included) that went past their deadline */
  breaches: number;
  escalations: number;
  circuit: boolean;
  duplicate: boolean;
  steps: StepFact[];
}

const isOpen = (s: string): boolean => (OPEN_STATUSES as readonly string[]).includes(s);
const CIRCUIT_MOVES = new Set(['workflow_started', 'draft_submitted', 'opinion_given', 'workflow_step']);

/** Intervals spent waiting for the citizen (status waiting_citizen), from the timeline. */
function statusWalk(input: FactsInput) {
  let status = 'new' as string;
  let since = input.createdAt.getTime();
  const waiting: Array<[number, number]> = [];
  let resolvedAt: number | null = null;
  let closedAt: number | null = null;
  let reopenCount = 0;
  let sawStatus = false;
  for (const e of input.events) {
    if (e.kind !== 'status_changed') continue;
    const to = typeof e.data['to'] === 'string' ? (e.data['to'] as string) : null;
    if (!to || to === status) continue;
    sawStatus = true;
    const at = e.at.getTime();
    if (status === 'waiting_citizen') waiting.push([since, at]);
    if (to === 'resolved') {
      if (status !== 'resolved' && status !== 'closed') resolvedAt = at;
    } else if (to === 'closed') {
      if (status !== 'resolved') resolvedAt = at;
      closedAt = at;
    } else if (isOpen(to) && (status === 'resolved' || status === 'closed')) {
      reopenCount++;
      resolvedAt = null;
      closedAt = null;
    }
    status = to;
    since = at;
  }
  if (status === 'waiting_citizen') waiting.push([since, Number.POSITIVE_INFINITY]);
  // the timeline does not tell the status (imported history): the columns do
  if (!sawStatus || status !== input.status) {
    const done = !isOpen(input.status);
    resolvedAt = done ? ((input.resolvedAt ?? input.closedAt)?.getTime() ?? null) : null;
    closedAt = input.status === 'closed' ? (input.closedAt?.getTime() ?? null) : null;
  }
  return { waiting, resolvedAt, closedAt, reopenCount };
}

/** Business and real ms between a and b, the waiting intervals left out. */
function measure(calendar: BusinessCalendar, waiting: ReadonlyArray<[number, number]>, a: number, b: number) {
  let business = businessMsBetween(calendar, new Date(a), new Date(b));
  let real = b - a;
  for (const [from, to] of waiting) {
    const f = Math.max(from, a);
    const t = Math.min(to, b);
    if (t <= f) continue;
    business -= businessMsBetween(calendar, new Date(f), new Date(t));
    real -= t - f;
  }
  return { businessMinutes: Math.max(0, business) / MINUTE_MS, days: Math.max(0, real) / DAY_MS };
}

function outcome(clocks: readonly FactsClock[], target: string): { outcome: SlaOutcome | null; at: Date | null } {
  const c = clocks.find((x) => x.target === target);
  if (!c || c.stoppedAt === null || c.stopReason === 'cancelled') return { outcome: null, at: null };
  return { outcome: c.breached ? 'missed' : 'met', at: c.stoppedAt };
}

/** Step durations of the validation circuits: from entering a step to the move that leaves it. */
function circuitSteps(input: FactsInput): StepFact[] {
  const steps: StepFact[] = [];
  let current: { code: string; step: string; since: number } | null = null;
  const close = (at: number) => {
    if (!current) return;
    // a terminal step (the circuit finishes as it enters it) takes no time: not a step's duration
    if (at === current.since) {
      current = null;
      return;
    }
    const m = measure(input.calendar, [], current.since, at);
    steps.push({
      definitionCode: current.code,
      step: current.step,
      enteredAt: new Date(current.since),
      leftAt: new Date(at),
      businessMinutes: m.businessMinutes,
      calendarMinutes: (at - current.since) / MINUTE_MS,
    });
    current = null;
  };
  for (const e of input.events) {
    const at = e.at.getTime();
    const code = String(e.data['definitionCode'] ?? '');
    if (e.kind === 'workflow_finished') {
      close(at);
      continue;
    }
    if (!CIRCUIT_MOVES.has(e.kind)) continue;
    const from = typeof e.data['step'] === 'string' ? (e.data['step'] as string) : null;
    const to = typeof e.data['to'] === 'string' ? (e.data['to'] as string) : null;
    if (!to || to === from) continue;
    if (current && current.step === from) close(at);
    current = { code, step: to, since: at };
  }
  return steps;
}

export function ticketFacts(input: FactsInput): TicketFacts {
  const created = input.createdAt.getTime();
  const walk = statusWalk(input);
  const reply = input.events.find((e) => e.kind === 'reply');
  const firstResponseAt = reply ? reply.at.getTime() : null;
  const fr = firstResponseAt !== null ? measure(input.calendar, walk.waiting, created, firstResponseAt) : null;
  const res = walk.resolvedAt !== null ? measure(input.calendar, walk.waiting, created, walk.resolvedAt) : null;
  const slaFr = outcome(input.clocks, 'firstResponse');
  const slaRes = outcome(input.clocks, 'resolution');
  return {
    firstResponseAt: firstResponseAt !== null ? new Date(firstResponseAt) : null,
    resolvedAt: walk.resolvedAt !== null ? new Date(walk.resolvedAt) : null,
    closedAt: walk.closedAt !== null ? new Date(walk.closedAt) : null,
    firstResponseBusinessMinutes: fr?.businessMinutes ?? null,
    firstResponseDays: fr?.days ?? null,
    resolutionBusinessMinutes: res?.businessMinutes ?? null,
    resolutionDays: res?.days ?? null,
    reopenCount: walk.reopenCount,
    slaFirstResponse: slaFr.outcome,
    slaFirstResponseAt: slaFr.at,
    slaResolution: slaRes.outcome,
    slaResolutionAt: slaRes.at,
    breaches: input.clocks.filter((c) => c.breached).length,
    escalations: input.events.filter((e) => e.kind === 'sla_escalated').length,
    circuit: input.events.some((e) => e.kind === 'workflow_started'),
    duplicate: input.masterTicketId !== null,
    steps: circuitSteps(input),
  };
}

export interface NamedArea {
  name: string;
  /** [lng, lat] points */
  polygon: readonly LngLat[];
}

/** The neighbourhood of a position: the first area (routing rules' order) that contains it; null without a position. */
export function areaOf(lat: number | null, lng: number | null, areas: readonly NamedArea[]): string | null {
  if (lat === null || lng === null) return null;
  for (const a of areas) if (pointInPolygon([lng, lat], a.polygon)) return a.name;
  return null;
}
