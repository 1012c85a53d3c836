import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TicketChangeHooks, type TicketChange, type TicketChangeListener } from '../tickets/ticket-change.hooks';
import { CircuitsRepository } from './circuits.repository';
import { TicketWorkflowsService } from './ticket-workflows.service';

/**
 * The citizen's answer moves a wait-for-citizen step on: a message from the tracking page or an
 * e-mail reply arrives as an `inbound` event of a ticket change; in that same transaction the
 * circuit takes `citizen_replied` as the system — no agent has to click "le demandeur a répondu".
 */
@Injectable()
export class CitizenAnswerListener implements TicketChangeListener, OnModuleInit {
  constructor(
    private readonly hooks: TicketChangeHooks,
    private readonly workflows: TicketWorkflowsService,
    private readonly circuits: CircuitsRepository,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async onTicketChanged(m: EntityManager, change: TicketChange): Promise<void> {
    if (!change.before || !change.events.some((e) => e.kind === 'inbound')) return;
    if (await this.circuits.waitsForCitizen(m, change.ticketId)) await this.workflows.citizenAnswered(m, change.ticketId);
  }
}
