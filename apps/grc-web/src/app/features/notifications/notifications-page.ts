import { ChangeDetectionStrategy, Component, computed, effect, inject, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { NotificationItem } from '@grc/domain';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { NotificationList } from './notification-list';
import { NotificationsStore } from './notifications.store';

const PAGE_SIZE = 20;

/** Every notification of the agent, newest first, "show more" by cursor, all or unread only, mark read. */
@Component({
  selector: 'grc-notifications-page',
  imports: [FormsModule, NotificationList, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './notifications-page.css',
  templateUrl: './notifications-page.html',
})
export class NotificationsPage {
  protected readonly store = inject(NotificationsStore);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;

  protected readonly unreadOnly = signal(false);
  protected readonly items = signal<NotificationItem[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly notice = signal('');
  protected readonly error = signal<UiError | null>(null);
  protected readonly status = computed(() => {
    if (this.loading()) return this.t('notif.loading');
    if (this.notice()) return this.notice();
    if (this.error() || !this.items().length) return '';
    return this.t('notif.count', { count: this.items().length, unread: this.store.unread() ?? 0 });
  });

  constructor() {
    this.load(null);
    // marked read elsewhere (the header's panel): reload; a change made here updates the list in place
    const since = this.store.changed()?.seq ?? 0;
    effect(() => {
      const change = this.store.changed();
      if (change && change.seq > since && change.origin !== 'page') untracked(() => this.load(null));
    });
  }

  protected setFilter(unread: boolean): void {
    this.unreadOnly.set(unread);
    this.notice.set('');
    this.load(null);
  }

  protected more(): void {
    const cursor = this.nextCursor();
    if (cursor) this.load(cursor);
  }

  private load(cursor: string | null): void {
    this.loading.set(true);
    this.error.set(null);
    this.store.list({ unread: this.unreadOnly(), cursor: cursor ?? undefined, limit: PAGE_SIZE }).subscribe({
      next: (page) => {
        const first = page.items[0];
        this.items.update((list) => (cursor ? [...list, ...page.items] : page.items));
        this.nextCursor.set(page.nextCursor);
        this.loading.set(false);
        // "show more": the focus goes to the first notification loaded, where reading continues
        if (cursor && first) setTimeout(() => document.getElementById(`notif-page-${first.id}`)?.focus());
      },
      error: (err: unknown) => {
        this.error.set(toUiError(err));
        this.loading.set(false);
      },
    });
  }

  protected opened(n: NotificationItem): void {
    if (!n.readAt) this.store.markRead(n.id, 'page').subscribe({ error: () => undefined });
  }

  protected markRead(n: NotificationItem): void {
    this.store.markRead(n.id, 'page').subscribe({
      next: (updated) => {
        // in "unread only" the notification stays until the next load, shown as read
        this.items.update((list) => list.map((i) => (i.id === updated.id ? updated : i)));
        this.notice.set(this.t('notif.marked'));
        setTimeout(() => document.getElementById(`notif-page-${updated.id}`)?.focus());
      },
      error: (err: unknown) => this.error.set(toUiError(err)),
    });
  }

  protected markAll(): void {
    this.store.markAll(this.items()[0]?.id, 'page').subscribe({
      next: () => {
        this.notice.set(this.t('notif.allMarked'));
        this.items.update((list) => list.map((i) => (i.readAt ? i : { ...i, readAt: new Date().toISOString() })));
      },
      error: (err: unknown) => this.error.set(toUiError(err)),
    });
  }
}
