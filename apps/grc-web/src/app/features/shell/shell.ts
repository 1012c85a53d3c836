import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, inject, viewChild } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter } from 'rxjs';
import { Auth } from '../../core/auth';
import { I18n } from '../../core/i18n';
import { LangSwitch } from '../../shared/lang-switch';
import { NotificationsButton } from '../notifications/notifications-button';

@Component({
  selector: 'grc-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, LangSwitch, NotificationsButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="app-header">
      <a class="skip-link" href="#main" (click)="skip($event)">{{ t('shell.skip') }}</a>
      <div class="header-inner">
        <a routerLink="/inbox" class="brand">{{ t('app.name') }}<span class="sr-only"> – {{ t('app.tagline') }}</span></a>
        @if (auth.me(); as me) {
          <p class="user">{{ t('shell.user', { name: me.displayName, role: i18n.role(me.role) }) }}</p>
        }
        <grc-notifications-button />
        <grc-lang-switch />
        <button type="button" class="btn btn-secondary btn-small" (click)="auth.logout()">{{ t('shell.logout') }}</button>
      </div>
      <nav class="main-nav" [attr.aria-label]="t('shell.mainNav')">
        <ul>
          <li><a routerLink="/inbox" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('nav.inbox') }}</a></li>
          @if (auth.can('tickets.create')) {
            <li><a routerLink="/tickets/new" routerLinkActive="active" ariaCurrentWhenActive="page" data-testid="new-ticket-link">{{ t('nav.newTicket') }}</a></li>
          }
          <li><a routerLink="/a-valider" routerLinkActive="active" ariaCurrentWhenActive="page" data-testid="nav-awaiting">{{ t('nav.awaiting') }}</a></li>
          @if (auth.can('workflows.delegate')) {
            <li><a routerLink="/delegations" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('title.delegations') }}</a></li>
          }
          @if (auth.can('audit.read')) {
            <li><a routerLink="/sla/breaches" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('nav.breaches') }}</a></li>
          }
          @if (auth.isAdmin()) {
            <li><a routerLink="/admin" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('nav.admin') }}</a></li>
          }
        </ul>
      </nav>
    </header>
    <main id="main" #main tabindex="-1" class="app-main">
      <router-outlet />
    </main>
  `,
})
export class Shell {
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  private readonly main = viewChild.required<ElementRef<HTMLElement>>('main');

  constructor() {
    // After a page change (not a query change), move focus to the content so screen readers start there.
    let lastPath = '';
    inject(Router)
      .events.pipe(
        filter((e): e is NavigationEnd => e instanceof NavigationEnd),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((e) => {
        const path = e.urlAfterRedirects.split(/[?#]/)[0];
        if (lastPath && path !== lastPath) setTimeout(() => this.focusMain());
        lastPath = path;
      });
  }

  protected skip(event: Event): void {
    event.preventDefault();
    this.focusMain();
  }

  private focusMain(): void {
    const main = this.main().nativeElement;
    const h1 = main.querySelector('h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus();
    } else main.focus();
  }
}
