/**
 * JSON contracts of the agents' notifications (apps/grc-api modules/notifications) shared with the console.
 * Dates are ISO strings; ids are decimal strings (the table's bigint identity).
 */
import type { Role } from '../access/roles';

/** What happened, as the console groups it (the stored `kind` is kept verbatim in `kind`). */
export type NotificationTopic = 'sla_warning' | 'sla_breached' | 'sla_escalated' | 'workflow' | 'other';

/**
 * Whom the notification was addressed to: this agent personally, a role in one of the agent's
 * departments (e.g. the heads of Voirie), or a department's queue (everybody in it).
 */
export type NotificationAudience =
  | { kind: 'agent' }
  | { kind: 'role'; role: Role; department: NotificationDepartmentRef }
  | { kind: 'department'; department: NotificationDepartmentRef };

export interface NotificationDepartmentRef {
  id: string;
  code: string;
  name: string;
}

export interface NotificationTicketRef {
  id: string;
  /** public reference, e.g. GRC-2026-004217 */
  reference: string;
  subject: string;
  /**
   * Whether the agent may open the ticket now (it may have been transferred to a department the agent
   * does not see since): the console links it only when true.
   */
  accessible: boolean;
}

/**
 * What a notification says, as a code the console words in the agent's language (its `notification-words.ts`),
 * with `NotificationParams`; the API never sends the sentence itself. A new code is added here and worded there
 * (a console spec compares both lists).
 */
export const NOTIFICATION_CODES = [
  'notification.sla_warning',
  'notification.sla_breached',
  'notification.sla_escalated',
  'notification.workflow.approval_requested',
  'notification.workflow.opinion_requested',
  'notification.workflow.opinions_missing',
  'notification.workflow.draft_rejected',
  'notification.workflow.reply_approved',
  'notification.workflow.sla_elapsed',
  /** a circuit's notification with a template of the town's own (`template` says which) */
  'notification.workflow.step',
  /** a kind the console has no sentence for (`kind` says which) */
  'notification.other',
] as const;
export type NotificationCode = (typeof NOTIFICATION_CODES)[number];

/**
 * The facts a notification's sentence is made of; every key is present (null when unknown), dates ISO.
 * `reference`/`subject`: the ticket (null: none); SLA: `target` ('firstResponse' | 'resolution' | null),
 * `atPercent`, `deadline`; circuits: `template`, `comment` (a rejection's); `kind`: the stored kind.
 */
export interface NotificationParams {
  reference: string | null;
  subject: string | null;
  target: string | null;
  atPercent: number | null;
  deadline: string | null;
  template: string | null;
  comment: string | null;
  kind: string;
}

export interface NotificationItem {
  id: string;
  /** as stored: 'sla.sla_warning', 'sla.sla_breached', 'sla.sla_escalated', 'workflow', … */
  kind: string;
  topic: NotificationTopic;
  createdAt: string;
  /** when this agent read it (null: unread); shared notifications are read per agent */
  readAt: string | null;
  audience: NotificationAudience;
  ticket: NotificationTicketRef | null;
  /** what to say, worded by the console (NOTIFICATION_CODES) */
  code: NotificationCode;
  params: NotificationParams;
  /** the structured facts behind the sentence (SLA: target, atPercent, deadline; circuits: template, comment) */
  details: NotificationDetails;
}

export interface NotificationDetails {
  /** SLA: 'firstResponse' | 'resolution' */
  target?: string;
  atPercent?: number;
  /** SLA deadline at the time of the escalation */
  deadline?: string | null;
  /** circuits: the notification template, e.g. 'workflow.approval_requested' */
  template?: string;
  /** circuits: a rejection's comment */
  comment?: string;
}

/** GET /notifications: newest first, keyset-paginated; `unread` is the agent's unread total. */
export interface NotificationPage {
  items: NotificationItem[];
  nextCursor: string | null;
  unread: number;
}

export interface NotificationListQuery {
  /** only unread ones */
  unread?: boolean;
  cursor?: string;
  /** 1–100, default 20 */
  limit?: number;
}

export interface NotificationUnreadCount {
  unread: number;
}

/** POST /notifications/read-all: optionally only up to the newest notification the agent has seen. */
export interface NotificationReadAllRequest {
  upToId?: string;
}
export interface NotificationReadAllResult {
  marked: number;
  unread: number;
}

export const NOTIFICATION_PAGE_DEFAULT = 20;
export const NOTIFICATION_PAGE_MAX = 100;
