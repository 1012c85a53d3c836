import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-agent read state of shared notifications. A notification addressed to one agent keeps using
 * `notifications.read_at`; one addressed to a role in a department, or to a department's queue, is
 * read by each of its agents separately: a row here per (notification, agent) who has read it.
 * Plus an index for the listing of shared notifications by department, role and date.
 */
export class NotificationReads1763800000700 implements MigrationInterface {
  name = 'NotificationReads1763800000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE notification_reads (
      notification_id bigint NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      read_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (notification_id, agent_id))`);
    // deleting an agent cascades here; "what has this agent read" scans by agent
    await q.query(`CREATE INDEX notification_reads_agent ON notification_reads (agent_id)`);
    // unread personal notifications (the header's badge) without visiting read ones
    await q.query(`CREATE INDEX notifications_agent_unread ON notifications (recipient_agent_id, created_at DESC, id DESC)
      WHERE recipient_agent_id IS NOT NULL AND read_at IS NULL`);
    // shared notifications: department, then newest first with the keyset's tie-breaker
    await q.query(`CREATE INDEX notifications_shared ON notifications (recipient_department_id, created_at DESC, id DESC)
      WHERE recipient_agent_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notifications_shared`);
    await q.query(`DROP INDEX notifications_agent_unread`);
    await q.query(`DROP TABLE notification_reads`);
  }
}
