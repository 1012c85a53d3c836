import { Injectable } from '@nestjs/common';
import {
  decodeCursor,
  encodeCursor,
  parseReference,
  TICKET_COUNT_CAP,
  type InboxCounters,
  type Page,
  type TicketCount,
  type TicketSummary,
} from '@grc/domain';
import { forbidden, invalidField } from '../../common/problem';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import type { InboxQueryDto } from './inbox.dto';
import { InboxRepository, sortKeyCount, type InboxFilter } from './inbox.repository';

/** A tab shows "10000+" beyond this: counting further would scan for nothing. */
export const COUNT_CAP = TICKET_COUNT_CAP;

/**
 * The unified inbox: who may see which view, the checked filters and the keyset cursor; the SQL (one
 * indexed query, scoped to the agent's departments) is InboxRepository's.
 */
@Injectable()
export class InboxQuery {
  constructor(private readonly rows: InboxRepository) {}

  async list(agent: AuthenticatedAgent, query: InboxQueryDto): Promise<Page<TicketSummary>> {
    const filter = this.filterOf(agent, query);
    if (query.cursor) {
      const values = decodeCursor(query.cursor);
      if (!values || values.length !== sortKeyCount(filter.sort))
        throw invalidField('cursor', 'Curseur de pagination invalide ou expiré : revenez à la première page.', 'invalid_cursor');
      filter.after = values;
    }
    const page = await this.rows.page(filter);
    return { items: page.items, nextCursor: page.more && page.lastKeys ? encodeCursor(page.lastKeys) : null };
  }

  /**
   * How many tickets the same query matches (its cursor and limit aside), open ones and all, up to
   * COUNT_CAP each: the figures of a saved view's tab and of the search's "open / all".
   */
  count(agent: AuthenticatedAgent, query: InboxQueryDto): Promise<TicketCount> {
    return this.rows.count(this.filterOf(agent, query), COUNT_CAP);
  }

  /** The checked view and filters of an inbox query (first page): the inbox's, and the map of requests'. */
  filterOf(agent: AuthenticatedAgent, query: Omit<InboxQueryDto, 'cursor'>): InboxFilter {
    const isAdmin = agent.role === 'admin';
    const view = query.view ?? (isAdmin ? 'all' : 'departments');
    if (view === 'all' && !isAdmin) throw forbidden('La vue « Toutes » est réservée aux administrateurs.');
    const scoped = !isAdmin || view === 'departments';
    const filter: InboxFilter = {
      departmentScope: scoped ? agent.visibleDepartmentIds : null,
      assignee: view === 'mine' ? agent.id : null,
      unassigned: view === 'unassigned',
      status: query.status,
      channel: query.channel,
      categoryId: query.categoryId,
      departmentId: query.departmentId,
      priority: query.priority,
      breached: query.breached,
      createdFrom: query.createdFrom,
      createdTo: query.createdTo,
      sort: query.sort ?? 'created_desc',
      after: null,
      limit: query.limit ?? 50,
    };
    if (query.assigneeId?.length) {
      const ids = query.assigneeId.filter((a) => a !== 'none');
      if (ids.some((id) => !/^[0-9a-f-]{36}$/i.test(id)))
        throw invalidField('assigneeId', 'Identifiant d’agent invalide (ou « none »).', 'agent_id_invalid');
      filter.assigneeIds = ids;
      filter.assigneeNone = query.assigneeId.includes('none');
    }
    const q = query.q?.trim();
    if (q) {
      filter.reference = parseReference(q);
      // words only (quotes kept for phrases): operators such as runs of '-' build tsqueries deep enough
      // to exhaust PostgreSQL's stack ("tsquery stack too small"); a query with no word matches nothing
      filter.words = q.replace(/[^\p{L}\p{N}\s"']/gu, ' ').trim();
    }
    return filter;
  }

  /** Open work per view, from the read model the worker maintains (plus a live count for "mine"). */
  async counters(agent: AuthenticatedAgent): Promise<InboxCounters> {
    const isAdmin = agent.role === 'admin';
    const row = await this.rows.counters(agent.id, agent.visibleDepartmentIds, isAdmin);
    return {
      mine: row.mine,
      departments: row.departments,
      unassigned: row.unassigned,
      all: isAdmin ? row.all_total : null,
      computedAt: new Date(row.computed_at).toISOString(),
    };
  }
}
