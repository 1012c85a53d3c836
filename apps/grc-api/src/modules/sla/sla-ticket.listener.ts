import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { targetDuration, type SlaRecomputeReason, type SlaTargetKey, type TimelineEventKind } from '@grc/domain';
import { TicketEntity } from '../../database/entities';
import type { PreparedCreation, TicketChange, TicketChangeListener, TicketDraft } from '../tickets/ticket-change.hooks';
import { SlaConfigService, type ResolvedCalendar } from './sla-config.service';
import { append, newClock, pastHistory, restart, type ClockRow } from './sla-clock';
import { SlaClocks, type ClockCalendars, type StartPlan } from './sla-clocks.service';
import { SlaRepository } from './sla.repository';

/** The system actor of the ladder: a priority it raises does not restart the clock. */
export const SLA_ACTOR = 'sla';
/** Timeline events written when a validation circuit starts, moves or ends. */
const WORKFLOW_EVENTS = new Set<TimelineEventKind>([
  'workflow_started',
  'draft_submitted',
  'workflow_step',
  'opinion_given',
  'workflow_finished',
]);
const CLOSED = new Set(['resolved', 'closed']);

/**
 * The clocks follow every ticket change, inside its transaction (registered by SlaEngine as a
 * TicketChangeListener): starts the clocks of the policy that matches on creation, marks the first
 * response met on the first public reply, pauses while waiting for the citizen, recomputes from the
 * start on a category or priority change or a transfer to another calendar (new generation), stops on
 * resolution, restarts resolution on reopening, and runs one clock per circuit step with a target.
 */
@Injectable()
export class SlaTicketListener implements TicketChangeListener {
  constructor(
    private readonly clocks: SlaClocks,
    private readonly config: SlaConfigService,
    private readonly rows: SlaRepository,
  ) {}

  /** A creation's clocks prepared before its row: their summary is written with it (bench/intake.mjs). */
  async prepareCreation(m: EntityManager, draft: TicketDraft): Promise<PreparedCreation> {
    const plan = await this.clocks.plan(m, draft, new Date());
    return { sla: plan.summary, plan };
  }

  async onTicketChanged(m: EntityManager, change: TicketChange, prepared?: unknown): Promise<void> {
    const { after, before } = change;
    const now = new Date();
    if (!before) {
      const plan = prepared as StartPlan | undefined;
      // a plan for another row (a draft changed between the preparation and the insert): start afresh, summary refreshed
      if (plan && this.clocks.fits(plan, after)) await this.clocks.startPlanned(m, after, plan, now);
      else await this.clocks.start(m, after, now, change);
      return;
    }
    const touched = new Set<SlaTargetKey>();
    const clocks = await this.clocks.load(m, after.id, true);
    let calendar: ResolvedCalendar | null = null;
    const cal = async () => (calendar ??= await this.config.calendarFor(m, after.departmentId));
    const calOf = this.clocks.calendarsOf(m, cal);

    // 1. category or priority changed by a person: recompute from the start (escalations raising the
    //    priority keep their clock, or a breached ticket would cascade to "urgent" at once)
    const reasons: SlaRecomputeReason[] = [];
    if (before.categoryId !== after.categoryId) reasons.push('category_changed');
    if (before.priority !== after.priority && change.actor.system !== SLA_ACTOR) reasons.push('priority_changed');
    // a transfer to a department on another calendar: its hours hold the promise from now on (cal() resolves it)
    if (
      before.departmentId !== after.departmentId &&
      clocks.length &&
      (await this.config.calendarFor(m, before.departmentId)).id !== (await cal()).id
    )
      reasons.push('department_changed');
    if (reasons.length) {
      if (clocks.length === 0) {
        await this.clocks.start(m, after, now, change);
        return;
      }
      const policy = await this.clocks.policyFor(m, after);
      for (const row of clocks) {
        if (row.status === 'stopped') continue;
        // a step counted on its own department's calendar is not moved by the ticket's transfer
        const reason = reasons.find((r) => r !== 'department_changed' || !row.calendar_department_id);
        if (!reason) continue;
        const duration = policy ? targetDuration(policy, row.target) : null;
        append(row, { type: 'recomputed', at: now, reason, policyId: policy?.id ?? row.policy_id, duration }, await calOf(row));
        if (policy) row.policy = policy;
        touched.add(row.target);
      }
    }
    // 2. first public reply: first response met
    if (change.events.some((e) => e.kind === 'reply')) {
      const fr = clocks.find((c) => c.target === 'firstResponse' && c.status !== 'stopped');
      if (fr) {
        append(fr, { type: 'stopped', at: now, reason: 'met' }, await calOf(fr));
        touched.add(fr.target);
      }
    }
    // 3. status: pause, resume, stop, restart
    if (before.status !== after.status) {
      if (after.status === 'waiting_citizen') {
        for (const row of clocks) {
          if (row.status !== 'running') continue;
          append(row, { type: 'paused', at: now, reason: 'awaiting_citizen' }, await calOf(row));
          touched.add(row.target);
        }
      } else if (before.status === 'waiting_citizen') {
        for (const row of clocks) {
          if (row.status !== 'paused') continue;
          append(row, { type: 'resumed', at: now }, await calOf(row));
          touched.add(row.target);
        }
      }
      if (after.status === 'resolved' || after.status === 'closed') {
        for (const row of clocks) {
          if (row.status === 'stopped') continue;
          append(row, { type: 'stopped', at: now, reason: 'met' }, await calOf(row));
          touched.add(row.target);
        }
      } else if (before.status === 'resolved' || before.status === 'closed') {
        const res = clocks.find((r) => r.target === 'resolution');
        if (res) {
          restart(res, now, await calOf(res));
          touched.add(res.target);
        }
      }
    }
    // 4. validation circuit moved: the clock of the step left stops, the step entered starts its own
    if (change.events.some((e) => WORKFLOW_EVENTS.has(e.kind))) await this.followStep(m, after, clocks, now, calOf, touched);
    if (!touched.size) return;
    for (const row of clocks) {
      if (!touched.has(row.target)) continue;
      await this.clocks.save(m, row, await calOf(row), now, change);
    }
    change.refreshSla();
  }

