import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/**
 * The notifications' table, both roles: the features that decide a notification (SLA ladder,
 * circuits, in the worker too) write it through NotificationsRepository in their transaction.
 */
@Module({ providers: [NotificationsRepository], exports: [NotificationsRepository] })
export class NotificationsCoreModule {}

/**
 * The agents' notifications (api role): what the SLA ladder and the validation circuits write into
 * `notifications`, listed for the agent they concern, with per-agent read state. See docs/notifications.md.
 */
@Module({
  imports: [NotificationsCoreModule],
  controllers: [NotificationsController],
  providers: [NotificationsService],
  exports: [NotificationsService],
})
export class NotificationsModule {}
