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
  styles: [`
    .notif-filter { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: center; border: 0; padding: 0; margin: 0 0 0.75rem; }
    .notif-filter legend { float: left; margin-right: 0.5rem; padding: 0; }
    .notif-filter label { display: inline-flex; align-items: center; gap: 0.35rem; }
    .notif-card { background: var(--c-surface); border: 1px solid var(--c-border-light); border-radius: var(--radius); margin-bottom: 1rem; }
  `],
  template: `
    <h1>{{ t('notif.heading') }}</h1>
    <p>{{ t('notif.intro') }}</p>
    <fieldset class="notif-filter">
      <legend>{{ t('notif.filter') }}</legend>
      <label><input type="radio" name="notif-filter" [value]="false" [ngModel]="unreadOnly()" (ngModelChange)="setFilter($event)" /> {{ t('notif.filterAll') }}</label>
      <label><input type="radio" name="notif-filter" [value]="true" [ngModel]="unreadOnly()" (ngModelChange)="setFilter($event)" data-testid="notif-filter-unread" /> {{ t('notif.filterUnread') }}</label>
    </fieldset>
    <div class="actions">
      <button type="button" class="btn btn-secondary" data-testid="notif-page-mark-all" [disabled]="!store.hasUnread()" (click)="markAll()">{{ t('notif.markAll') }}</button>
    </div>
    <grc-error-alert [error]="error()" />
    <p class="live" role="status" aria-live="polite" data-testid="notif-page-status">{{ status() }}</p>
    @if (items().length) {
      <div class="notif-card">
        <grc-notification-list [items]="items()" idPrefix="notif-page-" (opened)="opened($event)" (markRead)="markRead($event)" />
      </div>
    } @else if (!loading() && !error()) {
      <p class="empty">{{ unreadOnly() ? t('notif.emptyUnread') : t('notif.empty') }}</p>
    }
    @if (nextCursor()) {
      <button type="button" class="btn btn-secondary" data-testid="notif-more" [disabled]="loading()" (click)="more()">{{ t('notif.more') }}</button>
    }
  `,
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
