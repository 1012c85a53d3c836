import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import type { BanImportReport, PlacesSummary } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

/** The town's addresses: what is loaded from the BAN, and the upload of a new file (idempotent, updates in place). */
@Component({
  selector: 'grc-admin-addresses',
  imports: [...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>{{ t('ban.heading') }}</h2>
    <p>{{ t('ban.intro') }}</p>
    @if (summary(); as s) {
      @if (s.addresses) {
        <p data-testid="ban-summary">
          {{ t('ban.summary', { addresses: n(s.addresses), streets: n(s.streets) }) }}.
          @if (s.lastImportAt) {
            {{ t('ban.lastImport', { at: i18n.dateTime(s.lastImportAt) }) }}
          }
        </p>
        <table class="data">
          <caption>{{ t('ban.communes') }}</caption>
          <thead>
            <tr><th scope="col">INSEE</th><th scope="col">{{ t('ban.communes') }}</th><th scope="col">{{ t('admin.addresses') }}</th></tr>
          </thead>
          <tbody>
            @for (c of s.communes; track c.insee) {
              <tr><td>{{ c.insee }}</td><th scope="row">{{ c.name }}</th><td>{{ n(c.addresses) }}</td></tr>
            }
          </tbody>
        </table>
      } @else {
        <p class="alert alert-info">{{ t('ban.never') }}</p>
      }
    }
    <form class="card" (submit)="$event.preventDefault(); upload()" novalidate>
      <div class="field">
        <label for="ban-file">{{ t('ban.file') }}</label>
        <input id="ban-file" name="file" type="file" accept=".csv,text/csv" (change)="chosen($event)" [attr.aria-invalid]="error() ? 'true' : null" />
        <grc-field-error [errors]="error()" field="file" controlId="ban-file" />
      </div>
      <button type="submit" class="btn btn-primary" [disabled]="busy() || !file()">{{ busy() ? t('ban.importing') : t('ban.import') }}</button>
    </form>
    <div aria-live="polite" data-testid="ban-report">
      @if (report(); as r) {
        <p class="alert alert-success">{{ t('ban.report', { lines: r.lines, inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, removed: r.removed, rejected: r.rejected }) }}</p>
        @if (r.rejections.length) {
          <ul>
            @for (x of r.rejections; track x.line) {
              <li>{{ t('ban.rejection', { line: x.line, field: x.field }) }}</li>
            }
          </ul>
        }
      }
    </div>
  `,
})
export class AddressesAdmin {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly summary = signal<PlacesSummary | null>(null);
  protected readonly file = signal<File | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<UiError | null>(null);
  protected readonly report = signal<BanImportReport | null>(null);

  constructor() {
    this.load();
  }

  protected n(v: number): string {
    return new Intl.NumberFormat(this.i18n.lang() === 'fr' ? 'fr-FR' : 'en-GB').format(v);
  }

  private load(): void {
    this.api
      .get<PlacesSummary>('/places/summary')
      .subscribe({ next: (s) => this.summary.set(s), error: (e: unknown) => this.error.set(toUiError(e)) });
  }

  protected chosen(e: Event): void {
    this.file.set((e.target as HTMLInputElement).files?.[0] ?? null);
    this.error.set(null);
  }

  protected upload(): void {
    const file = this.file();
    if (!file || this.busy()) return;
    const form = new FormData();
    form.append('file', file, file.name);
    this.busy.set(true);
    this.report.set(null);
    this.error.set(null);
    this.api.post<BanImportReport>('/places/imports', form).subscribe({
      next: (r) => {
        this.busy.set(false);
        this.report.set(r);
        this.load();
      },
      error: (e: unknown) => {
        this.busy.set(false);
        this.error.set(toUiError(e));
      },
    });
  }
}
