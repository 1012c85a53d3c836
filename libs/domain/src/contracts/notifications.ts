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

/** A human sentence in each console language. */
export interface NotificationMessage {
  fr: string;
  en: string;
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
  message: NotificationMessage;
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
