/**
 * The REST contract between grc-api and grc-web (JSON over /api/v1).
 * Plain types only: the API's DTO classes implement them, the console's client consumes them.
 * Dates are ISO 8601 strings; ids are UUIDs unless said otherwise.
 */
import type { Channel } from '../ticket/channel';
import type { Priority } from '../ticket/priority';
import type { TicketStatus } from '../ticket/ticket-status';
import type { Permission, Role } from '../access/roles';
import type { RequesterKind } from '../citizen/requester';
import type { TimelineEventKind } from '../ticket/timeline';
import type { MessageKind } from '../ticket/ticket-rules';
import type { CategoryField, CategoryFieldInput, FieldValue } from '../category-fields/category-fields';

/** RFC 9457 problem document; `errors` lists every field at fault. */
/** The code of a problem that gave none, by HTTP status. */
export const problemCodeOf = (status: number): string =>
  (
    ({
      400: 'invalid',
      401: 'unauthenticated',
      403: 'forbidden',
      404: 'not_found',
      405: 'not_allowed',
      409: 'conflict',
      410: 'gone',
      413: 'too_large',
      415: 'unsupported_media_type',
      422: 'unprocessable',
      429: 'rate_limited',
    }) as Record<number, string>
  )[status] ?? (status >= 500 ? 'server_error' : 'invalid');

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /**
   * What the console words in the agent's language (`problem.<code>` in its dictionaries, with `params`);
   * `title` and `detail` are the French fallback for other clients. Every problem has one: a specific code
   * where the API gives one (`ticket.stale`, `workflow_running`…), else the status's (`invalid`, `not_found`…).
   */
  code?: string;
  params?: Record<string, string | number | null>;
  /** `code` + `params`: what the console words in the agent's language (the message is the French fallback) */
  errors?: Array<{ field: string; message: string; code?: string; params?: Record<string, string | number | null> }>;
}

// ---------- auth ----------
export interface LoginRequest {
  email: string;
  password: string;
}
export interface Me {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  locale: 'fr' | 'en';
  /** departments the agent belongs to */
  departments: DepartmentRef[];
  /** every department whose tickets the agent may see (own + sub-departments; all for admin) */
  visibleDepartmentIds: string[];
  /** what the agent may do: its role's permissions, plus the citizen directory for a front desk's members */
  permissions: Permission[];
  /** an administrator reset the password: this session may only change it (POST /account/password) */
  mustChangePassword?: boolean;
  /** the town requires a second factor of admins and this one has none: this session may only enrol */
  secondFactorEnrolmentRequired?: boolean;
  /** a TOTP second factor is enrolled */
  secondFactor?: boolean;
  /** the commune this session works for (issue 15: communes as tenants) */
  commune?: CommuneRef;
  /** every commune the agent works for (the console's shell offers to switch when there are several) */
  communes?: CommuneRef[];
}

/** A commune of the install (a tenant): its id, its code (the Open311 jurisdiction) and its name. */
export interface CommuneRef {
  id: string;
  code: string;
  name: string;
  /** a métropole's administrators manage its communes (Administration › Communes) */
  kind?: 'commune' | 'metropole';
}

/** PUT /auth/commune: the session works for this commune (one of the agent's) from now on. */
export interface SwitchCommuneRequest {
  communeId: string;
}

// ---------- reference data ----------
export interface DepartmentRef {
  id: string;
  code: string;
  name: string;
}
export interface Department extends DepartmentRef {
  kind: 'direction' | 'service';
  parentId: string | null;
  email: string | null;
  active: boolean;
  /** a front desk (guichet unique): its members search the whole citizen directory (`citizens.directory`) */
  frontDesk: boolean;
  version: number;
}
export interface DepartmentInput {
  code: string;
  name: string;
  kind: 'direction' | 'service';
  parentId?: string | null;
  email?: string | null;
  active?: boolean;
  /** absent: false on creation, unchanged on update */
  frontDesk?: boolean;
}
export interface Agent {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  locale: 'fr' | 'en';
  active: boolean;
  departmentIds: string[];
  version: number;
}
export interface AgentInput {
  email: string;
  displayName: string;
  role: Role;
  locale?: 'fr' | 'en';
  active?: boolean;
  departmentIds: string[];
  /** required on creation, optional on update (unchanged when absent); min 12 chars */
  password?: string;
}
export interface Category {
  id: string;
  code: string;
  nameFr: string;
  nameEn: string;
  /** default department when no routing rule matches */
  defaultDepartmentId: string;
  active: boolean;
  version: number;
  /** the category's own fields (Open311 attributes), in the order they are asked */
  fields: CategoryField[];
  /**
   * absent: the commune's own; 'metropole': its métropole's shared service's (requests may be filed in it, it is
   * changed by the métropole); 'commune': a member commune's, read by a métropole's session to name and filter its
   * shared services' requests (not filable there, not editable)
   */
  origin?: 'metropole' | 'commune';
}
export interface CategoryInput {
  code: string;
  nameFr: string;
  nameEn: string;
  defaultDepartmentId: string;
  active?: boolean;
  /** the whole list of the category's own fields; absent: left unchanged */
  fields?: CategoryFieldInput[];
}
/** A polygon of [lng, lat] points (GeoJSON order), closed or not. */
export type Polygon = Array<[number, number]>;
export interface RoutingRule {
  id: string;
  categoryId: string;
  departmentId: string;
  /** optional area refinement: a named polygon; null means "anywhere" */
  areaName: string | null;
  area: Polygon | null;
  /** lower runs first */
  position: number;
  version: number;
}
export interface RoutingRuleInput {
  categoryId: string;
  departmentId: string;
  areaName?: string | null;
  area?: Polygon | null;
  position?: number;
}

