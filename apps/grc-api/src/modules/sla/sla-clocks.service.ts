import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  escalationPoints,
  priorityFromRank,
  selectPolicy,
  targetDuration,
  viewSlaClock,
  type BusinessCalendar,
  type Channel,
  type SlaClock,
  type SlaPolicy,
  type SlaTargetKey,
} from '@grc/domain';
import { TicketEntity } from '../../database/entities';
import { CategoriesRepository } from '../reference/categories.repository';
import type { SlaSummary, TicketChangeEffects, TicketDraft } from '../tickets/ticket-change.hooks';
import { TimersService } from '../timers/timers.service';
import { SlaConfigService, type ResolvedCalendar } from './sla-config.service';
import { append, foldState, newClock, type ClockRow } from './sla-clock';
import { SlaRepository, type PolicyRow } from './sla.repository';
import { deadlineMoved } from './sla-wording';

export const SLA_ESCALATION = 'sla.escalation';
const TARGETS: SlaTargetKey[] = ['firstResponse', 'resolution'];

/** A creation's clocks prepared before its row is written (`SlaClocks.plan`). */
export interface StartPlan extends TicketDraft {
  /** null: no policy matches, no clock starts */
  policy: SlaPolicy | null;
  calendar: BusinessCalendar;
  /** the clocks' start: the transaction's now(), which the row's created_at takes */
  at: Date;
  summary: SlaSummary;
}
type StartedClock = { row: ClockRow; policyId: string; clock: SlaClock };

/** The calendar a clock counts on: a step's clock its department's, the others the ticket's. */
export type ClockCalendars = (row: ClockRow) => Promise<BusinessCalendar>;

/**
 * The clocks of a ticket as the engine's parts share them: the matching policy, the calendar of each
 * clock, starting a ticket's clocks, and saving a clock (row, escalation timers, the timeline's
 * explanation of a moved deadline through the change's effects).
 */
@Injectable()
export class SlaClocks {
  constructor(
    private readonly rows: SlaRepository,
    private readonly config: SlaConfigService,
    private readonly timers: TimersService,
    private readonly categories: CategoriesRepository,
  ) {}

  load(m: EntityManager, ticketId: string, lock: boolean): Promise<ClockRow[]> {
    return this.rows.clocks(m, ticketId, lock);
  }

  /** The most specific active policy for the ticket's category, priority and channel. */
  async policyFor(m: EntityManager, t: TicketEntity): Promise<SlaPolicy | null> {
    const code = await this.categories.codeOf(t.categoryId, m);
    return selectPolicy(await this.config.policies(m), {
      categoryCode: code ?? '',
      priority: priorityFromRank(t.priority),
      channel: t.channel as Channel,
    });
  }

  /** Calendars of a change's clocks, resolved once per department (`ticketCalendar`: the ticket's). */
  calendarsOf(m: EntityManager, ticketCalendar: () => Promise<ResolvedCalendar>): ClockCalendars {
    const byDepartment = new Map<string, Promise<ResolvedCalendar>>();
    return async (row) => {
      const id = row.calendar_department_id;
      if (!id) return (await ticketCalendar()).calendar;
      let c = byDepartment.get(id);
      if (!c) byDepartment.set(id, (c = this.config.calendarFor(m, id)));
      return (await c).calendar;
    };
  }

  /** Starts the clocks of the matching policy (creation, or first change when none ran). */
  /**
   * Starts the clocks of the matching policy (creation, or first change when none ran). Three round trips
   * whatever the number of targets (bench/intake.mjs): what it reads (category code, policies, calendars),
   * the clocks' rows, their escalation timers — rows first, the timers' jobs after commit (TimersService).
   */
  async start(m: EntityManager, t: TicketEntity, now: Date, effects: TicketChangeEffects): Promise<void> {
    const ctx = await this.rows.startContext(m, t.categoryId, t.departmentId);
    const policy = this.matching(ctx, t);
    if (!policy) return;
    const { calendar } = this.config.calendarFromRows(ctx.calendars);
    const at = t.createdAt && t.createdAt.getTime() <= now.getTime() ? new Date(t.createdAt) : now;
    await this.write(m, this.started(t.id, policy, calendar, at, now), calendar);
    effects.refreshSla();
  }

  /**
   * A creation's clocks prepared before its row is written (TicketChangeListener.prepareCreation): the same
   * reads as `start`, with the transaction's `now()` — the row's `created_at` — as the start, and the summary
   * `refreshSla` would compute from them, which the tickets module writes with the row.
   */
  async plan(m: EntityManager, draft: TicketDraft, now: Date): Promise<StartPlan> {
    const ctx = await this.rows.startContext(m, draft.categoryId, draft.departmentId);
    const policy = this.matching(ctx, draft);
    const { calendar } = this.config.calendarFromRows(ctx.calendars);
    const at = ctx.now.getTime() <= now.getTime() ? ctx.now : now;
    const rows = policy ? this.started('', policy, calendar, at, now).map((s) => s.row) : [];
    const running = rows.filter((r) => r.status === 'running' && r.deadline).map((r) => r.deadline!.getTime());
    return {
      ...draft,
      policy,
      calendar,
      at,
      summary: {
        slaDueAt: running.length ? new Date(Math.min(...running)) : null,
        slaBreached: rows.some((r) => r.status !== 'stopped' && r.breached),
      },
    };
  }

