import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MAIL_STATUS_LABELS, type MailEvent, type TicketStatus } from '@grc/domain';
import { TrackingService } from '../public/tracking.service';
import { TicketChangeHooks, type TicketChange, type TicketChangeListener } from '../tickets/ticket-change.hooks';
import { OutboxNudger } from './outbox.nudger';
import { OutboxService } from './outbox.service';

/**
 * Turns ticket changes into e-mails to the citizen, inside the ticket's transaction: the creation
 * acknowledgement (reference + tracking link), each public reply, status changes and the resolution.
 * A status change that comes with a reply (new → open when answering) or with the citizen's own
 * message (reopening) sends nothing more: one e-mail per action. A reply whose delivery is a letter (a request
 * received by post or at the counter, a citizen without e-mail: libs/domain replyDelivery) is not e-mailed.
 */
@Injectable()
export class MailTicketListener implements TicketChangeListener, OnModuleInit {
  private readonly log = new Logger('MailTicketListener');

  constructor(
    private readonly hooks: TicketChangeHooks,
    private readonly outbox: OutboxService,
    private readonly nudger: OutboxNudger,
    @Optional() private readonly tracking?: TrackingService,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async onTicketChanged(m: EntityManager, change: TicketChange): Promise<void> {
    const wanted: Array<{ kind: MailEvent; eventKind: string; extra: Record<string, string | null | undefined> }> = [];
    const kinds = new Set(change.events.map((e) => e.kind));
    if (!change.before) wanted.push({ kind: 'acknowledgement', eventKind: 'created', extra: {} });
    for (const e of change.events) {
      if (e.kind === 'reply' && e.body) {
        wanted.push({
          kind: 'reply',
          eventKind: 'reply',
          extra: { message: e.body, agentName: change.actor.system ? '' : change.actor.agent.displayName },
        });
      } else if (e.kind === 'information_requested') {
        // a circuit waits for the citizen: ask them (the step's label says what), with the tracking link
        wanted.push({
          kind: 'information_request',
          eventKind: 'information_requested',
          extra: { request: String(e.data?.['stepLabel'] ?? e.data?.['step'] ?? '') },
        });
      } else if (
        e.kind === 'status_changed' &&
        change.before &&
        !kinds.has('reply') &&
        !kinds.has('inbound') &&
        !kinds.has('information_requested')
      ) {
        const to = (e.data?.['to'] ?? change.after.status) as TicketStatus;
        const from = (e.data?.['from'] ?? change.before.status) as TicketStatus;
        wanted.push({
          kind: to === 'resolved' ? 'resolved' : 'status_changed',
          eventKind: 'status_changed',
          extra: { comment: e.body ?? '', previousStatus: from },
        });
      }
    }
    if (!wanted.length) return;
    // the events' ids and the thread come with the context: one round trip (bench/intake.mjs)
    const ctx = await this.outbox.context(m, change.ticketId, [...new Set(wanted.map((w) => w.eventKind))]);
    if (!ctx?.citizenEmail) return;
    let written = 0;
    for (const w of wanted) {
      // a reply that leaves by post is written as a letter by modules/letters, in this same transaction
      if (w.kind === 'reply' && ctx.replyDelivery !== 'email') continue;
      const eventId = ctx.lastEvents?.[w.eventKind] ?? null;
      const extra = { ...w.extra };
      if (extra['previousStatus'])
        extra['previousStatus'] = MAIL_STATUS_LABELS[ctx.locale][extra['previousStatus'] as TicketStatus] ?? extra['previousStatus'];
      if (w.kind !== 'reply' && this.tracking) {
        try {
          extra['trackingUrl'] = await this.tracking.issueLink(m, change.ticketId);
        } catch (e) {
          this.log.warn(`no tracking link for ${ctx.reference}: ${(e as Error).message}`);
        }
      }
      if (await this.outbox.enqueue(m, ctx, w.kind, eventId, extra)) written++;
    }
    if (written) this.nudger.nudgeSoon();
  }
}
