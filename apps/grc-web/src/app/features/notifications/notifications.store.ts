import { DOCUMENT, Injectable, computed, inject, signal } from '@angular/core';
import {
  NOTIFICATION_PAGE_DEFAULT,
  type NotificationItem,
  type NotificationListQuery,
  type NotificationPage,
  type NotificationReadAllResult,
  type NotificationUnreadCount,
} from '@grc/domain';
import { type Observable, catchError, of, tap } from 'rxjs';
import { Api } from '../../core/api';

/** How often the unread count is asked for while the console is visible (the console has no push channel). */
export const NOTIFICATION_POLL_MS = 30_000;

/**
 * The agent's notifications, shared by the header button and the page: the unread count (polled every
 * 30 s while the tab is visible, at once when it becomes visible again), the announcement when it rises,
 * and the calls that list and mark them read.
 */
@Injectable({ providedIn: 'root' })
export class NotificationsStore {
  private readonly api = inject(Api);
  private readonly doc = inject(DOCUMENT);

  /** null until the first answer */
  readonly unread = signal<number | null>(null);
  /** the count to announce after a rise (null: nothing to say) */
  readonly risen = signal<number | null>(null);
  /** "now" for relative times, moved on at each poll */
  readonly now = signal(Date.now());
  /** the last marking, with who made it (`origin`), so that other open lists can follow */
  readonly changed = signal<{ origin: string; seq: number } | null>(null);
  readonly hasUnread = computed(() => (this.unread() ?? 0) > 0);

  private timer: ReturnType<typeof setInterval> | null = null;
  private users = 0;
  private readonly onVisible = () => {
    if (!this.doc.hidden) this.refresh();
  };

  /** Starts polling (idempotent per user; stop() with each start()). */
  start(): void {
    if (this.users++ > 0) return;
    this.refresh();
    this.timer = setInterval(() => {
      if (!this.doc.hidden) this.refresh();
    }, NOTIFICATION_POLL_MS);
    this.doc.addEventListener('visibilitychange', this.onVisible);
  }

  stop(): void {
    if (--this.users > 0) return;
    this.users = 0;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.doc.removeEventListener('visibilitychange', this.onVisible);
    this.unread.set(null);
    this.risen.set(null);
  }

  refresh(): void {
    this.now.set(Date.now());
    this.api
      .get<NotificationUnreadCount>('/notifications/unread-count')
      .pipe(catchError(() => of(null)))
      .subscribe((r) => {
        if (r) this.setUnread(r.unread);
      });
  }

  list(query: NotificationListQuery = {}): Observable<NotificationPage> {
    this.now.set(Date.now());
    return this.api
      .get<NotificationPage>('/notifications', {
        limit: query.limit ?? NOTIFICATION_PAGE_DEFAULT,
        unread: query.unread || undefined,
        cursor: query.cursor,
      })
      .pipe(tap((page) => this.setUnread(page.unread)));
  }

  markRead(id: string, origin: string): Observable<NotificationItem> {
    return this.api.post<NotificationItem>(`/notifications/${id}/read`, {}).pipe(
      tap(() => {
        this.bump(origin);
        this.refresh();
      }),
    );
  }

  /** Everything read, up to the newest notification shown (one arriving meanwhile stays unread). */
  markAll(upToId: string | undefined, origin: string): Observable<NotificationReadAllResult> {
    return this.api.post<NotificationReadAllResult>('/notifications/read-all', upToId ? { upToId } : {}).pipe(
      tap((r) => {
        this.bump(origin);
        this.setUnread(r.unread);
      }),
    );
  }

  private bump(origin: string): void {
    this.changed.update((c) => ({ origin, seq: (c?.seq ?? 0) + 1 }));
  }

  private setUnread(count: number): void {
    const before = this.unread();
    if (before !== null && count > before) this.risen.set(count);
    else if (before !== null && count < before) this.risen.set(null);
    this.unread.set(count);
  }
}
