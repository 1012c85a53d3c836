import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { type Me, type Problem, type SecondFactorChallenge, type SignInLinkView } from '@grc/domain';
import { Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n, type MsgKey } from '../../core/i18n';
import { localError, toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { LangSwitch } from '../../shared/lang-switch';
import { accountError } from '../account/account-errors';

const LINK_CODES = ['sign_in_link_invalid', 'sign_in_link_expired', 'sign_in_link_used', 'sign_in_link_agent_inactive'];

/**
 * The page a sign-in link of `grc create-admin` opens (/bienvenue#<token>): the token is read from the
 * fragment (never sent in a request line, so never in a log) and removed from the address bar; the link is
 * checked, the person chooses a password (the password rule's refusals next to the field), and is signed in —
 * on to "Mon compte" when the town requires a second factor of administrators.
 */
@Component({
  selector: 'grc-welcome',
  imports: [FormsModule, RouterLink, LangSwitch, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="login-header">
      <p class="brand">{{ t('app.name') }} <span class="brand-tagline">{{ t('app.tagline') }}</span></p>
      <grc-lang-switch />
    </header>
    <main id="main" class="login-main" tabindex="-1">
      <div class="card login-card">
        <h1>{{ t('welcome.heading') }}</h1>
        <grc-error-alert [error]="error()" />
        @if (refused(); as code) {
          <p class="alert alert-error" role="alert" data-testid="welcome-refused">{{ t(code) }}</p>
          <p><a routerLink="/login">{{ t('welcome.toLogin') }}</a></p>
        } @else if (link(); as l) {
          <p>{{ t('welcome.intro', { date: expiry(l.expiresAt), email: l.email }) }}</p>
          @if (l.secondFactorRequired) {
            <p class="alert alert-info">{{ t('welcome.secondFactor') }}</p>
          }
          <form (ngSubmit)="submit()" novalidate>
            <input type="email" name="username" autocomplete="username" [value]="l.email" hidden readonly />
            <div class="field">
              <label for="welcome-password">{{ t('welcome.newPassword') }}</label>
              <p class="hint" id="welcome-password-hint">{{ t('account.newPasswordHint') }}</p>
              <input id="welcome-password" name="newPassword" type="password" autocomplete="new-password" required
                [(ngModel)]="password" grcField="newPassword" [grcErrors]="error()" [grcHint]="true" />
              <grc-field-error [errors]="error()" field="newPassword" controlId="welcome-password" />
            </div>
            <div class="field">
              <label for="welcome-confirm">{{ t('welcome.confirm') }}</label>
              <input id="welcome-confirm" name="confirm" type="password" autocomplete="new-password" required
                [(ngModel)]="confirm" grcField="confirm" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="confirm" controlId="welcome-confirm" />
            </div>
            <button type="submit" class="btn btn-primary" [disabled]="busy()">
              {{ busy() ? t('welcome.submitting') : t('welcome.submit') }}
            </button>
          </form>
        } @else if (!error()) {
          <p role="status">{{ t('welcome.checking') }}</p>
        }
      </div>
    </main>
  `,
})
export class WelcomePage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly link = signal<SignInLinkView | null>(null);
  protected readonly refused = signal<MsgKey | null>(null);
  protected readonly error = signal<UiError | null>(null);
  protected readonly busy = signal(false);
  protected readonly password = signal('');
  protected readonly confirm = signal('');
  private token = '';

  ngOnInit(): void {
    this.token = decodeURIComponent(location.hash.replace(/^#/, ''));
    // out of the address bar and the history: the page can be reloaded only while the tab keeps the token
    history.replaceState(history.state, '', location.pathname);
    if (!this.token) {
      this.refused.set('welcome.noToken');
      return;
    }
    this.api.post<SignInLinkView>('/auth/sign-in-link/check', { token: this.token }).subscribe({
      next: (l) => this.link.set(l),
      error: (err: unknown) => this.refuse(err),
    });
  }

  protected expiry(iso: string): string {
    return new Intl.DateTimeFormat(this.i18n.lang(), { dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso));
  }

  protected submit(): void {
    const password = this.password();
    if (!password) return this.error.set(localError({ newPassword: this.t('welcome.required') }, 'welcome.required'));
    if (password !== this.confirm()) return this.error.set(localError({ confirm: this.t('welcome.mismatch') }, 'welcome.mismatch'));
    this.busy.set(true);
    this.error.set(null);
    this.api.post<Me | SecondFactorChallenge>('/auth/sign-in-link/redeem', { token: this.token, newPassword: password }).subscribe({
      next: (res) => {
        if ((res as Partial<SecondFactorChallenge>).secondFactor === 'totp') {
          void this.router.navigateByUrl('/login');
          return;
        }
        this.auth.reload().subscribe((me) => {
          const restricted = !!me && (me.mustChangePassword === true || me.secondFactorEnrolmentRequired === true);
          void this.router.navigateByUrl(restricted ? '/compte' : '/inbox');
        });
      },
      error: (err: unknown) => {
        this.busy.set(false);
        if (this.linkCode(err)) return this.refuse(err);
        this.error.set(accountError(err, this.t));
      },
    });
  }

  private linkCode(err: unknown): string | null {
    const code = err instanceof HttpErrorResponse ? (err.error as Partial<Problem> | null)?.errors?.[0]?.code : undefined;
    return code && LINK_CODES.includes(code) ? code : null;
  }

  private refuse(err: unknown): void {
    const code = this.linkCode(err);
    if (code) this.refused.set(`welcome.${code}` as MsgKey);
    else this.error.set(toUiError(err));
  }
}