  /** Starts the clocks `plan` prepared, for the row written with its summary: no `refreshSla`. */
  async startPlanned(m: EntityManager, t: TicketEntity, plan: StartPlan, now: Date): Promise<void> {
    if (!plan.policy) return;
    await this.write(m, this.started(t.id, plan.policy, plan.calendar, plan.at, now), plan.calendar);
  }

  /** The plan was made for this row: same category, department, priority, channel, and its start is the row's creation. */
  fits(plan: StartPlan, t: TicketEntity): boolean {
    return (
      plan.categoryId === t.categoryId &&
      plan.departmentId === t.departmentId &&
      plan.priority === t.priority &&
      plan.channel === t.channel &&
      !!t.createdAt &&
      new Date(t.createdAt).getTime() === plan.at.getTime()
    );
  }

  private matching(
    ctx: { categoryCode: string | null; policies: PolicyRow[] },
    t: { priority: number; channel: string },
  ): SlaPolicy | null {
    return selectPolicy(this.config.policiesOf(ctx.policies), {
      categoryCode: ctx.categoryCode ?? '',
      priority: priorityFromRank(t.priority),
      channel: t.channel as Channel,
    });
  }

  /** The policy's clocks started at `at` (one per target with a duration), their deadlines computed. */
  private started(ticketId: string, policy: SlaPolicy, calendar: BusinessCalendar, at: Date, now: Date): StartedClock[] {
    const started: StartedClock[] = [];
    for (const target of TARGETS) {
      const duration = targetDuration(policy, target);
      if (!duration) continue;
      const row = newClock(ticketId, target, policy);
      append(row, { type: 'started', at, ticketId, target, policyId: policy.id, duration }, calendar);
      // as save() does for one clock (a started clock has no deadline move to explain, no older timer to cancel)
      const state = foldState(row.events, calendar);
      const clock = viewSlaClock(state, calendar, now);
      row.deadline = clock.deadline;
      started.push({ row, policyId: state.policyId, clock });
    }
    return started;
  }

  /** The started clocks' rows, then their escalation timers: two round trips whatever the number of targets. */
  private async write(m: EntityManager, started: StartedClock[], calendar: BusinessCalendar): Promise<void> {
    if (!started.length) return;
    await this.rows.saveClocks(m, started);
    await this.timers.scheduleMany(
      m,
      started.flatMap(({ row, clock }) => this.timerSpecs(row, clock, calendar)),
    );
  }

  /** Persists a clock, syncs its escalation timers, explains a moved deadline in the timeline. */
  async save(
    m: EntityManager,
    row: ClockRow,
    calendar: BusinessCalendar,
    now: Date,
    effects: TicketChangeEffects,
    created = false,
  ): Promise<void> {
    const state = foldState(row.events, calendar);
    const clock = viewSlaClock(state, calendar, now);
    const previous = row.deadline;
    row.deadline = clock.deadline;
    const last = state.history[state.history.length - 1];
    // a recompute that gives time back clears the breach flag set by the ladder (mark_breached)
    if (last?.cause === 'recomputed' && !clock.breached) row.breached = false;
    await this.rows.saveClock(m, row, state.policyId);
    await this.syncTimers(m, row, clock, calendar, created);
    // starts and stops are told by the event that caused them (creation, circuit step, status); moves are explained here
    if (!created && last && last.cause !== 'stopped' && last.cause !== 'started') {
      effects.addEvents({
        kind: 'sla_changed',
        body: deadlineMoved(row.target, last, previous, row.deadline),
        data: {
          target: row.target,
          cause: last.cause,
          reason: last.reason,
          // why the deadline moved, for the console to word (fr, en)
          code: last.code,
          params: last.params,
          previous: previous ? new Date(previous).toISOString() : null,
          deadline: row.deadline?.toISOString() ?? null,
          generation: row.generation,
        },
      });
    }
  }

  /**
   * Escalation points the clocks' terms put in the past (started late by a backfill, recomputed by a
   * re-applied policy) are recorded, not acted upon: their timers are cancelled; a deadline already
   * past is a breach (of the policy's running clocks only, when given).
   */
  async settlePast(m: EntityManager, ticketId: string, now: Date, policyId?: string): Promise<void> {
    await this.timers.cancelDue(m, ticketId, SLA_ESCALATION, now);
    await this.rows.markPastDeadlinesBreached(m, ticketId, now, policyId);
  }

  /** `created`: the clock's first row: no timer of its target exists yet, nothing to cancel (one statement less per target at intake). */
  /** The escalation timers a clock's ladder asks for (its points still to come). */
  private timerSpecs(row: ClockRow, clock: SlaClock, calendar: BusinessCalendar) {
    const points = clock.policyId === row.policy.id ? escalationPoints({ ...clock, generation: row.generation }, row.policy, calendar) : [];
    return points
      .filter((p) => p.dueAt !== null)
      .map((p) => ({
        key: p.key,
        kind: SLA_ESCALATION,
        ticketId: row.ticket_id,
        dueAt: p.dueAt as Date,
        payload: { target: row.target, atPercent: p.atPercent, generation: row.generation },
      }));
  }

  private async syncTimers(m: EntityManager, row: ClockRow, clock: SlaClock, calendar: BusinessCalendar, created = false): Promise<void> {
    const keep = this.timerSpecs(row, clock, calendar);
    await this.timers.scheduleMany(m, keep);
    // suspended (paused), cancelled (stopped) and older generations
    if (created) return;
    await this.timers.cancelWhere(
      m,
      row.ticket_id,
      SLA_ESCALATION,
      { target: row.target },
      keep.map((p) => p.key),
    );
  }
}
