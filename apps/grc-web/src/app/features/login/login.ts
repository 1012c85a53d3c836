import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router } from '@angular/router';
import { LOGIN_IP_THROTTLED, LOGIN_LOCKED, type Me, type Problem } from '@grc/domain';
import { Auth } from '../../core/auth';
import { I18n } from '../../core/i18n';
import { localError, toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { LangSwitch } from '../../shared/lang-switch';
import { SsoSignIn } from './sso-sign-in';

@Component({
  selector: 'grc-login',
  imports: [FormsModule, LangSwitch, SsoSignIn, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './login.html',
})
export class LoginPage {
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly t = inject(I18n).t;
  protected readonly email = signal('');
  protected readonly password = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<UiError | null>(null);
  protected readonly expired = signal(this.route.snapshot.queryParamMap.has('expired'));
  /** 'code': the password was right, the second factor's code is next (the pending login is the server's) */
  protected readonly step = signal<'password' | 'code'>('password');
  protected readonly code = signal('');

  protected submit(): void {
    const email = this.email().trim();
    const password = this.password();
    if (!email || !password) {
      const fields: Record<string, string> = {};
      if (!email) fields['email'] = this.t('login.required');
      if (!password) fields['password'] = this.t('login.required');
      this.error.set(localError(fields, 'login.required'));
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.expired.set(false);
    this.auth.login({ email, password }).subscribe({
      next: (me) => {
        this.busy.set(false);
        if (me === 'second_factor') {
          this.password.set('');
          this.step.set('code');
          setTimeout(() => document.getElementById('login-code')?.focus());
          return;
        }
        this.signedIn(me);
      },
      error: (err: unknown) => {
        this.busy.set(false);
        const e = toUiError(err);
        if (e.status === 401 || e.status === 400) {
          this.error.set({ ...e, detail: e.status === 401 ? this.t('login.invalid') : e.detail, fallbackKey: 'login.invalid' });
        } else if (e.status === 429) {
          this.error.set({ ...e, fields: {}, detail: this.throttled(err), fallbackKey: 'common.rateLimited' });
        } else this.error.set(e);
      },
    });
  }

  protected submitCode(): void {
    const code = this.code().trim();
    if (!code) {
      this.error.set(localError({ code: this.t('login.codeInvalid') }, 'login.codeInvalid'));
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.auth.loginSecondFactor(code).subscribe({
      next: (me) => {
        this.busy.set(false);
        this.signedIn(me);
      },
      error: (err: unknown) => {
        this.busy.set(false);
        const e = toUiError(err);
        const apiCode = err instanceof HttpErrorResponse ? (err.error as Partial<Problem> | null)?.errors?.[0]?.code : undefined;
        if (apiCode === 'second_factor_expired') {
          this.back();
          this.error.set({ ...e, fields: {}, detail: this.t('login.codeExpired'), fallbackKey: 'login.codeExpired' });
        } else if (e.status === 429) {
          this.error.set({ ...e, fields: {}, detail: this.throttled(err), fallbackKey: 'common.rateLimited' });
        } else if (e.status === 401 || e.status === 400) {
          this.code.set('');
          this.error.set({
            ...e,
            fields: { code: this.t('login.codeInvalid') },
            detail: this.t('login.codeInvalid'),
            fallbackKey: 'login.codeInvalid',
          });
        } else this.error.set(e);
      },
    });
  }

  protected back(): void {
    this.step.set('password');
    this.code.set('');
    this.error.set(null);
  }

  private signedIn(me: Me | null): void {
    const restricted = !!me && (me.mustChangePassword === true || me.secondFactorEnrolmentRequired === true);
    void this.router.navigateByUrl(restricted ? '/compte' : this.returnUrl());
  }

  /** The API's throttling codes (auth.locked, auth.ip_throttled) worded here, with the wait from Retry-After. */
  private throttled(err: unknown): string {
    if (!(err instanceof HttpErrorResponse)) return this.t('common.rateLimited');
    const code = (err.error as Partial<Problem> | null)?.errors?.[0]?.code;
    const minutes = Math.max(1, Math.ceil(Number(err.headers.get('Retry-After') ?? 60) / 60));
    if (code === LOGIN_LOCKED) return this.t('login.locked', { minutes });
    if (code === LOGIN_IP_THROTTLED) return this.t('login.ipThrottled', { minutes });
    return this.t('common.rateLimited');
  }

  private returnUrl(): string {
    const url = this.route.snapshot.queryParamMap.get('returnUrl');
    return url && url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/login') ? url : '/inbox';
  }
}
