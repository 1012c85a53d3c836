import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { SecuritySettings } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

/** The town's security settings (admins): second factor for admins, idle timeout, lifetime, cookie kind. */
@Component({
  selector: 'grc-security-settings',
  imports: [FormsModule, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>{{ t('security.heading') }}</h2>
    <p class="live" role="status" aria-live="polite">{{ notice() }}</p>
    <grc-error-alert [error]="error()" />
    @if (draft(); as d) {
      <form class="card" (ngSubmit)="save()" novalidate>
        <div class="check">
          <input id="sec-tf-admins" name="tfAdmins" type="checkbox" [(ngModel)]="d.secondFactorRequiredForAdmins" aria-describedby="sec-tf-admins-hint" />
          <label for="sec-tf-admins">{{ t('security.tfAdmins') }}</label>
          <p class="hint" id="sec-tf-admins-hint">{{ t('security.tfAdminsHint') }}</p>
        </div>
        <div class="field">
          <label for="sec-idle">{{ t('security.idle') }}</label>
          <p class="hint" id="sec-idle-hint">{{ t('security.idleHint') }}</p>
          <input id="sec-idle" name="idle" type="number" min="0" max="10080" required [(ngModel)]="d.idleTimeoutMinutes"
            grcField="idleTimeoutMinutes" [grcErrors]="error()" [grcHint]="true" />
          <grc-field-error [errors]="error()" field="idleTimeoutMinutes" controlId="sec-idle" />
        </div>
        <div class="field">
          <label for="sec-lifetime">{{ t('security.lifetime') }}</label>
          <input id="sec-lifetime" name="lifetime" type="number" min="1" max="720" required [(ngModel)]="d.sessionLifetimeHours"
            grcField="sessionLifetimeHours" [grcErrors]="error()" />
          <grc-field-error [errors]="error()" field="sessionLifetimeHours" controlId="sec-lifetime" />
        </div>
        <div class="check">
          <input id="sec-persistent" name="persistent" type="checkbox" [(ngModel)]="d.persistentCookie" aria-describedby="sec-persistent-hint" />
          <label for="sec-persistent">{{ t('security.persistent') }}</label>
          <p class="hint" id="sec-persistent-hint">{{ t('security.persistentHint') }}</p>
        </div>
        <button type="submit" class="btn btn-primary" [disabled]="busy()">{{ t('security.save') }}</button>
      </form>
    }
  `,
})
export class SecuritySettingsAdmin {
  private readonly api = inject(Api);
  protected readonly t = inject(I18n).t;
  protected readonly draft = signal<SecuritySettings | null>(null);
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);

  constructor() {
    this.api.get<SecuritySettings>('/security-settings').subscribe({
      next: (s) => this.draft.set({ ...s }),
      error: (err: unknown) => this.error.set(toUiError(err)),
    });
  }

  protected save(): void {
    const d = this.draft();
    if (!d) return;
    this.busy.set(true);
    this.error.set(null);
    this.api
      .put<SecuritySettings>('/security-settings', {
        ...d,
        idleTimeoutMinutes: Number(d.idleTimeoutMinutes),
        sessionLifetimeHours: Number(d.sessionLifetimeHours),
      })
      .subscribe({
        next: (s) => {
          this.busy.set(false);
          this.draft.set({ ...s });
          this.notice.set(this.t('admin.saved'));
        },
        error: (err: unknown) => {
          this.busy.set(false);
          this.error.set(toUiError(err));
        },
      });
  }
}
