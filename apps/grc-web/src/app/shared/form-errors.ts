import { ChangeDetectionStrategy, Component, Directive, ElementRef, computed, inject, input } from '@angular/core';
import { I18n } from '../core/i18n';
import { fieldMessage, type UiError } from '../core/problem';

/**
 * On a form control: `aria-invalid` and `aria-describedby` (hint + error) from the last API error.
 * The error paragraph has the id `<control id>-error`, the hint `<control id>-hint`.
 */
@Directive({
  selector: '[grcField]',
  host: {
    '[attr.aria-invalid]': 'message() ? "true" : null',
    '[attr.aria-describedby]': 'describedBy()',
  },
})
export class FieldDirective {
  readonly grcField = input.required<string>();
  readonly grcErrors = input<UiError | null>(null);
  readonly grcHint = input(false);
  private readonly id = (inject(ElementRef).nativeElement as HTMLElement).id;
  protected readonly message = computed(() => fieldMessage(this.grcErrors(), this.grcField()));
  protected readonly describedBy = computed(() => {
    const ids = [this.grcHint() ? `${this.id}-hint` : null, this.message() ? `${this.id}-error` : null].filter(Boolean);
    return ids.length ? ids.join(' ') : null;
  });
}

/** The message next to a field, referenced by the control's aria-describedby. */
@Component({
  selector: 'grc-field-error',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `@if (message(); as m) {
    <p class="field-error" [id]="controlId() + '-error'"><span aria-hidden="true">⚠ </span>{{ m }}</p>
  }`,
})
export class FieldError {
  readonly errors = input<UiError | null>(null);
  readonly field = input.required<string>();
  readonly controlId = input.required<string>();
  protected readonly message = computed(() => fieldMessage(this.errors(), this.field()));
}

/** The alert region for an error (detail from the server, or a translated fallback). */
@Component({
  selector: 'grc-error-alert',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div role="alert" class="alert-region">
    @if (error(); as e) {
      <div class="alert alert-error">
        <p class="alert-title">{{ i18n.t('common.errorTitle') }}</p>
        <p>{{ e.detail ?? i18n.t(e.fallbackKey) }}</p>
        <ng-content />
      </div>
    }
  </div>`,
})
export class ErrorAlert {
  protected readonly i18n = inject(I18n);
  readonly error = input<UiError | null>(null);
}

export const FORM_ERRORS = [FieldDirective, FieldError, ErrorAlert] as const;
