import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { I18n } from '../../core/i18n';

/**
 * The secondary way in and out of an editor: a disclosure with the form's content as JSON (export),
 * and a text area whose JSON can be applied to the form (import). Nothing is saved from here.
 */
@Component({
  selector: 'grc-sla-json-io',
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: `
    .json-io { margin: 0 0 1rem; }
    .json-io summary { cursor: pointer; font-weight: 700; padding: 0.25rem 0; }
  `,
  templateUrl: './sla-json-io.html',
})
export class SlaJsonIo {
  protected readonly t = inject(I18n).t;
  readonly idPrefix = input.required<string>();
  /** the form's content as the API takes it */
  readonly value = input.required<unknown>();
  /** a parsed document to load into the form; the editor answers false when it cannot read it */
  readonly imported = output<{ doc: unknown; accept: (ok: boolean) => void }>();
  protected readonly text = signal('');
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal('');

  protected toggled(e: Event): void {
    if ((e.target as HTMLDetailsElement).open) this.refresh();
  }
  protected refresh(): void {
    this.text.set(JSON.stringify(this.value(), null, 2));
    this.error.set(null);
    this.notice.set('');
  }
  protected apply(): void {
    let doc: unknown;
    try {
      doc = JSON.parse(this.text());
    } catch (e) {
      this.error.set(this.t('slaAdmin.jsonInvalid', { message: (e as Error).message }));
      return;
    }
    this.imported.emit({
      doc,
      accept: (ok) => {
        this.error.set(ok ? null : this.t('slaAdmin.jsonUnreadable'));
        this.notice.set(ok ? this.t('slaAdmin.jsonApplied') : '');
      },
    });
  }
}
