import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, inject, viewChild } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter } from 'rxjs';
import { Auth } from '../../core/auth';
import { I18n } from '../../core/i18n';
import { LangSwitch } from '../../shared/lang-switch';
import { NotificationsButton } from '../notifications/notifications-button';
import { SearchBox } from '../live/search-box';
import { CommuneSwitch } from './commune-switch';

@Component({
  selector: 'grc-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, LangSwitch, NotificationsButton, SearchBox, CommuneSwitch],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './shell.html',
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
