import { ChangeDetectionStrategy, Component, inject, input, output } from '@angular/core';
import { I18n } from '../../core/i18n';
import type { UiError } from '../../core/problem';
import { ErrorAlert } from '../../shared/form-errors';

/** Top of an admin screen: its heading, the list's load error and the polite status line (loading, saved). */
@Component({
  selector: 'grc-admin-list-status',
  imports: [ErrorAlert],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { style: 'display: contents' },
  template: `
    <h2>{{ heading() }}</h2>
    <grc-error-alert [error]="error()" />
    <p class="live" role="status" aria-live="polite">{{ loading() ? i18n.t('common.loading') : notice() }}</p>
  `,
})
export class AdminListStatus {
  protected readonly i18n = inject(I18n);
  readonly heading = input.required<string>();
  readonly error = input<UiError | null>(null);
  readonly loading = input(false);
  readonly notice = input('');
}

/** Bottom of an admin form: the save error, then Save (submits the enclosing form) and Cancel. */
@Component({
  selector: 'grc-admin-form-actions',
  imports: [ErrorAlert],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { style: 'display: contents' },
  template: `
    <grc-error-alert [error]="error()" />
    <div class="actions">
      <button type="submit" class="btn btn-primary" [disabled]="busy()">{{ i18n.t('common.save') }}</button>
      <button type="button" class="btn btn-secondary" (click)="cancelled.emit()">{{ i18n.t('common.cancel') }}</button>
    </div>
  `,
})
export class AdminFormActions {
  protected readonly i18n = inject(I18n);
  readonly error = input<UiError | null>(null);
  readonly busy = input(false);
  readonly cancelled = output<void>();
}
