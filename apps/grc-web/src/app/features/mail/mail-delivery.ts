import { ChangeDetectionStrategy, Component, computed, inject, Injectable, input, signal } from '@angular/core';
import type { MailDelivery } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';

/** One request per ticket for all its timeline events. */
@Injectable({ providedIn: 'root' })
export class MailDeliveries {
  private readonly api = inject(Api);
  private readonly cache = new Map<string, { at: number; data: ReturnType<typeof signal<MailDelivery[]>> }>();

  of(ticketId: string, fresh = false) {
    let entry = this.cache.get(ticketId);
    if (!entry) {
      entry = { at: 0, data: signal<MailDelivery[]>([]) };
      this.cache.set(ticketId, entry);
    }
    if (fresh || Date.now() - entry.at > 3_000) {
      entry.at = Date.now();
      const e = entry;
      this.api
        .get<MailDelivery[]>(`/tickets/${ticketId}/mail-deliveries`)
        .subscribe({ next: (l) => e.data.set(l), error: () => undefined });
    }
    return entry.data;
  }

  retry(ticketId: string, id: string) {
    this.api.post<MailDelivery>(`/tickets/${ticketId}/mail-deliveries/${id}/retry`, {}).subscribe({ next: () => this.of(ticketId, true) });
  }
}

/** Delivery state of the e-mail sent for a timeline event (public reply, status change): queued, sent, failed with attempts. */
@Component({
  selector: 'grc-mail-delivery',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './mail-delivery.html',
})
export class MailDeliveryBadge {
  readonly ticketId = input.required<string>();
  readonly eventId = input.required<string>();
  private readonly deliveries = inject(MailDeliveries);
  protected readonly i18n = inject(I18n);
  private readonly list = computed(() => this.deliveries.of(this.ticketId())());
  protected readonly delivery = computed(() => this.list().find((d) => d.eventId === this.eventId()) ?? null);
  protected t = (k: MsgKey, p?: Record<string, string | number>) => this.i18n.t(k, p);
  protected stateKey = (d: MailDelivery) => `mail.state.${d.state}` as MsgKey;
  protected retry(d: MailDelivery): void {
    this.deliveries.retry(this.ticketId(), d.id);
  }
}
