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
  styles: [`
    :host { position: relative; display: block; }
    .notif-button { display: inline-flex; align-items: center; gap: 0.35rem; }
    .notif-button svg { width: 1.1rem; height: 1.1rem; flex: none; }
    .notif-badge {
      display: inline-block; min-width: 1.5rem; padding: 0 0.4rem; border-radius: 1rem; text-align: center;
      background: var(--c-error); color: #fff; font-size: 0.85rem; line-height: 1.4rem;
    }
    .notif-panel {
      position: absolute; right: 0; top: calc(100% + 0.5rem); z-index: 20; width: min(34rem, 92vw); max-height: 75vh; overflow: auto;
      background: var(--c-surface); color: var(--c-text); border: 1px solid var(--c-border); border-radius: var(--radius);
      box-shadow: 0 6px 24px rgb(0 0 0 / 25%); padding: 0.75rem 1rem 1rem; text-align: left;
    }
    .notif-panel :focus-visible { outline-color: var(--c-focus); }
    /* the header draws its secondary buttons with a white border: not on the white panel */
    .notif-panel .btn-secondary { border-color: var(--c-primary); }
    .notif-panel-head { display: flex; align-items: baseline; justify-content: space-between; gap: 1rem; }
    .notif-panel-head h2 { font-size: 1.2rem; margin: 0 0 0.5rem; }
    .notif-panel-foot { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem; margin-top: 0.75rem; }
    .notif-close { background: none; border: 0; padding: 0.25rem; color: var(--c-primary); text-decoration: underline; cursor: pointer; font: inherit; }
  `],
  template: `
    <button #button type="button" class="btn btn-secondary btn-small notif-button" data-testid="notif-button"
            aria-controls="notif-panel" [attr.aria-expanded]="open()" [attr.aria-label]="label()" (click)="toggle()">
      <svg aria-hidden="true" focusable="false" viewBox="0 0 24 24"><path fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"/></svg>
      <span>{{ t('notif.button') }}</span>
      @if (badge(); as b) { <span class="notif-badge" aria-hidden="true" data-testid="notif-badge">{{ b }}</span> }
    </button>
    <p class="sr-only" role="status" aria-live="polite" data-testid="notif-live">{{ announcement() }}</p>
    <section id="notif-panel" class="notif-panel" aria-labelledby="notif-panel-h" data-testid="notif-panel" [hidden]="!open()">
      <div class="notif-panel-head">
        <h2 id="notif-panel-h" tabindex="-1" #heading>{{ t('notif.heading') }}</h2>
        <button type="button" class="notif-close" [attr.aria-label]="t('notif.closeLabel')" (click)="close(true)">{{ t('notif.close') }}</button>
      </div>
      <grc-error-alert [error]="error()" />
      <p class="live" role="status">{{ status() }}</p>
      @if (open() && items().length) {
        <grc-notification-list [items]="items()" idPrefix="notif-panel-" (opened)="follow($event)" (markRead)="markRead($event)" />
      }
      <div class="notif-panel-foot">
        <button type="button" class="btn btn-secondary btn-small" data-testid="notif-mark-all" [disabled]="!store.hasUnread()" (click)="markAll()">{{ t('notif.markAll') }}</button>
        <a routerLink="/notifications" data-testid="notif-see-all" (click)="close(false)">{{ t('notif.seeAll') }}</a>
      </div>
    </section>
  `,
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
    const count = n === 0 ? this.t('notif.buttonNone') : n === 1 ? this.t('notif.buttonUnreadOne') : this.t('notif.buttonUnread', { count: n });
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
