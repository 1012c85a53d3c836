import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  OPEN_STATUSES, priorityFromRank, viewSlaClock, type BusinessCalendar,
  type SlaBreachesDto, type SlaDepartmentBreachesDto, type SlaEscalationDto, type SlaHistoryDto, type TicketSlaClockDto, type TicketSlaDto,
} from '@grc/domain';
import { notFound } from '../../common/problem';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { canSeeDepartment } from '../tickets/ticket-access';
import { TimersRepository } from '../timers/timers.repository';
import { SlaConfigService } from './sla-config.service';
import { foldState, SLA_ESCALATION, type ClockRow } from './sla.engine';

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

/** Read side: a ticket's clocks as of now, and the breaches of the departments a head supervises. */
@Injectable()
export class SlaViewService {
  constructor(@InjectDataSource() private readonly db: DataSource, private readonly config: SlaConfigService, private readonly timerRows: TimersRepository) {}

  async ticket(agent: AuthenticatedAgent, ticketId: string): Promise<TicketSlaDto> {
    const [t] = await this.db.query(`SELECT id, department_id, sla_due_at, sla_breached FROM tickets WHERE id = $1`, [ticketId]);
    if (!t || !canSeeDepartment(agent, t.department_id)) throw notFound('Demande');
    const [rows, timers, resolved]: [ClockRow[], Array<{ key: string; due_at: Date; state: SlaEscalationDto['state']; fired_at: Date | null; payload: { target: string; atPercent: number; generation: number } }>, Awaited<ReturnType<SlaConfigService['calendarFor']>>] = await Promise.all([
      this.db.query(`SELECT * FROM ticket_sla WHERE ticket_id = $1 ORDER BY CASE target WHEN 'firstResponse' THEN 0 WHEN 'resolution' THEN 1 ELSE 2 END, target`, [ticketId]),
      this.timerRows.forTicket(ticketId, SLA_ESCALATION) as Promise<Array<{ key: string; due_at: Date; state: SlaEscalationDto['state']; fired_at: Date | null; payload: { target: string; atPercent: number; generation: number } }>>,
      this.config.calendarFor(this.db.manager, t.department_id),
    ]);
    const steps = rows.some((r) => r.target.startsWith('step:')) ? await this.stepLabels(ticketId) : {};
    // a circuit step's clock counts on its department's calendar
    const stepCalendars = new Map<string, BusinessCalendar>();
    for (const id of new Set(rows.flatMap((r) => (r.calendar_department_id ? [r.calendar_department_id] : [])))) {
      stepCalendars.set(id, (await this.config.calendarFor(this.db.manager, id)).calendar);
    }
    const now = new Date();
    const clocks: TicketSlaClockDto[] = rows.map((row) => {
      const calendar = (row.calendar_department_id && stepCalendars.get(row.calendar_department_id)) || resolved.calendar;
      const clock = viewSlaClock(foldState(row.events, calendar), calendar, now);
      const history: SlaHistoryDto[] = [
        ...row.past_history.map((h) => ({ ...h, cause: h.cause, reason: h.reason })),
        ...clock.history.map((h) => ({
          at: h.at.toISOString(), cause: h.cause, reason: h.reason, previous: iso(h.previous), deadline: iso(h.deadline),
          generation: h.generation + row.generation_base, message: h.message,
        })),
      ];
      const escalations: SlaEscalationDto[] = row.policy.ladder.map((step) => {
        const timer = timers.find((x) => x.payload.target === row.target && x.payload.atPercent === step.atPercent && x.payload.generation === row.generation);
        return {
          atPercent: step.atPercent, actions: step.actions,
          dueAt: timer && timer.state !== 'cancelled' ? iso(timer.due_at) : null,
          state: timer ? (timer.state === 'cancelled' && clock.status === 'paused' ? 'suspended' : timer.state) : clock.status === 'paused' ? 'suspended' : 'cancelled',
          firedAt: iso(timer?.fired_at),
        };
      });
      return {
        target: row.target, stepLabel: row.target.startsWith('step:') ? (steps[row.target.slice(5)]?.label ?? row.target.slice(5)) : null,
        policyId: row.policy.id, policyName: row.policy.name, duration: clock.duration, metric: clock.metric,
        status: clock.status, outcome: clock.outcome, startedAt: clock.startedAt.toISOString(), stoppedAt: iso(clock.stoppedAt),
        deadline: iso(clock.deadline), remainingMinutes: clock.remainingMinutes, percent: clock.percent,
        breached: row.breached || clock.breached, generation: row.generation,
        pauses: clock.pauses.map((p) => ({ from: p.from.toISOString(), to: iso(p.to), reason: p.reason, minutes: p.minutes })),
        history, escalations,
      };
    });
    return {
      ticketId, asOf: now.toISOString(), calendar: resolved, clocks,
      dueAt: iso(t.sla_due_at), breached: t.sla_breached || clocks.some((c) => c.breached && c.status !== 'stopped'),
    };
  }

