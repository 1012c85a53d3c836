import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { LEGAL_BASES, PRIVACY_PURPOSES, type LegalBasis, type PrivacyPurpose, type PrivacySettings } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

type Draft = Omit<PrivacySettings, 'updatedAt'>;

/** The town's privacy settings (holders of `rgpd`): the information notice of the public pages and the access letter are made from them. */
@Component({
  selector: 'grc-privacy-settings',
  imports: [FormsModule, RouterLink, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './privacy-settings.html',
})
export class PrivacySettingsPage {
  private readonly api = inject(Api);
  protected readonly t = inject(I18n).t;
  protected readonly purposes = PRIVACY_PURPOSES;
  protected readonly bases = LEGAL_BASES;
  protected readonly draft = signal<Draft | null>(null);
  protected readonly neverSaved = signal(false);
  protected readonly error = signal<UiError | null>(null);
  protected readonly saved = signal(false);
  protected readonly saving = signal(false);

  constructor() {
    this.load();
  }

  protected key = (k: string): MsgKey => k as MsgKey;

  private load(): void {
    this.api.get<PrivacySettings>('/privacy-settings').subscribe({
      next: (s) => {
        const { updatedAt, ...rest } = s;
        this.neverSaved.set(updatedAt === null);
        this.draft.set(rest);
      },
      error: (e: unknown) => this.error.set(toUiError(e)),
    });
  }

  protected hasPurpose(p: PrivacyPurpose): boolean {
    return !!this.draft()?.purposes.includes(p);
  }

  protected togglePurpose(p: PrivacyPurpose, on: boolean): void {
    const d = this.draft();
    if (!d) return;
    const set = new Set(d.purposes);
    if (on) set.add(p);
    else set.delete(p);
    this.draft.set({ ...d, purposes: PRIVACY_PURPOSES.filter((x) => set.has(x)) });
  }

  protected setBasis(b: LegalBasis): void {
    const d = this.draft();
    if (d) this.draft.set({ ...d, legalBasis: b });
  }

  protected save(): void {
    const d = this.draft();
    if (!d || this.saving()) return;
    this.saving.set(true);
    this.saved.set(false);
    this.api.put<PrivacySettings>('/privacy-settings', d).subscribe({
      next: (s) => {
        const { updatedAt, ...rest } = s;
        this.draft.set(rest);
        this.neverSaved.set(updatedAt === null);
        this.error.set(null);
        this.saved.set(true);
        this.saving.set(false);
      },
      error: (e: unknown) => {
        this.error.set(toUiError(e));
        this.saving.set(false);
      },
    });
  }
}
