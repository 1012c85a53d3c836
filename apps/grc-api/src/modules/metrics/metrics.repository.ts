import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface Backlog {
  count: number;
  /** age of the oldest item in seconds (0 when there is none) */
  oldestSeconds: number;
}

/** The scrape-time figures read from PostgreSQL (the truth): e-mail outbox backlog, overdue timers. Both use partial indexes. */
@Injectable()
export class MetricsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** E-mails still to send (queued, retrying or being sent): mail_outbox_due. */
  async outboxBacklog(): Promise<Backlog> {
    const [r] = await this.db.query(
      `SELECT count(*)::int AS count, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest
         FROM mail_outbox WHERE state IN ('queued', 'failed', 'sending') AND next_attempt_at IS NOT NULL`,
    );
    return { count: r.count, oldestSeconds: r.oldest };
  }

  /** Pending timers already due (timers_pending_due): the lag of the firing as PostgreSQL sees it, Redis or not. */
  async overdueTimers(): Promise<Backlog> {
    const [r] = await this.db.query(
      `SELECT count(*)::int AS count, coalesce(extract(epoch FROM now() - min(due_at)), 0)::float8 AS oldest
         FROM timers WHERE state = 'pending' AND due_at <= now()`,
    );
    return { count: r.count, oldestSeconds: r.oldest };
  }
}