  /**
   * Per-step targets (policy.targets.steps, keyed by the circuit's step id): one clock `step:<id>` per
   * step while the ticket's circuit stands on it, on the calendar of the department the circuit
   * records on the step. Leaving the step stops it (met, or met late); entering it again (sent back
   * for a new draft) starts a new cycle. A step entered while the ticket waits for the citizen starts
   * paused, like the ticket's other clocks.
   */
  private async followStep(
    m: EntityManager,
    t: TicketEntity,
    clocks: ClockRow[],
    now: Date,
    calOf: ClockCalendars,
    touched: Set<SlaTargetKey>,
  ): Promise<void> {
    const wf = await this.rows.currentStep(m, t.id);
    const current: SlaTargetKey | null = wf && wf.status === 'active' && !CLOSED.has(t.status) ? `step:${wf.step_id}` : null;
    for (const row of clocks) {
      if (!row.target.startsWith('step:') || row.status === 'stopped' || row.target === current) continue;
      append(row, { type: 'stopped', at: now, reason: 'met' }, await calOf(row));
      touched.add(row.target);
    }
    if (!current) return;
    const existing = clocks.find((c) => c.target === current);
    if (existing && existing.status !== 'stopped') return;
    const policy = existing?.policy ?? (await this.clocks.policyFor(m, t));
    const duration = policy ? targetDuration(policy, current) : null;
    if (!policy || !duration) return;
    const departmentId = wf?.department_id ?? null;
    let row: ClockRow;
    if (existing) {
      // the past cycles were folded on the calendar they ran on; the new one counts on the step's department's
      existing.past_history = pastHistory(existing, await calOf(existing));
      row = existing;
      row.policy = policy;
      row.calendar_department_id = departmentId;
      restart(row, now, await calOf(row), false);
    } else {
      row = newClock(t.id, current, policy, departmentId);
      append(row, { type: 'started', at: now, ticketId: t.id, target: current, policyId: policy.id, duration }, await calOf(row));
      clocks.push(row);
    }
    if (t.status === 'waiting_citizen') append(row, { type: 'paused', at: now, reason: 'awaiting_citizen' }, await calOf(row));
    touched.add(current);
  }
}
