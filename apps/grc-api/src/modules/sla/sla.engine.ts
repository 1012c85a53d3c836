import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  applySlaClockEvent, escalationPoints, formatSlaDuration, priorityFromRank, selectPolicy, targetDuration, viewSlaClock,
  type BusinessCalendar, type Channel, type EscalationAction, type SlaClock, type SlaClockEvent, type SlaClockState,
  type SlaDeadlineChange, type SlaPolicy, type SlaRecomputeReason, type SlaTargetKey, type TimelineEventKind,
} from '@grc/domain';
import { TicketEntity } from '../../database/entities';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { CategoriesRepository } from '../reference/categories.repository';
import { systemActor, type Actor } from '../auth/authenticated-agent';
import type { TicketChange, TicketChangeEffects, TicketChangeListener } from '../tickets/ticket-change.hooks';
import { TicketChangeHooks } from '../tickets/ticket-change.hooks';
import { TicketsService, type Mutation } from '../tickets/tickets.service';
import type { TimerRow } from '../timers/timer.types';
import { TimersService } from '../timers/timers.service';
import { SlaConfigService, type ResolvedCalendar } from './sla-config.service';

export const SLA_ESCALATION = 'sla.escalation';
const TARGETS: SlaTargetKey[] = ['firstResponse', 'resolution'];
const TARGET_FR: Record<string, string> = { firstResponse: 'première réponse', resolution: 'résolution' };
const targetFr = (target: string): string =>
  TARGET_FR[target] ?? (target.startsWith('step:') ? `l’étape « ${target.slice(5).replace(/_/g, ' ')} » du circuit` : target);
const SLA_ACTOR = 'sla';
/** Timeline events written when a validation circuit starts, moves or ends. */
const WORKFLOW_EVENTS = new Set<TimelineEventKind>(['workflow_started', 'draft_submitted', 'workflow_step', 'opinion_given', 'workflow_finished']);
const CLOSED = new Set(['resolved', 'closed']);

/** A clock event as stored (JSON): dates as ISO strings. */
type StoredEvent = Omit<SlaClockEvent, 'at'> & { at: string };

export interface ClockRow {
  ticket_id: string;
  target: SlaTargetKey;
  policy_id: string;
  policy: SlaPolicy;
  generation_base: number;
  generation: number;
  events: StoredEvent[];
  past_history: Array<Omit<SlaDeadlineChange, 'at' | 'previous' | 'deadline'> & { at: string; previous: string | null; deadline: string | null }>;
  status: 'running' | 'paused' | 'stopped';
  deadline: Date | null;
  breached: boolean;
  /** A circuit step's clock: the step's department, whose calendar counts it; null: the ticket's department's. */
  calendar_department_id: string | null;
}

const revive = (e: StoredEvent): SlaClockEvent => ({ ...e, at: new Date(e.at) }) as SlaClockEvent;
const store = (e: SlaClockEvent): StoredEvent => ({ ...e, at: e.at.toISOString() }) as StoredEvent;

export function foldState(events: readonly StoredEvent[], calendar: BusinessCalendar): SlaClockState {
  let s: SlaClockState | null = null;
  for (const e of events) s = applySlaClockEvent(s, revive(e), calendar);
  if (!s) throw new Error('SLA clock without events');
  return s;
}

const fmtParis = (d: Date | null): string =>
  d ? new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(d) : 'aucune échéance';

/**
 * The SLA engine. Follows every ticket change inside its transaction (TicketChangeListener): starts
 * the clocks of the policy that matches on creation, marks the first response met on the first
 * public reply, pauses while waiting for the citizen, recomputes from the start on a category or
 * priority change (new generation), stops on resolution, restarts resolution on reopening. After each
 * change the escalation points of the clock become durable timers (kind 'sla.escalation', key
 * `${ticketId}:${target}:${atPercent}:${generation}`); older generations and suspended points are
 * cancelled. Fired escalations run the ladder's actions as the system actor, in the timer's transaction.
 * The engine writes no SQL on tickets / ticket_events: its timeline events (`sla_changed`) and the
 * inbox's summary columns (sla_due_at, sla_breached) go through the change's TicketChangeEffects, so
 * the tickets module writes them and the change's audit event sees them.
 */
