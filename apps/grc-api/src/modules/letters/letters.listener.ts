import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { recipientLines, replyDelivery, signatoryTitle, type Channel } from '@grc/domain';
import { TicketChangeHooks, type TicketChange, type TicketChangeListener } from '../tickets/ticket-change.hooks';
import { LettersRepository } from './letters.repository';

/**
 * Replies by post: a reply whose delivery is a letter (libs/domain `replyDelivery`: a request received by letter
 * or at the counter, a citizen without e-mail) is written as a letter to print, inside the ticket's transaction —
 * the same path as an e-mail reply through the outbox (modules/mail MailTicketListener skips it). Under a
 * validation circuit no reply event exists before the approval (CircuitGuard refuses a direct one, the engine
 * emits the reply when the last step approves): so no letter exists before the answer is validated. The
 * approving head signs it (the change's actor). A 'letter_queued' event tells the timeline.
 */
@Injectable()
export class LetterListener implements TicketChangeListener, OnModuleInit {
  constructor(
    private readonly hooks: TicketChangeHooks,
    private readonly rows: LettersRepository,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async onTicketChanged(m: EntityManager, change: TicketChange): Promise<void> {
    const replies = change.events.filter((e) => e.kind === 'reply' && e.body);
    if (!replies.length) return;
    const c = await this.rows.context(m, change.ticketId);
    if (!c?.kind) return;
    const delivery = replyDelivery({
      channel: c.channel as Channel,
      email: c.email,
      address: c.address,
      city: c.city,
      preferredChannel: c.preferred_channel,
    });
    if (delivery !== 'letter') return;
    const name =
      c.kind === 'organisation'
        ? (c.organisation_name ?? c.contact_person ?? '').trim()
        : [c.first_name, c.last_name].filter((x) => x && x.trim()).join(' ');
    const [recipientName, ...address] = recipientLines({
      name: name || 'Madame, Monsieur',
      contactPerson: c.kind === 'organisation' && c.organisation_name ? c.contact_person : null,
      address: c.address,
      postcode: c.postcode,
      city: c.city,
    });
    const actor = change.actor;
    const eventId = await this.rows.lastReplyEventId(m, change.ticketId);
    for (const reply of replies) {
      const id = await this.rows.insert(m, {
        ticketId: change.ticketId,
        eventId,
        recipientName: recipientName!,
        recipientAddress: address.join('\n') || null,
        body: reply.body!,
        signatoryId: actor.system ? null : actor.agent.id,
        signatoryName: actor.system ? c.department_name : actor.agent.displayName,
        signatoryTitle: actor.system ? null : signatoryTitle(actor.agent.role, c.department_name),
      });
      change.addEvents({ kind: 'letter_queued', data: { letterId: id } });
    }
  }
}
