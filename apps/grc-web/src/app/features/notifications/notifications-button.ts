import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, computed, inject, signal, viewChild } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { NotificationItem } from '@grc/domain';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { NotificationList } from './notification-list';
import { NotificationsStore } from './notifications.store';

/** How many notifications the header panel shows (the page lists them all). */
const PANEL_SIZE = 8;

/**
 * The header's notifications button: its accessible name says the unread count ("Notifications,
 * 3 non lues"), a polite live region announces a rise, and it discloses a panel with the latest
 * notifications. Opening moves the focus to the panel's heading; Escape (or "Fermer") closes it and
 * gives the focus back to the button; a click elsewhere closes it. Following a notification marks it read.
 */
@Component({
  selector: 'grc-notifications-button',
  imports: [RouterLink, NotificationList, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  // Escape anywhere in the button or the panel closes it
  host: { '(document:click)': 'clickOutside($event)', '(keydown.escape)': 'close(true)' },
  styleUrl: './notifications-button.css',
  templateUrl: './notifications-button.html',
})
export class NotificationsButton {
  protected readonly store = inject(NotificationsStore);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  private readonly host = inject(ElementRef<HTMLElement>);
  private readonly button = viewChild.required<ElementRef<HTMLButtonElement>>('button');
  private readonly heading = viewChild.required<ElementRef<HTMLElement>>('heading');

  protected readonly open = signal(false);
  protected readonly items = signal<NotificationItem[]>([]);
  protected readonly loading = signal(false);
  protected readonly notice = signal('');
  protected readonly error = signal<UiError | null>(null);

  /** "Notifications, 3 non lues": the visible word first (WCAG 2.5.3), then the count the badge shows */
  protected readonly label = computed(() => {
    const n = this.store.unread() ?? 0;
    const count =
      n === 0 ? this.t('notif.buttonNone') : n === 1 ? this.t('notif.buttonUnreadOne') : this.t('notif.buttonUnread', { count: n });
    return `${this.t('notif.button')}${count}`;
  });
  protected readonly badge = computed(() => {
    const n = this.store.unread() ?? 0;
    return n <= 0 ? null : n > 99 ? '99+' : String(n);
  });
  protected readonly announcement = computed(() => {
    const n = this.store.risen();
    return n === null ? '' : n === 1 ? this.t('notif.announceOne') : this.t('notif.announce', { count: n });
  });
  protected readonly status = computed(() => {
    if (this.loading()) return this.t('notif.loading');
    if (this.notice()) return this.notice();
    return this.open() && !this.error() && !this.items().length ? this.t('notif.empty') : '';
  });

  constructor() {
    this.store.start();
    inject(DestroyRef).onDestroy(() => this.store.stop());
  }

  protected toggle(): void {
    if (this.open()) this.close(false);
    else this.show();
  }

  private show(): void {
    this.open.set(true);
    this.notice.set('');
    this.load();
    setTimeout(() => this.heading().nativeElement.focus());
  }

  close(focusButton: boolean): void {
    if (!this.open()) return;
    this.open.set(false);
    if (focusButton) this.button().nativeElement.focus();
  }

  protected clickOutside(event: MouseEvent): void {
    // the path as dispatched: a click on the badge stays inside even if the badge is re-rendered (or
    // removed, all read) before the event reaches the document, which `contains(target)` would miss
    if (this.open() && !event.composedPath().includes(this.host.nativeElement)) this.close(false);
  }

  private load(): void {
    this.loading.set(true);
    this.error.set(null);
    this.store.list({ limit: PANEL_SIZE }).subscribe({
      next: (page) => {
        this.items.set(page.items);
        this.loading.set(false);
      },
      error: (err: unknown) => {
        this.error.set(toUiError(err));
        this.loading.set(false);
      },
    });
  }

  /** Following a notification reads it; the panel closes and the shell moves the focus to the new page. */
  protected follow(n: NotificationItem): void {
    if (!n.readAt) this.store.markRead(n.id, 'panel').subscribe({ error: () => undefined });
    this.close(false);
    // same page already open (no navigation to move the focus): back to the button rather than nowhere
    setTimeout(() => {
      const active = document.activeElement;
      if (!active || active === document.body || !(active as HTMLElement).offsetParent) this.button().nativeElement.focus();
    });
  }

  protected markRead(n: NotificationItem): void {
    this.store.markRead(n.id, 'panel').subscribe({
      next: (updated) => {
        this.items.update((list) => list.map((i) => (i.id === updated.id ? updated : i)));
        this.notice.set(this.t('notif.marked'));
        // the button is gone with the unread state: the focus stays on the notification
        setTimeout(() => (document.getElementById(`notif-panel-${updated.id}`) ?? this.heading().nativeElement).focus());
      },
      error: (err: unknown) => this.error.set(toUiError(err)),
    });
  }

  protected markAll(): void {
    this.store.markAll(this.items()[0]?.id, 'panel').subscribe({
      next: () => {
        this.notice.set(this.t('notif.allMarked'));
        this.load();
        this.heading().nativeElement.focus();
      },
      error: (err: unknown) => this.error.set(toUiError(err)),
    });
  }
}
