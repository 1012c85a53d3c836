import { ChangeDetectionStrategy, Component, ElementRef, ViewEncapsulation, inject, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { catchError, map, of } from 'rxjs';
import { I18n } from '../../core/i18n';
import { LangSwitch } from '../../shared/lang-switch';
import { PublicApi } from './public-api';
import { PrivacyNoticeView } from './privacy-notice';

/** The citizen pages' light frame: town name, language switch, skip link, main landmark, footer. */
@Component({
  selector: 'grc-public-layout',
  imports: [LangSwitch, RouterLink, PrivacyNoticeView],
  changeDetection: ChangeDetectionStrategy.OnPush,
  // global within the lazy chunk: the citizen pages project their content here
  encapsulation: ViewEncapsulation.None,
  styles: `
    .public-header .brand a { color: #fff; text-decoration: none; }
    .public-header .brand a:hover { text-decoration: underline; }
    .public-header .lang-switch { margin-left: auto; }
    .public-brand { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 0.5rem; font-size: 1.25rem; }
    .public-logo { align-self: center; max-height: 2.5rem; width: auto; }
    .public-main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
    .public-main:focus { outline: none; }
    .public-footer { max-width: 46rem; margin: 0 auto; padding: 1rem; color: var(--c-muted); font-size: 0.9rem; }
    .public-main input:not([type='checkbox']):not([type='radio']):not([type='file']), .public-main select, .public-main textarea { width: 100%; }
    .public-main .req { color: var(--c-error); }
    .coords { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 0 1rem; }
    .error-summary ul { margin: 0.25rem 0 0; padding-left: 1.25rem; }
    .error-summary a { color: var(--c-error); font-weight: 600; }
    .honeypot { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
    .file-list { list-style: none; padding: 0; margin: 0.5rem 0 0; }
    .file-list li { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin-bottom: 0.25rem; }
    .ref-box { font-size: 1.5rem; font-weight: 800; letter-spacing: 0.03em; }
    .track-status { font-size: 1.15rem; font-weight: 700; }
    .messages { list-style: none; padding: 0; margin: 0; }
    .messages li { border-left: 4px solid var(--c-primary); background: var(--c-surface); padding: 0.5rem 0.75rem; margin-bottom: 0.75rem; }
    .messages li.from-you { border-left-color: var(--c-muted); }
    .messages .who { font-weight: 700; margin: 0; }
    .pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.25rem 0 0; }
    .facts-public { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 1rem; }
    .facts-public dt { font-weight: 700; }
    .facts-public dd { margin: 0; overflow-wrap: anywhere; }
    @media (max-width: 30rem) { .facts-public { grid-template-columns: 1fr; } .facts-public dd { margin-bottom: 0.5rem; } }
  `,
  template: `
    <a class="skip-link" href="#main" (click)="skip($event)">{{ t('pub.skip') }}</a>
    <header class="login-header public-header">
      <p class="brand public-brand">
        @if (town()?.hasLogo) {
          <img class="public-logo" [src]="logoUrl" alt="" height="40" />
        }
        <a routerLink="/demande" class="public-home">{{ townName() ? t('pub.townHall', { town: townName()! }) : t('pub.service') }}</a>
        <span class="brand-tagline">{{ t('pub.service') }}</span>
      </p>
      <grc-lang-switch />
    </header>
    <main id="main" #main class="public-main" tabindex="-1">
      <ng-content />
    </main>
    <footer class="public-footer">
      <p>{{ t('pub.footer') }}</p>
      <p><a routerLink="/barometre" data-testid="barometer-link">{{ t('pub.barometerLink') }}</a></p>
      @if (town()?.texts?.footer; as footer) {
        <p class="pre">{{ footer }}</p>
      }
      <grc-privacy-notice />
    </footer>
  `,
})
export class PublicLayout {
  protected readonly t = inject(I18n).t;
  protected readonly townName = toSignal(
    inject(PublicApi)
      .form()
      .pipe(
        map((f) => f.town.name),
        catchError(() => of(null)),
      ),
    { initialValue: null },
  );
  private readonly api = inject(PublicApi);
  protected readonly logoUrl = this.api.logoUrl;
  protected readonly town = toSignal(this.api.town().pipe(catchError(() => of(null))), { initialValue: null });
  private readonly main = viewChild.required<ElementRef<HTMLElement>>('main');

  protected skip(event: Event): void {
    event.preventDefault();
    this.main().nativeElement.focus();
  }
}
