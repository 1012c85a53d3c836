import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TicketChange, TicketChangeListener } from '../tickets/ticket-change.hooks';
import { ReportingRepository } from './reporting.repository';

/**
 * Rows first: every ticket change (creation included) marks the request in `report_dirty`, in the change's
 * transaction, so that a committed change is never missed by the figures; the worker folds the marks.
 */
@Injectable()
export class ReportingTicketListener implements TicketChangeListener {
  constructor(private readonly repo: ReportingRepository) {}

  async onTicketChanged(m: EntityManager, change: TicketChange): Promise<void> {
    await this.repo.markDirty(m, [change.ticketId]);
  }
}
