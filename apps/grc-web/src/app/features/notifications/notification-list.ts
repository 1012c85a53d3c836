import { ChangeDetectionStrategy, Component, inject, input, output } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { NotificationItem } from '@grc/domain';
import { I18n, type MsgKey } from '../../core/i18n';
import { NotificationsStore } from './notifications.store';

const LOCALES = { fr: 'fr-FR', en: 'en-GB' } as const;
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['minute', 60], ['hour', 3600], ['day', 86_400], ['month', 2_592_000], ['year', 31_536_000],
];

/** Shared by the header panel and the page: styles of a notification list. */
export const NOTIF_LIST_STYLES = `
  .notif-list { list-style: none; margin: 0; padding: 0; }
  .notif-item { border-left: 4px solid transparent; border-bottom: 1px solid var(--c-border-light); padding: 0.6rem 0.75rem; }
  .notif-item:last-child { border-bottom: 0; }
  .notif-item.unread { border-left-color: var(--c-primary); background: var(--c-info-bg); }
  .notif-item:focus { outline: 3px solid var(--c-focus); outline-offset: -3px; }
  .notif-meta { display: flex; flex-wrap: wrap; gap: 0.25rem 0.5rem; align-items: center; margin: 0 0 0.25rem; font-size: 0.9rem; color: var(--c-muted); }
  .notif-topic { font-weight: 700; color: var(--c-text); }
  .notif-flag { font-weight: 700; color: var(--c-primary); border: 1px solid var(--c-primary); border-radius: 1rem; padding: 0 0.45rem; background: #fff; }
  .notif-text { margin: 0 0 0.25rem; }
  .notif-text a { font-weight: 600; }
  .notif-item.unread .notif-text a, .notif-item.unread .notif-text { font-weight: 700; }
  .notif-when { font-size: 0.9rem; color: var(--c-muted); margin: 0; }
  .notif-when button { margin-left: 0.5rem; }
  .notif-list button.btn-link { background: none; border: 0; padding: 0; color: var(--c-primary); text-decoration: underline; cursor: pointer; }
`;

/**
 * Notifications as a list: the sentence (a link to the ticket when the agent may open it), what
 * happened, to whom it was addressed, when (relative and absolute, the town's time), unread state
 * in words, and a "mark as read" button on unread ones.
 */
@Component({
  selector: 'grc-notification-list',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: [NOTIF_LIST_STYLES],
  template: `
    <ul class="notif-list" data-testid="notif-list">
      @for (n of items(); track n.id) {
        <li class="notif-item" [class.unread]="!n.readAt" [attr.data-id]="n.id" [attr.id]="idPrefix() + n.id" tabindex="-1" data-testid="notif-item">
          <p class="notif-meta">
            <span class="notif-topic">{{ topic(n) }}</span>
            @if (!n.readAt) { <span class="notif-flag">{{ t('notif.unread') }}</span> } @else { <span class="sr-only">{{ t('notif.read') }}</span> }
            <span>{{ audience(n) }}</span>
          </p>
          <p class="notif-text">
            @if (link(n); as l) {
              <a [routerLink]="l" (click)="opened.emit(n)" data-testid="notif-link">{{ message(n) }}</a>
            } @else {
              {{ message(n) }}
              @if (n.ticket && !n.ticket.accessible) { <span class="hint"> {{ t('notif.ticketGone', { reference: n.ticket.reference }) }}</span> }
            }
          </p>
          <p class="notif-when">
            <time [attr.datetime]="n.createdAt">{{ relative(n.createdAt) }} ({{ i18n.dateTime(n.createdAt) }})</time>
            @if (!n.readAt) {
              <button type="button" class="btn-link" (click)="markRead.emit(n)" data-testid="notif-mark-read">
                {{ t('notif.markRead') }}<span class="sr-only"> : {{ n.ticket?.reference ?? topic(n) }}</span>
              </button>
            }
          </p>
        </li>
      }
    </ul>
  `,
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
    return this.i18n.lang() === 'en' ? n.message.en : n.message.fr;
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
