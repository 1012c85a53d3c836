import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { WorkflowEffect } from '@grc/workflows';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { TimersService } from '../timers/timers.service';
import type { TimerRow } from '../timers/timer.types';

/** The timers module's kind for every timer a circuit schedules (payload: the engine's key and kind). */
export const WORKFLOW_TIMER_KIND = 'workflow.timer';

export type WorkflowTimerHandler = (m: EntityManager, ticketId: string, payload: { timerKey: string; kind: string }) => Promise<void>;

/**
 * Where the engine's side effects leave the workflows module: timers go to the generic durable
 * timers (modules/timers, shared with the SLA clocks), notifications to the `notifications` table
 * (a role without a department, or the citizen, is recorded in the timeline event only).
 */
@Injectable()
export class WorkflowEffectsPort implements OnModuleInit {
  private handler: WorkflowTimerHandler | null = null;

  constructor(
    private readonly timers: TimersService,
    private readonly notifications: NotificationsRepository,
  ) {}

  onModuleInit(): void {
    this.timers.registerHandler(WORKFLOW_TIMER_KIND, async (m: EntityManager, t: TimerRow) => {
      if (!this.handler || !t.ticketId) return;
      await this.handler(m, t.ticketId, { timerKey: String(t.payload['timerKey']), kind: String(t.payload['kind']) });
    });
  }

  onTimer(handler: WorkflowTimerHandler): void {
    this.handler = handler;
  }

  async apply(m: EntityManager, ticketId: string, effects: readonly WorkflowEffect[]): Promise<void> {
    const schedule = effects.flatMap((fx) =>
      fx.type === 'schedule_timer'
        ? [
            {
              key: fx.key,
              kind: WORKFLOW_TIMER_KIND,
              ticketId,
              dueAt: new Date(fx.dueAt),
              payload: { timerKey: fx.key, kind: fx.kind, stepId: fx.stepId },
            },
          ]
        : [],
    );
    const cancel = effects.flatMap((fx) => (fx.type === 'cancel_timer' ? [fx.key] : []));
    if (cancel.length) await this.timers.cancel(m, ...cancel);
    if (schedule.length) await this.timers.scheduleMany(m, schedule);
    for (const fx of effects) if (fx.type === 'notify') await this.notify(m, ticketId, fx);
  }

  private async notify(m: EntityManager, ticketId: string, fx: Extract<WorkflowEffect, { type: 'notify' }>): Promise<void> {
    const data = { template: fx.template, ...(fx.data ?? {}) };
    const to = fx.to;
    if (to.kind === 'agent') {
      await this.notifications.addForAgentIfKnown(m, to.agentId, ticketId, 'workflow', data);
    } else if (to.kind === 'department' || (to.kind === 'role' && to.departmentId)) {
      await this.notifications.addForDepartmentCode(m, to.departmentId!, to.kind === 'role' ? to.role : null, ticketId, 'workflow', data);
    } else if (to.kind === 'role') {
      // a role town-wide (e.g. the élus): one notification per active agent of that role
      await this.notifications.addForRole(m, to.role, ticketId, 'workflow', data);
    }
  }
}