@Injectable()
export class SlaEngine implements OnModuleInit, TicketChangeListener {
  private readonly log = new Logger('SlaEngine');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: SlaConfigService,
    private readonly timers: TimersService,
    private readonly hooks: TicketChangeHooks,
    private readonly tickets: TicketsService,
    private readonly notifications: NotificationsRepository,
    private readonly categories: CategoriesRepository,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
    this.timers.registerHandler(SLA_ESCALATION, (m, t) => this.escalate(m, t));
  }

  // ------------------------------------------------------------------ ticket changes

  async onTicketChanged(m: EntityManager, change: TicketChange): Promise<void> {
    const { after, before } = change;
    const now = new Date();
    if (!before) {
      await this.start(m, after, now, change);
      return;
    }
    const touched = new Set<SlaTargetKey>();
    const clocks = await this.loadClocks(m, after.id, true);
    let calendar: ResolvedCalendar | null = null;
    const cal = async () => (calendar ??= await this.config.calendarFor(m, after.departmentId));
    const calOf = this.calendarsOf(m, cal);

    // 1. category or priority changed by a person: recompute from the start (escalations raising the
    //    priority keep their clock, or a breached ticket would cascade to "urgent" at once)
    const reasons: SlaRecomputeReason[] = [];
    if (before.categoryId !== after.categoryId) reasons.push('category_changed');
    if (before.priority !== after.priority && change.actor.system !== SLA_ACTOR) reasons.push('priority_changed');
    // a transfer to a department on another calendar: its hours hold the promise from now on (cal() resolves it)
    if (before.departmentId !== after.departmentId && clocks.length
      && (await this.config.calendarFor(m, before.departmentId)).id !== (await cal()).id) reasons.push('department_changed');
    if (reasons.length) {
      if (clocks.length === 0) {
        await this.start(m, after, now, change);
        return;
      }
      const policy = await this.policyFor(m, after);
      for (const row of clocks) {
        if (row.status === 'stopped') continue;
        // a step counted on its own department's calendar is not moved by the ticket's transfer
        const reason = reasons.find((r) => r !== 'department_changed' || !row.calendar_department_id);
        if (!reason) continue;
        const duration = policy ? targetDuration(policy, row.target) : null;
        this.append(row, { type: 'recomputed', at: now, reason, policyId: policy?.id ?? row.policy_id, duration }, await calOf(row));
        if (policy) row.policy = policy;
        touched.add(row.target);
      }
    }
    // 2. first public reply: first response met
    if (change.events.some((e) => e.kind === 'reply')) {
      const fr = clocks.find((c) => c.target === 'firstResponse' && c.status !== 'stopped');
      if (fr) {
        this.append(fr, { type: 'stopped', at: now, reason: 'met' }, await calOf(fr));
        touched.add(fr.target);
      }
    }
    // 3. status: pause, resume, stop, restart
    if (before.status !== after.status) {
      if (after.status === 'waiting_citizen') {
        for (const row of clocks) {
          if (row.status !== 'running') continue;
          this.append(row, { type: 'paused', at: now, reason: 'awaiting_citizen' }, await calOf(row));
          touched.add(row.target);
        }
      } else if (before.status === 'waiting_citizen') {
        for (const row of clocks) {
          if (row.status !== 'paused') continue;
          this.append(row, { type: 'resumed', at: now }, await calOf(row));
          touched.add(row.target);
        }
      }
      if (after.status === 'resolved' || after.status === 'closed') {
        for (const row of clocks) {
          if (row.status === 'stopped') continue;
          this.append(row, { type: 'stopped', at: now, reason: 'met' }, await calOf(row));
          touched.add(row.target);
        }
      } else if (before.status === 'resolved' || before.status === 'closed') {
        const res = clocks.find((r) => r.target === 'resolution');
        if (res) {
          this.restart(res, now, await calOf(res));
          touched.add(res.target);
        }
      }
    }
    // 4. validation circuit moved: the clock of the step left stops, the step entered starts its own
    if (change.events.some((e) => WORKFLOW_EVENTS.has(e.kind))) await this.followStep(m, after, clocks, now, calOf, touched);
    if (!touched.size) return;
    for (const row of clocks) {
      if (!touched.has(row.target)) continue;
      await this.save(m, row, await calOf(row), now, change);
    }
    change.refreshSla();
  }

  /**
   * Open tickets without clocks — a town pack's history, tickets imported from another tool, or
   * tickets open before a policy covered them — get their clocks from their creation date. Escalation
   * points already past are recorded as missed, not acted upon (nobody is warned or reassigned for
   * what happened before the clocks existed); a deadline already passed marks the ticket breached.
   * Run after loading a pack (`serve --demo`) and by `main.js sla-backfill`. Returns the open tickets examined.
   */
  async backfill(batch = 200): Promise<number> {
    let examined = 0;
    let cursor: { created_at: Date; id: string } | null = null;
    for (;;) {
      const page: TicketEntity[] = await this.db.transaction(async (m) => {
        const tickets = await m.getRepository(TicketEntity).createQueryBuilder('t')
          .where(`t.status IN ('new', 'open', 'waiting_citizen')`)
          .andWhere('NOT EXISTS (SELECT 1 FROM ticket_sla s WHERE s.ticket_id = t.id)')
          .andWhere(cursor ? '(t.created_at, t.id) > (:at, :id)' : 'true', cursor ? { at: cursor.created_at, id: cursor.id } : {})
          .orderBy('t.created_at').addOrderBy('t.id').limit(batch)
          .setLock('pessimistic_write').setOnLocked('skip_locked').getMany();
        const now = new Date();
        for (const t of tickets) {
          // not a change of the ticket (no version bump, updated_at kept: a pack's history stays as it was):
          // only its clocks (started in the past: no deadline move to tell) and the inbox's summary of them
          await this.start(m, t, now, {
            addEvents: () => { throw new Error('SLA backfill: clocks started, no timeline event expected'); },
            refreshSla: () => undefined,
          });
          await this.timers.cancelDue(m, t.id, SLA_ESCALATION, now);
          await m.query(`UPDATE ticket_sla SET breached = true WHERE ticket_id = $1 AND deadline < $2`, [t.id, now]);
          await this.tickets.refreshSlaSummaryIn(m, t.id);
        }
        return tickets;
      });
      examined += page.length;
      if (page.length < batch) return examined;
      const last = page[page.length - 1]!;
      cursor = { created_at: last.createdAt, id: last.id };
    }
  }

  /**
   * An administrator changed a policy and asked for it to apply to the requests already running under
   * it: each running or paused clock of that policy is recomputed from its start with the new durations
   * (reason `policy_changed`, new generation, timers moved, explained in the timeline), one ticket per
   * transaction under the ticket's lock, audited `ticket.sla_recompute`. Escalation points already past
   * under the new terms are recorded, not acted upon; a deadline already past marks the ticket breached.
   * Clocks of other policies and stopped clocks stay as they are. Returns the tickets recomputed.
   */
  async reapply(actor: Actor, policy: SlaPolicy, batch = 200): Promise<number> {
    let recomputed = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids: string[] = (await this.db.query(
        `SELECT DISTINCT ticket_id FROM ticket_sla WHERE policy_id = $1 AND status <> 'stopped' AND ticket_id > $2 ORDER BY ticket_id LIMIT $3`,
        [policy.id, after, batch])).map((r: { ticket_id: string }) => r.ticket_id);
      for (const id of ids) {
        // a change of the ticket like any other (lock, version, hooks, audit `ticket.sla_recompute`); the
        // actor's policy is the town's, whatever the ticket's department (propagated)
        const done = await this.db.transaction(async (m) => {
          let changed = false;
          await this.tickets.mutateIn(m, actor, id, null, async (mm, t, effects): Promise<Mutation | null> => {
            const now = new Date();
            const calOf = this.calendarsOf(mm, () => this.config.calendarFor(mm, t.departmentId));
            const clocks = (await this.loadClocks(mm, id, true)).filter((r) => r.status !== 'stopped' && r.policy_id === policy.id);
            if (!clocks.length) return null;
            for (const row of clocks) {
              const calendar = await calOf(row);
              this.append(row, { type: 'recomputed', at: now, reason: 'policy_changed', policyId: policy.id, duration: targetDuration(policy, row.target) }, calendar);
              row.policy = policy;
              await this.save(mm, row, calendar, now, effects);
            }
            // as for a backfill: escalation points the new terms put in the past are recorded, not acted
            // upon (no wave of warnings and reassignments across the town); a deadline already past is a breach
            await this.timers.cancelDue(mm, id, SLA_ESCALATION, now);
            await mm.query(`UPDATE ticket_sla SET breached = true WHERE ticket_id = $1 AND policy_id = $2 AND status = 'running' AND deadline < $3`, [id, policy.id, now]);
            effects.refreshSla();
            changed = true;
            return {
              set: {}, events: [], action: 'ticket.sla_recompute',
              audit: { policy: { before: null, after: policy.id }, targets: { before: null, after: clocks.map((c) => c.target).join(', ') } },
            };
          }, { propagated: true });
          return changed;
        });
        if (done) recomputed++;
      }
      if (ids.length < batch) return recomputed;
      after = ids[ids.length - 1]!;
    }
  }

  /** Starts the clocks of the matching policy (creation, or first change when none ran). */
  private async start(m: EntityManager, t: TicketEntity, now: Date, effects: TicketChangeEffects): Promise<void> {
    const policy = await this.policyFor(m, t);
    if (!policy) return;
    const { calendar } = await this.config.calendarFor(m, t.departmentId);
    const at = t.createdAt && t.createdAt.getTime() <= now.getTime() ? new Date(t.createdAt) : now;
    for (const target of TARGETS) {
      const duration = targetDuration(policy, target);
      if (!duration) continue;
      const row: ClockRow = {
        ticket_id: t.id, target, policy_id: policy.id, policy, generation_base: 0, generation: 0, events: [], past_history: [],
        status: 'running', deadline: null, breached: false, calendar_department_id: null,
      };
      this.append(row, { type: 'started', at, ticketId: t.id, target, policyId: policy.id, duration }, calendar);
      await this.save(m, row, calendar, now, effects, true);
    }
    effects.refreshSla();
  }

  /**
   * Per-step targets (policy.targets.steps, keyed by the circuit's step id): one clock `step:<id>` per
   * step while the ticket's circuit stands on it. Leaving the step stops it (met, or met late); entering
   * it again (sent back for a new draft) starts a new cycle. A step entered while the ticket waits for
   * the citizen starts paused, like the ticket's other clocks.
   */
  private async followStep(m: EntityManager, t: TicketEntity, clocks: ClockRow[], now: Date, calOf: (row: ClockRow) => Promise<BusinessCalendar>, touched: Set<SlaTargetKey>): Promise<void> {
    // the circuit records on its current step the department (code) whose calendar counts the step
    const [wf]: Array<{ step_id: string; status: string; department_id: string | null }> = await m.query(
      `SELECT w.step_id, w.status, d.id AS department_id FROM ticket_workflows w
       LEFT JOIN departments d ON d.code = w.state->'current'->>'departmentId' WHERE w.ticket_id = $1`, [t.id]);
    const current: SlaTargetKey | null = wf && wf.status === 'active' && !CLOSED.has(t.status) ? `step:${wf.step_id}` : null;
    for (const row of clocks) {
      if (!row.target.startsWith('step:') || row.status === 'stopped' || row.target === current) continue;
      this.append(row, { type: 'stopped', at: now, reason: 'met' }, await calOf(row));
      touched.add(row.target);
    }
    if (!current) return;
    const existing = clocks.find((c) => c.target === current);
    if (existing && existing.status !== 'stopped') return;
    const policy = existing?.policy ?? (await this.policyFor(m, t));
    const duration = policy ? targetDuration(policy, current) : null;
    if (!policy || !duration) return;
    const departmentId = wf?.department_id ?? null;
    let row: ClockRow;
    if (existing) {
      // the past cycles were folded on the calendar they ran on; the new one counts on the step's department's
      existing.past_history = this.pastHistory(existing, await calOf(existing));
      row = existing;
      row.policy = policy;
      row.calendar_department_id = departmentId;
      this.restart(row, now, await calOf(row), false);
    } else {
      row = {
        ticket_id: t.id, target: current, policy_id: policy.id, policy, generation_base: 0, generation: 0, events: [], past_history: [],
        status: 'running', deadline: null, breached: false, calendar_department_id: departmentId,
      };
      this.append(row, { type: 'started', at: now, ticketId: t.id, target: current, policyId: policy.id, duration }, await calOf(row));
      clocks.push(row);
    }
    if (t.status === 'waiting_citizen') this.append(row, { type: 'paused', at: now, reason: 'awaiting_citizen' }, await calOf(row));
    touched.add(current);
  }

  /**
   * Calendars of a change's clocks, resolved once per department: a step's clock on its department's,
   * the others on the ticket's (`ticketCalendar`).
   */
  private calendarsOf(m: EntityManager, ticketCalendar: () => Promise<ResolvedCalendar>): (row: ClockRow) => Promise<BusinessCalendar> {
    const byDepartment = new Map<string, Promise<ResolvedCalendar>>();
    return async (row) => {
      const id = row.calendar_department_id;
      if (!id) return (await ticketCalendar()).calendar;
      let c = byDepartment.get(id);
      if (!c) byDepartment.set(id, (c = this.config.calendarFor(m, id)));
      return (await c).calendar;
    };
  }

  /** The clock's history so far, kept when a new cycle starts. */
  private pastHistory(row: ClockRow, calendar: BusinessCalendar): ClockRow['past_history'] {
    const old = foldState(row.events, calendar);
    return [...row.past_history, ...old.history.map((h) => ({
      ...h, at: h.at.toISOString(), previous: h.previous?.toISOString() ?? null, deadline: h.deadline?.toISOString() ?? null,
      generation: h.generation + row.generation_base,
    }))];
  }

  /** Reopened: a new resolution cycle from now (new generations: old escalation keys stay fired). */
  private restart(row: ClockRow, now: Date, calendar: BusinessCalendar, keepHistory = true): void {
    if (keepHistory) row.past_history = this.pastHistory(row, calendar);
    row.generation_base = row.generation + 1;
    row.events = [];
    row.breached = false;
    const duration = targetDuration(row.policy, row.target);
    this.append(row, { type: 'started', at: now, ticketId: row.ticket_id, target: row.target, policyId: row.policy.id, duration }, calendar);
  }

  private append(row: ClockRow, event: SlaClockEvent, calendar: BusinessCalendar): void {
    // never before the previous event (clocks of two machines): clamp to it
    const last = row.events[row.events.length - 1];
    if (last && new Date(last.at).getTime() > event.at.getTime()) event = { ...event, at: new Date(last.at) };
    const state = row.events.length ? foldState(row.events, calendar) : null;
    const next = applySlaClockEvent(state, event, calendar);
    row.events = [...row.events, store(event)];
    row.status = next.status;
    row.generation = row.generation_base + next.generation;
  }

  /** Persists a clock, syncs its escalation timers, explains a moved deadline in the timeline. */
  private async save(m: EntityManager, row: ClockRow, calendar: BusinessCalendar, now: Date, effects: TicketChangeEffects, created = false): Promise<void> {
    const state = foldState(row.events, calendar);
    const clock = viewSlaClock(state, calendar, now);
    const previous = row.deadline;
    row.deadline = clock.deadline;
    const last = state.history[state.history.length - 1];
    // a recompute that gives time back clears the breach flag set by the ladder (mark_breached)
    if (last?.cause === 'recomputed' && !clock.breached) row.breached = false;
    await m.query(
      `INSERT INTO ticket_sla (ticket_id, target, policy_id, policy, generation_base, generation, events, past_history, status, deadline, breached, calendar_department_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
       ON CONFLICT (ticket_id, target) DO UPDATE SET policy_id = EXCLUDED.policy_id, policy = EXCLUDED.policy,
         generation_base = EXCLUDED.generation_base, generation = EXCLUDED.generation, events = EXCLUDED.events,
         past_history = EXCLUDED.past_history, status = EXCLUDED.status, deadline = EXCLUDED.deadline, breached = EXCLUDED.breached,
         calendar_department_id = EXCLUDED.calendar_department_id, updated_at = now()`,
      [row.ticket_id, row.target, state.policyId, JSON.stringify(row.policy), row.generation_base, row.generation, JSON.stringify(row.events),
        JSON.stringify(row.past_history), row.status, row.deadline, row.breached, row.calendar_department_id],
    );
    await this.syncTimers(m, row, clock, calendar);
    // starts and stops are told by the event that caused them (creation, circuit step, status); moves are explained here
    if (!created && last && last.cause !== 'stopped' && last.cause !== 'started') {
      const what = targetFr(row.target);
      const body = `${last.message} Échéance de ${what} : ${fmtParis(previous)} → ${fmtParis(row.deadline)}.`;
      effects.addEvents({ kind: 'sla_changed', body, data: {
        target: row.target, cause: last.cause, reason: last.reason, previous: previous ? new Date(previous).toISOString() : null,
        deadline: row.deadline?.toISOString() ?? null, generation: row.generation,
      } });
    }
  }

  private async syncTimers(m: EntityManager, row: ClockRow, clock: SlaClock, calendar: BusinessCalendar): Promise<void> {
    const points = clock.policyId === row.policy.id ? escalationPoints({ ...clock, generation: row.generation }, row.policy, calendar) : [];
    const keep = points.filter((p) => p.dueAt !== null);
    await this.timers.scheduleMany(m, keep.map((p) => ({
      key: p.key, kind: SLA_ESCALATION, ticketId: row.ticket_id, dueAt: p.dueAt as Date,
      payload: { target: row.target, atPercent: p.atPercent, generation: row.generation },
    })));
    // suspended (paused), cancelled (stopped) and older generations
    await this.timers.cancelWhere(m, row.ticket_id, SLA_ESCALATION, { target: row.target }, keep.map((p) => p.key));
  }

  private async loadClocks(m: EntityManager, ticketId: string, lock: boolean): Promise<ClockRow[]> {
    return m.query(`SELECT * FROM ticket_sla WHERE ticket_id = $1 ORDER BY target ${lock ? 'FOR UPDATE' : ''}`, [ticketId]);
  }

  private async policyFor(m: EntityManager, t: TicketEntity): Promise<SlaPolicy | null> {
    const code = await this.categories.codeOf(t.categoryId, m);
    return selectPolicy(await this.config.policies(m), {
      categoryCode: code ?? '', priority: priorityFromRank(t.priority), channel: t.channel as Channel,
    });
  }

  // ------------------------------------------------------------------ escalations

  /** Timer handler: runs one ladder step if its clock is still at that generation and running. */
  async escalate(m: EntityManager, timer: TimerRow): Promise<void> {
    const ticketId = timer.ticketId;
    const { target, atPercent, generation } = timer.payload as { target: SlaTargetKey; atPercent: number; generation: number };
    if (!ticketId) return;
    const [row]: ClockRow[] = await m.query(`SELECT * FROM ticket_sla WHERE ticket_id = $1 AND target = $2 FOR UPDATE`, [ticketId, target]);
    if (!row || row.generation !== generation || row.status !== 'running') {
      this.log.debug(`escalation ${timer.key} obsolete (clock ${row ? `${row.status}, generation ${row.generation}` : 'gone'})`);
      return;
    }
    const step = row.policy.ladder.find((s) => s.atPercent === atPercent);
    if (!step) return;
    const actions = step.actions;
    const breach = actions.some((a) => a.type === 'mark_breached');
    const kind: TimelineEventKind = breach ? 'sla_breached' : atPercent < 100 ? 'sla_warning' : 'sla_escalated';
    const what = targetFr(target);
    const duration = formatSlaDuration(targetDuration(row.policy, target));
    const body = breach
      ? `Délai de ${what} dépassé (${duration}, échéance ${fmtParis(row.deadline)}).`
      : atPercent < 100
        ? `${atPercent} % du délai de ${what} écoulés (${duration}, échéance ${fmtParis(row.deadline)}).`
        : `Escalade à ${atPercent} % du délai de ${what} (${duration}, échéance ${fmtParis(row.deadline)}).`;
    const data = { target, atPercent, generation, deadline: row.deadline ? new Date(row.deadline).toISOString() : null, actions, timerKey: timer.key };

    await this.tickets.mutateIn(m, systemActor(SLA_ACTOR), ticketId, null, async (mm, t, effects): Promise<Mutation> => {
      const set: Mutation['set'] = {};
      const events: Mutation['events'] = [{ kind, body, data }];
      for (const a of actions) await this.act(mm, a, t, set, events, data);
      if (breach) await mm.query(`UPDATE ticket_sla SET breached = true, updated_at = now() WHERE ticket_id = $1 AND target = $2`, [ticketId, target]);
      effects.refreshSla();
      return { set, events, action: 'ticket.sla_escalation' };
    });
  }

  private async act(m: EntityManager, a: EscalationAction, t: TicketEntity, set: Mutation['set'], events: Mutation['events'], data: Record<string, unknown>): Promise<void> {
    switch (a.type) {
      case 'notify': {
        const notification = { ...data, reference: t.reference, subject: t.subject };
        if (a.to === 'assignee' && t.assigneeId) {
          await this.notifications.addForAgent(m, t.assigneeId, t.id, `sla.${events[0].kind}`, notification);
        } else {
          // head: the department's heads; department (or an unassigned ticket's assignee): the department's queue
          await this.notifications.addForDepartment(m, t.departmentId, a.to === 'head' ? 'head' : null, t.id, `sla.${events[0].kind}`, notification);
        }
        return;
      }
      case 'mark_breached':
        return;
      case 'reassign_to_queue':
        if (t.assigneeId) {
          set.assigneeId = null;
          events.push({ kind: 'assigned', body: 'Remise dans la file du service (escalade SLA).', data: { from: t.assigneeId, to: null } });
        }
        return;
      case 'raise_priority':
        if (t.priority < 3) {
          set.priority = t.priority + 1;
          events.push({ kind: 'priority_changed', body: 'Priorité relevée (escalade SLA).', data: { from: t.priority, to: t.priority + 1 } });
        }
        return;
    }
  }
}
