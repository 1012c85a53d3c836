import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { LOGO_MAX_BYTES, LOGO_TYPES, type TownSettingsUpdate, type TownSettingsView } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { FRENCH_TIME_ZONES } from '../sla/calendar-form';

/** Administration › Commune: the town's name, time zone, reference prefix, logo, public texts and sender (audited). */
@Component({
  selector: 'grc-town-settings',
  imports: [FormsModule, RouterLink, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>{{ t('town.heading') }}</h2>
    <p>{{ t('town.intro') }}</p>
    <p class="live" role="status" aria-live="polite">{{ notice() }}</p>
    <grc-error-alert [error]="error()" />
    @if (draft(); as d) {
      <form class="card" (ngSubmit)="save()" novalidate>
        <fieldset>
          <legend>{{ t('town.identity') }}</legend>
          <div class="field">
            <label for="town-code">{{ t('town.code') }}</label>
            <p class="hint" id="town-code-hint">{{ t('town.codeHint') }}</p>
            <input id="town-code" name="code" [value]="code()" readonly aria-describedby="town-code-hint" />
          </div>
          <div class="field">
            <label for="town-name">{{ t('town.name') }}</label>
            <input id="town-name" name="name" required maxlength="200" [(ngModel)]="d.name" grcField="name" [grcErrors]="error()" />
            <grc-field-error [errors]="error()" field="name" controlId="town-name" />
          </div>
          <div class="field">
            <label for="town-tz">{{ t('town.timezone') }}</label>
            <p class="hint" id="town-tz-hint">{{ t('town.timezoneHint') }}</p>
            <input id="town-tz" name="timezone" required list="town-tz-list" [(ngModel)]="d.timezone"
              grcField="timezone" [grcErrors]="error()" [grcHint]="true" />
            <datalist id="town-tz-list">
              @for (z of zones; track z) {
                <option [value]="z"></option>
              }
            </datalist>
            <grc-field-error [errors]="error()" field="timezone" controlId="town-tz" />
          </div>
          <div class="field">
            <label for="town-locale">{{ t('town.locale') }}</label>
            <select id="town-locale" name="locale" [(ngModel)]="d.locale">
              <option value="fr">Français</option>
              <option value="en">English</option>
            </select>
          </div>
          <div class="field">
            <label for="town-prefix">{{ t('town.prefix') }}</label>
            <p class="hint" id="town-prefix-hint">{{ t('town.prefixHint') }}</p>
            <input id="town-prefix" name="prefix" required maxlength="6" [(ngModel)]="d.referencePrefix"
              grcField="referencePrefix" [grcErrors]="error()" [grcHint]="true" />
            <grc-field-error [errors]="error()" field="referencePrefix" controlId="town-prefix" />
          </div>
        </fieldset>

        <fieldset>
          <legend>{{ t('town.logo') }}</legend>
          @if (logo(); as src) {
            <img class="town-logo" [src]="src" [alt]="t('town.logoAlt')" height="64" />
            <button type="button" class="btn" (click)="removeLogo()">{{ t('town.logoRemove') }}</button>
          } @else {
            <p>{{ t('town.logoNone') }}</p>
          }
          <div class="field">
            <label for="town-logo">{{ t('town.logo') }}</label>
            <p class="hint" id="town-logo-hint">{{ t('town.logoHint') }}</p>
            <input id="town-logo" name="logo" type="file" [attr.accept]="accept" (change)="pickLogo($event)"
              grcField="logo" [grcErrors]="error()" [grcHint]="true" />
            <grc-field-error [errors]="error()" field="logo" controlId="town-logo" />
          </div>
        </fieldset>

        <fieldset>
          <legend>{{ t('town.texts') }}</legend>
          <p class="hint">{{ t('town.textsHint') }}</p>
          @for (k of textKeys; track k) {
            <div class="field">
              <label [for]="'town-' + k">{{ t(textLabel[k]) }}</label>
              <textarea [id]="'town-' + k" [name]="k" rows="3" maxlength="2000" [(ngModel)]="d.publicTexts[k]"
                [grcField]="'publicTexts.' + k" [grcErrors]="error()"></textarea>
              <grc-field-error [errors]="error()" [field]="'publicTexts.' + k" [controlId]="'town-' + k" />
            </div>
          }
        </fieldset>

        <fieldset>
          <legend>{{ t('town.mail') }}</legend>
          <div class="field">
            <label for="town-sender">{{ t('town.senderAddress') }}</label>
            <p class="hint" id="town-sender-hint">{{ t('town.senderAddressHint') }}</p>
            <input id="town-sender" name="sender" type="email" maxlength="254" [(ngModel)]="d.senderAddress"
              grcField="senderAddress" [grcErrors]="error()" [grcHint]="true" />
            <grc-field-error [errors]="error()" field="senderAddress" controlId="town-sender" />
          </div>
          <div class="field">
            <label for="town-sender-name">{{ t('town.senderName') }}</label>
            <p class="hint" id="town-sender-name-hint">{{ t('town.senderNameHint') }}</p>
            <input id="town-sender-name" name="senderName" maxlength="200" [(ngModel)]="d.senderName"
              grcField="senderName" [grcErrors]="error()" [grcHint]="true" />
            <grc-field-error [errors]="error()" field="senderName" controlId="town-sender-name" />
          </div>
        </fieldset>

        <fieldset>
          <legend>{{ t('town.dpo') }}</legend>
          <p class="hint">{{ t('town.dpoHint') }}</p>
          @if (dpo(); as p) {
            <p>{{ p.name || t('town.dpoUnset') }}@if (p.email) { — {{ p.email }} }@if (p.address) { — {{ p.address }} }</p>
          }
          <a routerLink="/protection-donnees">{{ t('town.dpoEdit') }}</a>
        </fieldset>

        <button type="submit" class="btn btn-primary" [disabled]="busy()">{{ t('town.save') }}</button>
      </form>
    }
  `,
})
export class TownSettingsAdmin {
  private readonly api = inject(Api);
  protected readonly t = inject(I18n).t;
  protected readonly draft = signal<TownSettingsUpdate | null>(null);
  protected readonly code = signal('');
  protected readonly logo = signal<string | null>(null);
  protected readonly dpo = signal<TownSettingsView['dpo'] | null>(null);
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly accept = LOGO_TYPES.join(',');
  protected readonly textKeys = ['formIntro', 'trackingIntro', 'footer'] as const;
  protected readonly textLabel = { formIntro: 'town.formIntro', trackingIntro: 'town.trackingIntro', footer: 'town.footer' } as const;
  protected readonly zones = FRENCH_TIME_ZONES;

  constructor() {
    this.api.get<TownSettingsView>('/town-settings').subscribe({
      next: (s) => this.show(s),
      error: (err: unknown) => this.error.set(toUiError(err)),
    });
  }

  protected pickLogo(event: Event): void {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const d = this.draft();
    if (!d) return;
    if (!(LOGO_TYPES as readonly string[]).includes(file.type)) return this.notice.set(this.t('town.logoType'));
    if (file.size > LOGO_MAX_BYTES) return this.notice.set(this.t('town.logoTooLarge'));
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      this.draft.set({ ...d, logo: url });
      this.logo.set(url);
    };
    reader.readAsDataURL(file);
  }

  protected removeLogo(): void {
    const d = this.draft();
    if (!d) return;
    this.draft.set({ ...d, logo: null });
    this.logo.set(null);
  }

  protected save(): void {
    const d = this.draft();
    if (!d) return;
    this.busy.set(true);
    this.error.set(null);
    const blank = (s: string | null) => (s === null || s.trim() === '' ? null : s.trim());
    this.api
      .put<TownSettingsView>('/town-settings', { ...d, senderAddress: blank(d.senderAddress), senderName: blank(d.senderName) })
      .subscribe({
        next: (s) => {
          this.busy.set(false);
          this.show(s);
          this.notice.set(this.t('admin.saved'));
        },
        error: (err: unknown) => {
          this.busy.set(false);
          this.error.set(toUiError(err));
        },
      });
  }

  private show(s: TownSettingsView): void {
    const { code, logo, dpo, ...rest } = s;
    this.code.set(code);
    this.logo.set(logo);
    this.dpo.set(dpo);
    // the logo is sent only when changed (absent: kept)
    this.draft.set({ ...rest, publicTexts: { ...rest.publicTexts } });
  }
}
