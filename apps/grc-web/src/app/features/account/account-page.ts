import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { RecoveryCodes, SecondFactorStatus, SessionSummary, TotpEnrolment } from '@grc/domain';
import { Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n } from '../../core/i18n';
import { localError, toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { accountError } from './account-errors';

/**
 * "Mon compte": change one's password, turn the TOTP second factor on (QR code made by the server) or
 * off, see one's sessions and close them. A restricted session (forced change, enrolment required)
 * shows only what it must do first.
 */
@Component({
  selector: 'grc-account-page',
  imports: [FormsModule, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './account-page.html',
})
export class AccountPage {
  private readonly api = inject(Api);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly notice = signal('');

  // password
  protected readonly currentPassword = signal('');
  protected readonly newPassword = signal('');
  protected readonly confirmPassword = signal('');
  protected readonly pwError = signal<UiError | null>(null);
  protected readonly pwBusy = signal(false);

  // second factor
  protected readonly tf = signal<SecondFactorStatus | null>(null);
  protected readonly enrolment = signal<TotpEnrolment | null>(null);
  protected readonly enrolCode = signal('');
  protected readonly recoveryCodes = signal<string[] | null>(null);
  protected readonly disableCode = signal('');
  protected readonly tfError = signal<UiError | null>(null);
  protected readonly tfBusy = signal(false);

  // sessions
  protected readonly sessions = signal<SessionSummary[]>([]);
  protected readonly sessionsError = signal<UiError | null>(null);

  constructor() {
    this.loadSecondFactor();
    if (!this.auth.restricted()) this.loadSessions();
  }

  protected changePassword(): void {
    if (this.newPassword() !== this.confirmPassword()) {
      this.pwError.set(localError({ confirmPassword: this.t('account.passwordMismatch') }));
      return;
    }
    this.pwBusy.set(true);
    this.pwError.set(null);
    this.api.post<void>('/account/password', { currentPassword: this.currentPassword(), newPassword: this.newPassword() }).subscribe({
      next: () => {
        this.pwBusy.set(false);
        this.currentPassword.set('');
        this.newPassword.set('');
        this.confirmPassword.set('');
        this.notice.set(this.t('account.passwordChanged'));
        this.auth.reload().subscribe(() => {
          this.loadSecondFactor();
          if (!this.auth.restricted()) this.loadSessions();
        });
      },
      error: (err: unknown) => {
        this.pwBusy.set(false);
        this.pwError.set(accountError(err, this.t));
      },
    });
  }

  protected startEnrolment(): void {
    this.tfBusy.set(true);
    this.tfError.set(null);
    this.api.post<TotpEnrolment>('/account/second-factor/enrolment', {}).subscribe({
      next: (e) => {
        this.tfBusy.set(false);
        this.enrolment.set(e);
        setTimeout(() => document.getElementById('enrol-code')?.focus());
      },
      error: (err: unknown) => {
        this.tfBusy.set(false);
        this.tfError.set(accountError(err, this.t));
      },
    });
  }

  protected confirmEnrolment(): void {
    this.tfBusy.set(true);
    this.tfError.set(null);
    this.api.post<RecoveryCodes>('/account/second-factor/confirm', { code: this.enrolCode().trim() }).subscribe({
      next: (r) => {
        this.tfBusy.set(false);
        this.enrolment.set(null);
        this.enrolCode.set('');
        this.recoveryCodes.set(r.recoveryCodes);
        this.loadSecondFactor();
        setTimeout(() => document.getElementById('recovery-codes-heading')?.focus());
      },
      error: (err: unknown) => {
        this.tfBusy.set(false);
        this.tfError.set(accountError(err, this.t));
      },
    });
  }

  /** The codes are written down: the session is no longer restricted (if enrolment was required). */
  protected codesNoted(): void {
    this.recoveryCodes.set(null);
    this.auth.reload().subscribe(() => {
      if (!this.auth.restricted()) this.loadSessions();
    });
  }

  protected disable(): void {
    this.tfBusy.set(true);
    this.tfError.set(null);
    this.api.post<void>('/account/second-factor/disable', { code: this.disableCode().trim() }).subscribe({
      next: () => {
        this.tfBusy.set(false);
        this.disableCode.set('');
        this.notice.set(this.t('account.tfDisabled'));
        this.loadSecondFactor();
      },
      error: (err: unknown) => {
        this.tfBusy.set(false);
        this.tfError.set(accountError(err, this.t));
      },
    });
  }

  protected endSession(s: SessionSummary): void {
    this.api.delete<void>(`/account/sessions/${s.id}`).subscribe({
      next: () => {
        this.notice.set(this.t('account.sessionEnded'));
        this.loadSessions();
      },
      error: (err: unknown) => this.sessionsError.set(toUiError(err)),
    });
  }

  protected signOutEverywhere(): void {
    this.api.post<{ closed: number }>('/account/sessions/close-others', {}).subscribe({
      next: (r) => {
        this.notice.set(this.t('account.signedOutOthers', { count: r.closed }));
        this.loadSessions();
      },
      error: (err: unknown) => this.sessionsError.set(toUiError(err)),
    });
  }

  private loadSecondFactor(): void {
    this.api.get<SecondFactorStatus>('/account/second-factor').subscribe({
      next: (s) => this.tf.set(s),
      error: (err: unknown) => this.tfError.set(toUiError(err)),
    });
  }

  private loadSessions(): void {
    this.api.get<SessionSummary[]>('/account/sessions').subscribe({
      next: (s) => {
        this.sessions.set(s);
        this.sessionsError.set(null);
      },
      error: (err: unknown) => this.sessionsError.set(toUiError(err)),
    });
  }
}
