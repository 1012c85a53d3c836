import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router } from '@angular/router';
import { LOGIN_IP_THROTTLED, LOGIN_LOCKED, type Problem } from '@grc/domain';
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
      next: () => {
        this.busy.set(false);
        void this.router.navigateByUrl(this.returnUrl());
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
