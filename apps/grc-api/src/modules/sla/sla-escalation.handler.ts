import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EscalationAction, SlaTargetKey } from '@grc/domain';
import { TicketEntity } from '../../database/entities';
import { systemActor } from '../auth/authenticated-agent';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { TicketsService, type Mutation } from '../tickets/tickets.service';
import type { TimerRow } from '../timers/timer.types';
import { SLA_ACTOR } from './sla-ticket.listener';
import { SlaRepository } from './sla.repository';
import { escalationEvent } from './sla-wording';

/**
 * The handler of the timers of kind 'sla.escalation' (registered by SlaEngine): runs one ladder step,
 * in the timer's transaction, as the system actor through TicketsService.mutateIn (audited
 * `ticket.sla_escalation`), if its clock is still running at that generation.
 */
@Injectable()
export class SlaEscalationHandler {
  private readonly log = new Logger('SlaEngine');

  constructor(
    private readonly rows: SlaRepository,
    private readonly tickets: TicketsService,
    private readonly notifications: NotificationsRepository,
  ) {}

  async escalate(m: EntityManager, timer: TimerRow): Promise<void> {
    const ticketId = timer.ticketId;
    const { target, atPercent, generation } = timer.payload as { target: SlaTargetKey; atPercent: number; generation: number };
    if (!ticketId) return;
    const row = await this.rows.clockForUpdate(m, ticketId, target);
    if (!row || row.generation !== generation || row.status !== 'running') {
      this.log.debug(`escalation ${timer.key} obsolete (clock ${row ? `${row.status}, generation ${row.generation}` : 'gone'})`);
      return;
    }
    const step = row.policy.ladder.find((s) => s.atPercent === atPercent);
    if (!step) return;
    const actions = step.actions;
    const breach = actions.some((a) => a.type === 'mark_breached');
    const { kind, body } = escalationEvent(row.policy, target, atPercent, breach, row.deadline);
    const data = {
      target,
      atPercent,
      generation,
      deadline: row.deadline ? new Date(row.deadline).toISOString() : null,
      actions,
      timerKey: timer.key,
    };

    await this.tickets.mutateIn(m, systemActor(SLA_ACTOR), ticketId, null, async (mm, t, effects): Promise<Mutation> => {
      const set: Mutation['set'] = {};
      const events: Mutation['events'] = [{ kind, body, data }];
      for (const a of actions) await this.act(mm, a, t, set, events, data);
      if (breach) await this.rows.markBreached(mm, ticketId, target);
      effects.refreshSla();
      return { set, events, action: 'ticket.sla_escalation' };
    });
  }

  private async act(
    m: EntityManager,
    a: EscalationAction,
    t: TicketEntity,
    set: Mutation['set'],
    events: Mutation['events'],
    data: Record<string, unknown>,
  ): Promise<void> {
    switch (a.type) {
      case 'notify': {
        const notification = { ...data, reference: t.reference, subject: t.subject };
        if (a.to === 'assignee' && t.assigneeId) {
          await this.notifications.addForAgent(m, t.assigneeId, t.id, `sla.${events[0].kind}`, notification);
        } else {
          // head: the department's heads; department (or an unassigned ticket's assignee): the department's queue
          await this.notifications.addForDepartment(
            m,
            t.departmentId,
            a.to === 'head' ? 'head' : null,
            t.id,
            `sla.${events[0].kind}`,
            notification,
          );
        }
        return;
      }
      case 'mark_breached':
        return;
      case 'reassign_to_queue':
        if (t.assigneeId) {
          set.assigneeId = null;
          events.push({
            kind: 'assigned',
            body: 'Remise dans la file du service (escalade SLA).',
            data: { from: t.assigneeId, to: null, cause: 'sla_escalation' },
          });
        }
        return;
      case 'raise_priority':
        if (t.priority < 3) {
          set.priority = t.priority + 1;
          events.push({
            kind: 'priority_changed',
            body: 'Priorité relevée (escalade SLA).',
            data: { from: t.priority, to: t.priority + 1, cause: 'sla_escalation' },
          });
        }
        return;
    }
  }
}