// ---------- citizens ----------
export interface CitizenSummary {
  id: string;
  kind: RequesterKind;
  displayName: string;
  email: string | null;
  phone: string | null;
  city: string | null;
  ticketCount: number;
}
export interface Citizen {
  id: string;
  kind: RequesterKind;
  firstName: string | null;
  lastName: string | null;
  /** organisations only */
  organisationName: string | null;
  contactPerson: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  postcode: string | null;
  city: string | null;
  preferredChannel: Channel | null;
  createdAt: string;
  version: number;
}
export type CitizenInput = Omit<Citizen, 'id' | 'createdAt' | 'version'>;

// ---------- tickets ----------
export interface TicketSummary {
  id: string;
  reference: string;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  channel: Channel;
  category: { id: string; code: string; nameFr: string; nameEn: string };
  department: DepartmentRef;
  assignee: { id: string; displayName: string } | null;
  citizen: { id: string; displayName: string } | null;
  createdAt: string;
  updatedAt: string;
  /** nearest running SLA deadline (null: none or paused) and whether a deadline was breached */
  sla?: { dueAt: string | null; breached: boolean };
}
export interface Attachment {
  id: string;
  filename: string;
  mimeType: string;
  size: number;
  createdAt: string;
}
export interface TimelineEvent {
  id: string;
  kind: TimelineEventKind;
  at: string;
  actor: { id: string; displayName: string } | null;
  /** reply / note text, transfer reason, ... */
  body: string | null;
  /** kind-specific data, e.g. {from, to} for status_changed, {fromDepartment, toDepartment} for transferred */
  data: Record<string, unknown>;
}
export interface TicketDetail extends TicketSummary {
  description: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  version: number;
  /** the values of the category's own fields, by code */
  attributes: Record<string, FieldValue>;
  attachments: Attachment[];
  timeline: TimelineEvent[];
  /** status moves the current status allows */
  allowedStatuses: TicketStatus[];
}
export interface CreateTicketRequest {
  channel: Channel;
  categoryId: string;
  subject: string;
  description: string;
  priority?: Priority;
  /** an existing citizen, or `newCitizen` to create one in the same transaction; one of the two (or neither for anonymous) */
  citizenId?: string | null;
  newCitizen?: CitizenInput | null;
  address?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  /** the category's own fields: code → value (text, number, date, a choice's key, or a list of keys) */
  attributes?: Record<string, unknown>;
}
export interface TicketActionBase {
  version: number;
}
export interface AssignRequest extends TicketActionBase {
  assigneeId: string | null;
}
export interface TransferRequest extends TicketActionBase {
  departmentId: string;
  reason: string;
}
export interface StatusChangeRequest extends TicketActionBase {
  status: TicketStatus;
  comment?: string;
}
export interface MessageRequest extends TicketActionBase {
  kind: MessageKind;
  body: string;
}
export interface UpdateTicketRequest extends TicketActionBase {
  priority?: Priority;
  categoryId?: string;
  subject?: string;
  /** some of the category's own fields: code → new value (empty or null removes it) */
  attributes?: Record<string, unknown>;
}

// ---------- inbox ----------
export type InboxView = 'mine' | 'departments' | 'unassigned' | 'all';
export type InboxSort = 'created_desc' | 'created_asc' | 'updated_desc' | 'priority_desc' | 'due_asc';
/** query string of GET /api/v1/tickets; array filters are comma-separated */
export interface InboxQuery {
  view?: InboxView;
  q?: string;
  status?: TicketStatus[];
  channel?: Channel[];
  categoryId?: string[];
  departmentId?: string[];
  priority?: Priority[];
  assigneeId?: string[];
  createdFrom?: string;
  createdTo?: string;
  sort?: InboxSort;
  cursor?: string;
  limit?: number;
  /** only tickets whose SLA is breached (flagged by an escalation or past a running deadline) */
  breached?: boolean;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface InboxCounters {
  /** per view, open work only (status new/open/waiting_citizen) */
  mine: number;
  departments: number;
  unassigned: number;
  all: number | null;
  computedAt: string;
}

/** One event of the audit trail (GET /audit). Personal fields' values read "changed" (docs/rgpd.md). */
export interface AuditEvent {
  id: string;
  at: string;
  actorId: string | null;
  actorLabel: string;
  /** a code (ticket.read, citizen.update…), worded by the console */
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  ip: string | null;
}
/** The audit viewer's filters (GET /audit, GET /audit/export.csv). */
export interface AuditFilters {
  actorId?: string;
  citizenId?: string;
  ticketReference?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  from?: string;
  to?: string;
}
/** A page of the audit viewer, newest first. */
export interface AuditPage {
  items: AuditEvent[];
  /** the cursor of the next page; null on the last one */
  next: string | null;
}
