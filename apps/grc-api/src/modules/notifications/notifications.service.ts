import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  decodeCursor,
  encodeCursor,
  isRole,
  NOTIFICATION_PAGE_DEFAULT,
  type NotificationAudience,
  type NotificationItem,
  type NotificationPage,
  type NotificationReadAllResult,
} from '@grc/domain';
import { invalidField, notFound } from '../../common/problem';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { detailsOf, messageOf, topicOf } from './notification-codes';
import type { NotificationListQueryDto } from './notifications.dto';
import { NotificationsRepository, type NotificationRow } from './notifications.repository';

/** A notification id as it travels: the bigint identity in decimal. */
export const NOTIFICATION_ID = /^[1-9][0-9]{0,17}$/;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const iso = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);

/**
 * The agents' notifications written by the SLA ladder and the validation circuits: listing (newest
 * first, keyset cursor), unread count, marking read one by one or all at once. Marking read is the
 * agent's own reading state, not a change to the town's data: it is not audited. Which notifications
 * an agent receives is decided in SQL (notifications.repository.ts).
 */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly notifications: NotificationsRepository,
  ) {}

  async list(agent: AuthenticatedAgent, query: NotificationListQueryDto): Promise<NotificationPage> {
    const limit = query.limit ?? NOTIFICATION_PAGE_DEFAULT;
    let before: [string, string] | null = null;
    if (query.cursor !== undefined) {
      const values = decodeCursor(query.cursor);
      const [at, id] = values ?? [];
      if (
        !values ||
        values.length !== 2 ||
        typeof at !== 'string' ||
        !CURSOR_TIME.test(at) ||
        typeof id !== 'string' ||
        !NOTIFICATION_ID.test(id)
      ) {
        throw invalidField('cursor', 'Curseur de pagination invalide ou expiré : revenez à la première page.', 'invalid_cursor');
      }
      before = [at, id];
    }
    const rows = await this.notifications.page(agent, { unread: query.unread === true, before, take: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor([last.k0, String(last.id)]) : null;
    return { items: page.map(toItem), nextCursor, unread: await this.unreadCount(agent) };
  }

  unreadCount(agent: AuthenticatedAgent): Promise<number> {
    return this.notifications.unreadCount(agent);
  }

  /** One notification the agent receives, or 404 (another agent's, another department's, unknown, malformed). */
  async one(agent: AuthenticatedAgent, id: string): Promise<NotificationItem> {
    if (!NOTIFICATION_ID.test(id)) throw notFound('Notification');
    const row = await this.notifications.one(agent, id);
    if (!row) throw notFound('Notification');
    return toItem(row);
  }

  /** Marks one notification read for this agent (idempotent: the first reading time is kept). */
  async markRead(agent: AuthenticatedAgent, id: string): Promise<NotificationItem> {
    const item = await this.one(agent, id);
    if (item.readAt === null) {
      if (item.audience.kind === 'agent') await this.notifications.markPersonalRead(id, agent.id);
      else await this.notifications.markSharedRead(id, agent.id);
    }
    return this.one(agent, id);
  }

  /** Marks every notification the agent receives read (only up to `upToId` when given: the newest one seen). */
  async markAllRead(agent: AuthenticatedAgent, upToId?: string): Promise<NotificationReadAllResult> {
    const marked = await this.db.transaction(
      async (m) =>
        (await this.notifications.markAllPersonalRead(agent, upToId, m)) + (await this.notifications.markAllSharedRead(agent, upToId, m)),
    );
    return { marked, unread: await this.unreadCount(agent) };
  }
}

function toItem(r: NotificationRow): NotificationItem {
  const data = r.data && typeof r.data === 'object' ? r.data : {};
  const reference = r.t_reference ?? (typeof data['reference'] === 'string' ? data['reference'] : null);
  const subject = r.t_subject ?? (typeof data['subject'] === 'string' ? data['subject'] : '');
  const ticket = r.ticket_id && reference ? { id: r.ticket_id, reference, subject, accessible: r.t_accessible === true } : null;
  const department = r.recipient_department_id ? { id: r.recipient_department_id, code: r.d_code ?? '', name: r.d_name ?? '' } : null;
  const audience: NotificationAudience =
    r.personal || !department
      ? { kind: 'agent' }
      : r.recipient_role && isRole(r.recipient_role)
        ? { kind: 'role', role: r.recipient_role, department }
        : { kind: 'department', department };
  return {
    id: String(r.id),
    kind: r.kind,
    topic: topicOf(r.kind),
    createdAt: iso(r.created_at)!,
    readAt: iso(r.my_read_at),
    audience,
    ticket,
    ...messageOf({ kind: r.kind, data, ticket }),
    details: detailsOf(data),
  };
}
