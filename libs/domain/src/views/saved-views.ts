import type { InboxQuery } from '../contracts/api';
import type { Role } from '../access/roles';

/** The inbox's columns a view may show (in this order when chosen). */
export const INBOX_COLUMNS = [
  'reference',
  'subject',
  'citizen',
  'category',
  'department',
  'status',
  'priority',
  'assignee',
  'created',
] as const;
export type InboxColumn = (typeof INBOX_COLUMNS)[number];

/** What a saved view remembers of the inbox: its filters and sort (GET /tickets's query, without paging). */
export type SavedViewQuery = Omit<InboxQuery, 'cursor' | 'limit'>;

/** GET /api/v1/views: the agent's own views and those shared with one of their departments. */
export interface SavedView {
  id: string;
  name: string;
  query: SavedViewQuery;
  columns: InboxColumn[];
  /** the departments the owner (a head) shares it with; [] = personal */
  sharedDepartmentIds: string[];
  owner: { id: string; displayName: string };
  /** the caller's own (editable) */
  mine: boolean;
  version: number;
  updatedAt: string;
}

export interface SavedViewInput {
  name: string;
  query: SavedViewQuery;
  columns: InboxColumn[];
  sharedDepartmentIds: string[];
}

/** GET /api/v1/tickets/count: how many tickets the filters match, open ones (new, open, waiting for the citizen) and all. */
export interface TicketCount {
  open: number;
  all: number;
}
/** Each of a count's figures stops there (a tab's figure, not a report): `all` at the cap reads "10,000 or more". */
export const TICKET_COUNT_CAP = 10_000;

/**
 * Who may share a view with which departments: a head (or an admin) with departments they belong to;
 * an agent keeps views personal. Returns the refused department ids' problem, or null.
 */
export function shareRefusal(
  who: { role: Role; departmentIds: readonly string[] },
  sharedDepartmentIds: readonly string[],
): { code: 'views.share_heads_only' | 'views.share_own_departments'; message: string } | null {
  if (!sharedDepartmentIds.length) return null;
  if (who.role !== 'head' && who.role !== 'admin')
    return { code: 'views.share_heads_only', message: 'Seul un responsable partage une vue avec ses services.' };
  if (who.role === 'head' && sharedDepartmentIds.some((d) => !who.departmentIds.includes(d)))
    return { code: 'views.share_own_departments', message: 'Une vue se partage avec vos propres services.' };
  return null;
}

/** Whether an agent sees a view: their own, or shared with one of the departments they belong to. */
export const viewVisibleTo = (
  agent: { id: string; departmentIds: readonly string[] },
  view: { ownerId: string; sharedDepartmentIds: readonly string[] },
) => view.ownerId === agent.id || view.sharedDepartmentIds.some((d) => agent.departmentIds.includes(d));
