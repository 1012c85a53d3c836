import { Injectable } from '@nestjs/common';
import {
  hasPermission,
  legacySlaHistoryCode,
  OPEN_STATUSES,
  priorityFromRank,
  viewSlaClock,
  type SlaBreachesDto,
  type SlaClockCalendarDto,
  type SlaDepartmentBreachesDto,
  type SlaEscalationDto,
  type SlaHistoryDto,
  type TicketSlaClockDto,
  type TicketSlaDto,
} from '@grc/domain';
import { forbidden, notFound } from '../../common/problem';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { canSeeDepartment } from '../tickets/ticket-access';
import { TimersRepository } from '../timers/timers.repository';
import { SlaConfigService } from './sla-config.service';
import { foldState } from './sla-clock';
import { SLA_ESCALATION } from './sla-clocks.service';
import { SlaRepository } from './sla.repository';

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

/** Read side: a ticket's clocks as of now, and the breaches of the departments a head supervises. */
@Injectable()
export class SlaViewService {
  constructor(
    private readonly config: SlaConfigService,
    private readonly timerRows: TimersRepository,
    private readonly rows: SlaRepository,
  ) {}

  async ticket(agent: AuthenticatedAgent, ticketId: string): Promise<TicketSlaDto> {
    const t = await this.rows.ticketSummary(ticketId);
    if (!t || !canSeeDepartment(agent, t.department_id)) throw notFound('Demande');
    const [rows, timers, resolved] = await Promise.all([
      this.rows.clocksForView(ticketId),
      this.timerRows.forTicket(ticketId, SLA_ESCALATION) as Promise<
        Array<{
          key: string;
          due_at: Date;
          state: SlaEscalationDto['state'];
          fired_at: Date | null;
          payload: { target: string; atPercent: number; generation: number };
        }>
      >,
      this.config.calendarFor(undefined, t.department_id),
    ]);
    const steps = rows.some((r) => r.target.startsWith('step:')) ? await this.rows.stepLabels(ticketId) : {};
    // a circuit step's clock counts on its department's calendar
    const stepCalendars = new Map<string, SlaClockCalendarDto>();
    for (const id of new Set(rows.flatMap((r) => (r.calendar_department_id ? [r.calendar_department_id] : [])))) {
      stepCalendars.set(id, await this.config.calendarFor(undefined, id));
    }
    const now = new Date();
    const clocks: TicketSlaClockDto[] = rows.map((row) => {
      const clockCalendar = (row.calendar_department_id && stepCalendars.get(row.calendar_department_id)) || resolved;
      const calendar = clockCalendar.calendar;
      const clock = viewSlaClock(foldState(row.events, calendar), calendar, now);
      const history: SlaHistoryDto[] = [
        // entries stored before codes (a French `message`): their code from their cause and reason, never the text
        ...row.past_history.map(({ message: _legacy, ...h }) => ({
          ...h,
          ...(h.code ? { code: h.code, params: h.params ?? {} } : legacySlaHistoryCode(h)),
        })),
        ...clock.history.map((h) => ({
          at: h.at.toISOString(),
          cause: h.cause,
          reason: h.reason,
          previous: iso(h.previous),
          deadline: iso(h.deadline),
          generation: h.generation + row.generation_base,
          code: h.code,
          params: h.params,
        })),
      ];
      const escalations: SlaEscalationDto[] = row.policy.ladder.map((step) => {
        const timer = timers.find(
          (x) => x.payload.target === row.target && x.payload.atPercent === step.atPercent && x.payload.generation === row.generation,
        );
        return {
          atPercent: step.atPercent,
          actions: step.actions,
          dueAt: timer && timer.state !== 'cancelled' ? iso(timer.due_at) : null,
          state: timer
            ? timer.state === 'cancelled' && clock.status === 'paused'
              ? 'suspended'
              : timer.state
            : clock.status === 'paused'
              ? 'suspended'
              : 'cancelled',
          firedAt: iso(timer?.fired_at),
        };
      });
      return {
        target: row.target,
        stepLabel: row.target.startsWith('step:') ? (steps[row.target.slice(5)]?.label ?? row.target.slice(5)) : null,
        policyId: row.policy.id,
        policyName: row.policy.name,
        duration: clock.duration,
        metric: clock.metric,
        status: clock.status,
        outcome: clock.outcome,
        startedAt: clock.startedAt.toISOString(),
        stoppedAt: iso(clock.stoppedAt),
        deadline: iso(clock.deadline),
        remainingMinutes: clock.remainingMinutes,
        percent: clock.percent,
        breached: row.breached || clock.breached,
        generation: row.generation,
        pauses: clock.pauses.map((p) => ({ from: p.from.toISOString(), to: iso(p.to), reason: p.reason, minutes: p.minutes })),
        history,
        escalations,
        calendar: { id: clockCalendar.id, name: clockCalendar.name, calendar: clockCalendar.calendar },
      };
    });
    return {
      ticketId,
      asOf: now.toISOString(),
      calendar: resolved,
      clocks,
      dueAt: iso(t.sla_due_at),
      breached: t.sla_breached || clocks.some((c) => c.breached && c.status !== 'stopped'),
    };
  }

  /** Open tickets flagged breached or past a running deadline, in the agent's departments (all for admins), by department. */
  async breaches(agent: AuthenticatedAgent): Promise<SlaBreachesDto> {
    // a supervision board of requests: audit.read (the route) and tickets.read — not the DPO, who reads the trail, not requests
    if (!hasPermission(agent.role, 'tickets.read', agent)) throw forbidden();
    const all = agent.role === 'admin';
    const rows = await this.rows.breaches(OPEN_STATUSES, all, agent.visibleDepartmentIds);
    const byDept = new Map<string, SlaDepartmentBreachesDto>();
    for (const r of rows) {
      let g = byDept.get(r.department_id);
      if (!g) {
        g = { department: { id: r.department_id, code: r.department_code, name: r.department_name }, count: 0, items: [] };
        byDept.set(r.department_id, g);
      }
      g.count++;
      g.items.push({
        ticketId: r.id,
        reference: r.reference,
        subject: r.subject,
        status: r.status as SlaDepartmentBreachesDto['items'][number]['status'],
        priority: priorityFromRank(r.priority),
        assignee: r.assignee_id ? { id: r.assignee_id, displayName: r.assignee_name ?? '' } : null,
        target: r.target ?? 'resolution',
        deadline: iso(r.deadline),
        overdueMinutes: Math.round(r.overdue),
      });
    }
    const departments = [...byDept.values()].sort((a, b) => b.count - a.count || a.department.name.localeCompare(b.department.name, 'fr'));
    return { asOf: new Date().toISOString(), total: rows.length, departments };
  }
}
