import type { NotificationCode, NotificationDetails, NotificationParams, NotificationTopic } from '@grc/domain';

/** What a notification's code and parameters are made of (the stored row, the ticket as it is now). */
export interface MessageInput {
  kind: string;
  data: Record<string, unknown>;
  ticket: { reference: string; subject: string } | null;
}

export function topicOf(kind: string): NotificationTopic {
  switch (kind) {
    case 'sla.sla_warning':
      return 'sla_warning';
    case 'sla.sla_breached':
      return 'sla_breached';
    case 'sla.sla_escalated':
      return 'sla_escalated';
    case 'workflow':
      return 'workflow';
    default:
      return 'other';
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The structured facts of the stored `data` the console may use (only known keys, checked types). */
export function detailsOf(data: Record<string, unknown>): NotificationDetails {
  const d: NotificationDetails = {};
  const target = str(data['target']);
  if (target) d.target = target;
  const atPercent = num(data['atPercent']);
  if (atPercent !== undefined) d.atPercent = atPercent;
  if ('deadline' in data) {
    const deadline = str(data['deadline']);
    d.deadline = deadline && !Number.isNaN(new Date(deadline).getTime()) ? new Date(deadline).toISOString() : null;
  }
  const template = str(data['template']);
  if (template) d.template = template;
  const comment = str(data['comment']);
  if (comment) d.comment = comment.slice(0, 500);
  return d;
}

const WORKFLOW_CODES: Record<string, NotificationCode> = {
  'workflow.approval_requested': 'notification.workflow.approval_requested',
  'workflow.opinion_requested': 'notification.workflow.opinion_requested',
  'workflow.opinions_missing': 'notification.workflow.opinions_missing',
  'workflow.draft_rejected': 'notification.workflow.draft_rejected',
  'workflow.reply_approved': 'notification.workflow.reply_approved',
  'workflow.sla_elapsed': 'notification.workflow.sla_elapsed',
};

/**
 * What the notification says, as a code and its facts: the console words it in the agent's language
 * (apps/grc-web features/notifications/notification-words.ts), so no sentence is built here.
 */
export function messageOf(input: MessageInput): { code: NotificationCode; params: NotificationParams } {
  const topic = topicOf(input.kind);
  const d = detailsOf(input.data);
  const params: NotificationParams = {
    reference: input.ticket?.reference ?? null,
    subject: input.ticket ? input.ticket.subject : null,
    target: d.target ?? null,
    atPercent: d.atPercent ?? null,
    deadline: d.deadline ?? null,
    template: d.template ?? null,
    comment: d.comment ?? null,
    kind: input.kind,
  };
  if (topic === 'sla_warning' || topic === 'sla_breached' || topic === 'sla_escalated') return { code: `notification.${topic}`, params };
  if (topic === 'workflow') return { code: (d.template && WORKFLOW_CODES[d.template]) || 'notification.workflow.step', params };
  return { code: 'notification.other', params };
}
