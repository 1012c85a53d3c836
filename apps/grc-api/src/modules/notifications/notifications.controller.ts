import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { NotificationItem, NotificationPage, NotificationReadAllResult, NotificationUnreadCount } from '@grc/domain';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { Authenticated, CurrentAgent } from '../auth/decorators';
import { NotificationListQueryDto, NotificationReadAllDto } from './notifications.dto';
import { NotificationsService } from './notifications.service';

/**
 * The current agent's notifications (SLA escalations, validation circuits). Every logged-in agent has
 * some, whatever the role (the élu too): the routes need a session, and the SQL keeps each agent to
 * what is addressed to them, to their role in their departments, or to their departments' queues.
 */
@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  /** Newest first, keyset-paginated (`nextCursor`); `?unread=true` for the unread ones only. */
  @Authenticated()
  @Get()
  list(@CurrentAgent() agent: AuthenticatedAgent, @Query() query: NotificationListQueryDto): Promise<NotificationPage> {
    return this.notifications.list(agent, query);
  }

  @Authenticated()
  @Get('unread-count')
  async unreadCount(@CurrentAgent() agent: AuthenticatedAgent): Promise<NotificationUnreadCount> {
    return { unread: await this.notifications.unreadCount(agent) };
  }

  /** Marks everything read for this agent (up to `upToId`, the newest one shown, when given). */
  @Authenticated()
  @Post('read-all')
  @HttpCode(200)
  readAll(@CurrentAgent() agent: AuthenticatedAgent, @Body() body: NotificationReadAllDto): Promise<NotificationReadAllResult> {
    return this.notifications.markAllRead(agent, body.upToId);
  }

  /** Marks one read for this agent; 404 for an id that is not theirs (another agent's, another department's, unknown). */
  @Authenticated()
  @Post(':id/read')
  @HttpCode(200)
  read(@CurrentAgent() agent: AuthenticatedAgent, @Param('id') id: string): Promise<NotificationItem> {
    return this.notifications.markRead(agent, id);
  }
}