  /** The steps of the circuit version the ticket runs (labels of step clocks). */
  private async stepLabels(ticketId: string): Promise<Record<string, { label?: string }>> {
    const [r] = await this.db.query(
      `SELECT d.definition->'steps' AS steps FROM ticket_workflows w
       JOIN workflow_definitions d ON d.code = w.definition_code AND d.version = w.version WHERE w.ticket_id = $1`, [ticketId]);
    return r?.steps ?? {};
  }

  /** Open tickets flagged breached or past a running deadline, in the agent's departments (all for admins), by department. */
  async breaches(agent: AuthenticatedAgent): Promise<SlaBreachesDto> {
    const all = agent.role === 'admin';
    const rows: Array<{
      id: string; reference: string; subject: string; status: string; priority: number; assignee_id: string | null; assignee_name: string | null;
      department_id: string; department_code: string; department_name: string; target: string | null; deadline: Date | null; overdue: number;
    }> = await this.db.query(
      `SELECT t.id, t.reference, t.subject, t.status, t.priority, a.id AS assignee_id, a.display_name AS assignee_name,
              d.id AS department_id, d.code AS department_code, d.name AS department_name,
              s.target, s.deadline, greatest(0, extract(epoch FROM (now() - coalesce(s.deadline, now()))) / 60)::float8 AS overdue
       FROM tickets t
       JOIN departments d ON d.id = t.department_id
       LEFT JOIN agents a ON a.id = t.assignee_id
       LEFT JOIN LATERAL (SELECT target, deadline FROM ticket_sla x WHERE x.ticket_id = t.id AND x.status <> 'stopped'
                          AND (x.breached OR x.deadline < now()) ORDER BY x.deadline NULLS LAST LIMIT 1) s ON true
       WHERE t.status = ANY($1::text[]) AND (t.sla_breached OR t.sla_due_at < now())
         AND ($2 OR t.department_id = ANY($3::uuid[]))
       ORDER BY d.name, s.deadline NULLS LAST, t.id
       LIMIT 2000`,
      [OPEN_STATUSES, all, agent.visibleDepartmentIds],
    );
    const byDept = new Map<string, SlaDepartmentBreachesDto>();
    for (const r of rows) {
      let g = byDept.get(r.department_id);
      if (!g) {
        g = { department: { id: r.department_id, code: r.department_code, name: r.department_name }, count: 0, items: [] };
        byDept.set(r.department_id, g);
      }
      g.count++;
      g.items.push({
        ticketId: r.id, reference: r.reference, subject: r.subject, status: r.status as SlaDepartmentBreachesDto['items'][number]['status'],
        priority: priorityFromRank(r.priority), assignee: r.assignee_id ? { id: r.assignee_id, displayName: r.assignee_name ?? '' } : null,
        target: r.target ?? 'resolution', deadline: iso(r.deadline), overdueMinutes: Math.round(r.overdue),
      });
    }
    const departments = [...byDept.values()].sort((a, b) => b.count - a.count || a.department.name.localeCompare(b.department.name, 'fr'));
    return { asOf: new Date().toISOString(), total: rows.length, departments };
  }
}
