import { ChangeDetectionStrategy, Component, inject, input, output } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { NotificationItem } from '@grc/domain';
import { I18n, type MsgKey } from '../../core/i18n';
import { notificationText } from './notification-words';
import { NotificationsStore } from './notifications.store';

const LOCALES = { fr: 'fr-FR', en: 'en-GB' } as const;
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['minute', 60],
  ['hour', 3600],
  ['day', 86_400],
  ['month', 2_592_000],
  ['year', 31_536_000],
];

/**
 * Notifications as a list: the sentence (a link to the ticket when the agent may open it), what
 * happened, to whom it was addressed, when (relative and absolute, the town's time), unread state
 * in words, and a "mark as read" button on unread ones.
 */
@Component({
  selector: 'grc-notification-list',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './notification-list.css',
  templateUrl: './notification-list.html',
})
export class NotificationList {
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  private readonly store = inject(NotificationsStore);

  readonly items = input.required<NotificationItem[]>();
  /** prefix of each item's id (the page moves the focus to the first item loaded by "show more") */
  readonly idPrefix = input('notif-');
  /** the agent followed the notification's link */
  readonly opened = output<NotificationItem>();
  readonly markRead = output<NotificationItem>();

  protected message(n: NotificationItem): string {
    return notificationText(n, this.i18n);
  }

  protected topic(n: NotificationItem): string {
    return this.t(`notif.topic.${n.topic}` as MsgKey);
  }

  protected audience(n: NotificationItem): string {
    const a = n.audience;
    if (a.kind === 'agent') return this.t('notif.audience.agent');
    if (a.kind === 'role') return this.t('notif.audience.role', { role: this.i18n.role(a.role), department: a.department.name });
    return this.t('notif.audience.department', { department: a.department.name });
  }

  /** The ticket page when the agent may open it; a circuit's participant page otherwise (consulted departments, élus). */
  protected link(n: NotificationItem): string[] | null {
    if (!n.ticket) return null;
    if (n.ticket.accessible) return ['/tickets', n.ticket.id];
    return n.topic === 'workflow' ? ['/a-valider', n.ticket.id] : null;
  }

  protected relative(iso: string): string {
    const seconds = (new Date(iso).getTime() - this.store.now()) / 1000;
    const abs = Math.abs(seconds);
    if (abs < 45) return this.t('notif.justNow');
    const rtf = new Intl.RelativeTimeFormat(LOCALES[this.i18n.lang()], { numeric: 'auto' });
    let unit: Intl.RelativeTimeFormatUnit = 'minute';
    let size = 60;
    for (const [u, s] of UNITS) if (abs >= s * 0.9) [unit, size] = [u, s];
    return rtf.format(Math.round(seconds / size), unit);
  }
}
