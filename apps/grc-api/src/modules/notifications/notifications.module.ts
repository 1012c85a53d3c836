import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

/**
 * The agents' notifications (api role): what the SLA ladder and the validation circuits write into
 * `notifications`, listed for the agent they concern, with per-agent read state. See docs/notifications.md.
 */
@Module({
  controllers: [NotificationsController],
  providers: [NotificationsService],
  exports: [NotificationsService],
})
export class NotificationsModule {}
