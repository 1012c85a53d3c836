import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TicketEntity } from '../../database/entities';
import { TicketsService } from '../tickets/tickets.service';
import { SlaClocks } from './sla-clocks.service';
import { SlaRepository } from './sla.repository';

/**
 * Open tickets without clocks — a town pack's history, tickets imported from another tool, or
 * tickets open before a policy covered them — get their clocks from their creation date. Escalation
 * points already past are recorded as missed, not acted upon (nobody is warned or reassigned for
 * what happened before the clocks existed); a deadline already passed marks the ticket breached.
 */
@Injectable()
export class SlaBackfill {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rows: SlaRepository,
    private readonly clocks: SlaClocks,
    private readonly tickets: TicketsService,
  ) {}

  /** Run after loading a pack (`serve --demo`) and by `main.js sla-backfill`. Returns the open tickets examined. */
  async run(batch = 200): Promise<number> {
    let examined = 0;
    let cursor: { created_at: Date; id: string } | null = null;
    for (;;) {
      const page: TicketEntity[] = await this.db.transaction(async (m) => {
        const tickets = await this.rows.ticketsWithoutClocks(m, cursor, batch);
        const now = new Date();
        for (const t of tickets) {
          // not a change of the ticket (no version bump, updated_at kept: a pack's history stays as it was):
          // only its clocks (started in the past: no deadline move to tell) and the inbox's summary of them
          await this.clocks.start(m, t, now, {
            addEvents: () => {
              throw new Error('SLA backfill: clocks started, no timeline event expected');
            },
            refreshSla: () => undefined,
          });
          await this.clocks.settlePast(m, t.id, now);
          await this.tickets.refreshSlaSummaryIn(m, t.id);
        }
        return tickets;
      });
      examined += page.length;
      if (page.length < batch) return examined;
      const last = page[page.length - 1]!;
      cursor = { created_at: last.createdAt, id: last.id };
    }
  }
}
