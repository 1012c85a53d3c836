import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, signal, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  choiceLabel,
  fieldLabel,
  type AddressSuggestion,
  type PublicAttribute,
  type PublicCategory,
  type PublicForm,
  type PublicRequestCreated,
} from '@grc/domain';
import { catchError, map, of } from 'rxjs';
import { I18n } from '../../core/i18n';
import { PublicApi, publicErrors, sizeLabel } from './public-api';
import { PublicLayout } from './public-layout';
import { AddressField } from '../../shared/places/address-field';
import { PlaceMap } from '../../shared/places/place-map';
import { PlacesApi, formatDistance } from '../../shared/places/places-api';
import { sortByText } from '../../shared/collate';

type LoadState = { form: PublicForm | null; failed: boolean };
const DECIMAL = /^-?\d+(?:[.,]\d+)?$/;

/**
 * The public request form: category first, then its own fields, description, place (address; position
 * optional — device location or typed coordinates, no map needed), attachments, contact details.
 * Works by keyboard and screen reader: labels, hints and errors tied to the controls, an error summary
 * linking to the fields, focus moved to the summary or to the confirmation.
 */
@Component({
  selector: 'grc-public-request',
  imports: [FormsModule, RouterLink, PublicLayout, AddressField, PlaceMap],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <grc-public-layout>
      @if (success(); as done) {
        <section class="card" aria-labelledby="pub-success-h" data-testid="public-success">
          <h1 id="pub-success-h" #successHeading tabindex="-1">{{ t('pub.success.heading') }}</h1>
          <p>{{ t('pub.success.reference') }} <strong class="ref-box" data-testid="public-reference">{{ done.reference }}</strong></p>
          <p>{{ t('pub.success.keep') }}</p>
          <p><a class="btn btn-primary" data-testid="public-tracking-link" [routerLink]="'/suivi'" [queryParams]="{ ref: done.reference, k: done.key }">{{ t('pub.success.link') }}</a></p>
          <div class="field">
            <label for="pub-link">{{ t('pub.success.linkLabel') }}</label>
            <input id="pub-link" type="text" readonly [value]="absoluteLink()" (focus)="select($event)" />
          </div>
          <div class="actions">
            <button type="button" class="btn btn-secondary" (click)="copy()">{{ t('pub.success.copy') }}</button>
            <button type="button" class="btn btn-secondary" (click)="restart()">{{ t('pub.success.another') }}</button>
          </div>
          <p class="live" role="status">{{ copied() ? t('pub.success.copied') : '' }}</p>
        </section>
      } @else {
        <h1>{{ t('pub.form.heading') }}</h1>
        <p>{{ t('pub.form.intro') }}</p>
        @if (townIntro(); as intro) {
          <p class="pre">{{ intro }}</p>
        }
        @if (state().failed) {
          <p class="alert alert-error" role="alert">{{ t('pub.loadError') }}</p>
        } @else if (!state().form) {
          <p role="status">{{ t('pub.loading') }}</p>
        } @else {
          <p>{{ t('pub.required') }}</p>
          <div role="alert" class="alert-region">
            @if (errorCount() > 0 || general()) {
              <div class="alert alert-error error-summary" #summary tabindex="-1" data-testid="public-errors">
                @if (general()) { <p>{{ general() }}</p> }
                @if (errorCount() > 0) {
                  <p class="alert-title">{{ t('pub.errorsTitle', { count: errorCount() }) }}</p>
                  <ul>
                    @for (e of errorList(); track e.field) { <li><a [href]="'#' + e.id" (click)="focusField($event, e.id)">{{ e.message }}</a></li> }
                  </ul>
                }
              </div>
            }
          </div>
          <form (ngSubmit)="submit()" novalidate data-testid="public-form">
            <fieldset>
              <legend>{{ t('pub.step.category') }}</legend>
              <div class="field">
                <label for="pub-category">{{ t('pub.category') }} <span class="req" aria-hidden="true">*</span><span class="sr-only">{{ t('pub.requiredMark') }}</span></label>
                <select id="pub-category" name="categoryId" required data-testid="public-category" [ngModel]="categoryId()" (ngModelChange)="pickCategory($event)"
                  [attr.aria-invalid]="err('categoryId') ? 'true' : null" [attr.aria-describedby]="err('categoryId') ? 'pub-category-error' : null">
                  <option value="">{{ t('pub.categoryPlaceholder') }}</option>
                  @for (c of categories(); track c.id) { <option [value]="c.id">{{ i18n.categoryName(c) }}</option> }
                </select>
                @if (err('categoryId'); as m) { <p class="field-error" id="pub-category-error">{{ m }}</p> }
              </div>
            </fieldset>

            <fieldset>
              <legend>{{ t('pub.step.details') }}</legend>
              @if (category(); as cat) {
                @if (cat.attributes.length) {
                  <fieldset data-testid="public-attributes">
                    <legend>{{ t('pub.categoryFields', { name: i18n.categoryName(cat) }) }}</legend>
                    @for (a of cat.attributes; track a.code) {
                      @if (a.datatype === 'multivaluelist') {
                        <fieldset [attr.aria-describedby]="err('attributes.' + a.code) ? attrId(a) + '-error' : null">
                          <legend [attr.lang]="labelLang(a)">{{ label(a) }} @if (a.required) { <span class="req" aria-hidden="true">*</span><span class="sr-only">{{ t('pub.requiredMark') }}</span> }</legend>
                          @for (v of a.values; track v.key; let i = $index) {
                            <div class="check">
                              <input type="checkbox" [id]="attrId(a) + '-' + i" [checked]="isChecked(a, v.key)" (change)="toggle(a, v.key, $event)" />
                              <label [for]="attrId(a) + '-' + i" [attr.lang]="v.nameEn ? null : frOnly()">{{ choice(a, v.key) }}</label>
                            </div>
                          }
                          @if (err('attributes.' + a.code); as m) { <p class="field-error" [id]="attrId(a) + '-error'">{{ m }}</p> }
                        </fieldset>
                      } @else {
                        <div class="field">
                          <label [for]="attrId(a)" [attr.lang]="labelLang(a)">{{ label(a) }} @if (a.required) { <span class="req" aria-hidden="true">*</span><span class="sr-only">{{ t('pub.requiredMark') }}</span> }</label>
                          @if (a.datatypeDescription) { <p class="hint" [id]="attrId(a) + '-hint'" [attr.lang]="frOnly()">{{ a.datatypeDescription }}</p> }
                          @switch (a.datatype) {
                            @case ('singlevaluelist') {
                              <select [id]="attrId(a)" [name]="attrId(a)" [ngModel]="attr(a)" (ngModelChange)="setAttr(a, $event)" [attr.aria-required]="a.required"
                                [attr.aria-invalid]="err('attributes.' + a.code) ? 'true' : null" [attr.aria-describedby]="describedBy(attrId(a), 'attributes.' + a.code, !!a.datatypeDescription)">
                                <option value="">{{ t('pub.choose') }}</option>
                                @for (v of a.values; track v.key) { <option [value]="v.key" [attr.lang]="v.nameEn ? null : frOnly()">{{ choice(a, v.key) }}</option> }
                              </select>
                            }
                            @case ('text') {
                              <textarea [id]="attrId(a)" [name]="attrId(a)" rows="3" [ngModel]="attr(a)" (ngModelChange)="setAttr(a, $event)" [attr.aria-required]="a.required"
                                [attr.aria-invalid]="err('attributes.' + a.code) ? 'true' : null" [attr.aria-describedby]="describedBy(attrId(a), 'attributes.' + a.code, !!a.datatypeDescription)"></textarea>
                            }
                            @default {
                              <input [id]="attrId(a)" [name]="attrId(a)" [type]="a.datatype === 'datetime' ? 'date' : 'text'" [attr.inputmode]="a.datatype === 'number' ? 'decimal' : null"
                                [ngModel]="attr(a)" (ngModelChange)="setAttr(a, $event)" [attr.aria-required]="a.required"
                                [attr.aria-invalid]="err('attributes.' + a.code) ? 'true' : null" [attr.aria-describedby]="describedBy(attrId(a), 'attributes.' + a.code, !!a.datatypeDescription)" />
                            }
                          }
                          @if (err('attributes.' + a.code); as m) { <p class="field-error" [id]="attrId(a) + '-error'">{{ m }}</p> }
                        </div>
                      }
                    }
                  </fieldset>
                }
              }
              <div class="field">
                <label for="pub-description">{{ t('pub.description') }} <span class="req" aria-hidden="true">*</span><span class="sr-only">{{ t('pub.requiredMark') }}</span></label>
                <p class="hint" id="pub-description-hint">{{ t('pub.descriptionHint', { max: limits().descriptionMax }) }}</p>
                <textarea id="pub-description" name="description" rows="6" required data-testid="public-description" [maxlength]="limits().descriptionMax"
                  [(ngModel)]="description" [attr.aria-invalid]="err('description') ? 'true' : null" [attr.aria-describedby]="describedBy('pub-description', 'description', true)"></textarea>
                @if (err('description'); as m) { <p class="field-error" id="pub-description-error">{{ m }}</p> }
              </div>
            </fieldset>

            <fieldset>
              <legend>{{ t('pub.step.where') }}</legend>
              <div class="field">
                <grc-address-field
                  side="public"
                  inputId="pub-address"
                  testId="public-address"
                  [label]="t('pub.address') + ' ' + t('pub.optional')"
                  [hint]="t('pub.addressHint')"
                  [(value)]="address"
                  [invalid]="!!err('address')"
                  [describedByExtra]="err('address') ? 'pub-address-error' : null"
                  (picked)="pickAddress($event)"
                />
                @if (err('address'); as m) { <p class="field-error" id="pub-address-error">{{ m }}</p> }
              </div>
              <fieldset>
                <legend>{{ t('pub.position') }}</legend>
                <p class="hint" id="pub-position-hint">{{ t('pub.positionHint') }}</p>
                <div class="actions">
                  <button type="button" class="btn btn-secondary" (click)="locate()" [disabled]="locating()">{{ t('pub.useMyPosition') }}</button>
                  @if (latitude() || longitude()) { <button type="button" class="btn btn-secondary" (click)="clearPosition()">{{ t('pub.clearPosition') }}</button> }
                </div>
                <p class="live" role="status" aria-live="polite">{{ locateMessage() }}</p>
                <grc-place-map
                  [settings]="mapSettings()"
                  [label]="t('places.map.placeLabel')"
                  [editable]="true"
                  [point]="point()"
                  (placed)="placeOnMap($event)"
                />
                <p class="muted" aria-live="polite">{{ reverseStatus() }}</p>
                <div class="coords">
                  <div class="field">
                    <label for="pub-lat">{{ t('pub.latitude') }}</label>
                    <p class="hint" id="pub-lat-hint">{{ t('pub.coordHint', { example: '47.3941' }) }}</p>
                    <input id="pub-lat" name="latitude" type="text" inputmode="decimal" autocomplete="off" [(ngModel)]="latitude"
                      [attr.aria-invalid]="err('latitude') ? 'true' : null" [attr.aria-describedby]="describedBy('pub-lat', 'latitude', true)" />
                    @if (err('latitude'); as m) { <p class="field-error" id="pub-lat-error">{{ m }}</p> }
                  </div>
                  <div class="field">
                    <label for="pub-lng">{{ t('pub.longitude') }}</label>
                    <p class="hint" id="pub-lng-hint">{{ t('pub.coordHint', { example: '0.6848' }) }}</p>
                    <input id="pub-lng" name="longitude" type="text" inputmode="decimal" autocomplete="off" [(ngModel)]="longitude"
                      [attr.aria-invalid]="err('longitude') ? 'true' : null" [attr.aria-describedby]="describedBy('pub-lng', 'longitude', true)" />
                    @if (err('longitude'); as m) { <p class="field-error" id="pub-lng-error">{{ m }}</p> }
                  </div>
                </div>
              </fieldset>
            </fieldset>

            <fieldset>
              <legend>{{ t('pub.step.files') }}</legend>
              <div class="field">
                <label for="pub-files">{{ t('pub.files') }}</label>
                <p class="hint" id="pub-files-hint">{{ t('pub.filesHint', { max: limits().maxFiles, size: maxSize() }) }}</p>
                <input id="pub-files" name="files" type="file" multiple data-testid="public-files" [attr.accept]="limits().accept.join(',')" (change)="addFiles($event)"
                  [attr.aria-invalid]="err('files') ? 'true' : null" [attr.aria-describedby]="describedBy('pub-files', 'files', true)" />
                @if (err('files'); as m) { <p class="field-error" id="pub-files-error" data-testid="public-files-error">{{ m }}</p> }
                @if (files().length) {
                  <ul class="file-list" [attr.aria-label]="t('pub.selectedFiles')">
                    @for (f of files(); track $index) {
                      <li><span>{{ f.name }} ({{ i18n.fileSize(f.size) }})</span>
                        <button type="button" class="btn btn-secondary btn-small" (click)="removeFile($index)">{{ t('pub.fileRemove', { name: f.name }) }}</button></li>
                    }
                  </ul>
                }
              </div>
            </fieldset>

            <fieldset [attr.aria-describedby]="'pub-contact-hint' + (err('contact') ? ' pub-contact-error' : '')">
              <legend>{{ t('pub.step.contact') }}</legend>
              <p class="hint" id="pub-contact-hint">{{ t('pub.contactHint') }}</p>
              <p class="hint">{{ t('privacy.formPointer') }}</p>
              @if (err('contact'); as m) { <p class="field-error" id="pub-contact-error">{{ m }}</p> }
              <div class="field">
                <label for="pub-firstName">{{ t('pub.firstName') }} <span>{{ t('pub.optional') }}</span></label>
                <input id="pub-firstName" name="firstName" type="text" autocomplete="given-name" maxlength="200" [(ngModel)]="firstName"
                  [attr.aria-invalid]="err('firstName') ? 'true' : null" [attr.aria-describedby]="describedBy('pub-firstName', 'firstName', false)" />
                @if (err('firstName'); as m) { <p class="field-error" id="pub-firstName-error">{{ m }}</p> }
              </div>
              <div class="field">
                <label for="pub-lastName">{{ t('pub.lastName') }} <span class="req" aria-hidden="true">*</span><span class="sr-only">{{ t('pub.requiredMark') }}</span></label>
                <input id="pub-lastName" name="lastName" type="text" autocomplete="family-name" required maxlength="200" data-testid="public-lastname" [(ngModel)]="lastName"
                  [attr.aria-invalid]="err('lastName') ? 'true' : null" [attr.aria-describedby]="describedBy('pub-lastName', 'lastName', false)" />
                @if (err('lastName'); as m) { <p class="field-error" id="pub-lastName-error">{{ m }}</p> }
              </div>
              <div class="field">
                <label for="pub-email">{{ t('pub.email') }}</label>
                <p class="hint" id="pub-email-hint">{{ t('pub.emailHint') }}</p>
                <input id="pub-email" name="email" type="email" autocomplete="email" maxlength="254" data-testid="public-email" [(ngModel)]="email"
                  [attr.aria-invalid]="err('email') || err('contact') ? 'true' : null" [attr.aria-describedby]="describedBy('pub-email', 'email', true)" />
                @if (err('email'); as m) { <p class="field-error" id="pub-email-error">{{ m }}</p> }
              </div>
              <div class="field">
                <label for="pub-phone">{{ t('pub.phone') }}</label>
                <p class="hint" id="pub-phone-hint">{{ t('pub.phoneHint') }}</p>
                <input id="pub-phone" name="phone" type="tel" autocomplete="tel" maxlength="40" [(ngModel)]="phone"
                  [attr.aria-invalid]="err('phone') || err('contact') ? 'true' : null" [attr.aria-describedby]="describedBy('pub-phone', 'phone', true)" />
                @if (err('phone'); as m) { <p class="field-error" id="pub-phone-error">{{ m }}</p> }
              </div>
            </fieldset>

            <div class="honeypot" aria-hidden="true">
              <label for="pub-website">{{ t('pub.honeypot') }}</label>
              <input id="pub-website" name="website" type="text" tabindex="-1" autocomplete="off" [(ngModel)]="website" />
            </div>

            <button type="submit" class="btn btn-primary" data-testid="public-submit" [disabled]="busy()">{{ busy() ? t('pub.submitting') : t('pub.submit') }}</button>
          </form>
        }
      }
    </grc-public-layout>
  `,
})
export class PublicRequestPage {
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  private readonly api = inject(PublicApi);
  /** the town's own introduction (Administration › Commune), under the standard one */
  protected readonly townIntro = toSignal(
    this.api.town().pipe(
      map((t) => t.texts.formIntro || null),
      catchError(() => of(null)),
    ),
    {
      initialValue: null,
    },
  );
  protected readonly state = toSignal(
    this.api.form().pipe(
      map((form): LoadState => ({ form, failed: false })),
      catchError(() => of<LoadState>({ form: null, failed: true })),
    ),
    { initialValue: { form: null, failed: false } as LoadState },
  );
  protected readonly categories = computed(() =>
    sortByText(this.state().form?.categories ?? [], (c) => this.i18n.categoryName(c), this.i18n.lang()),
  );
  protected readonly limits = computed(
    () => this.state().form?.limits ?? { maxFiles: 5, maxFileBytes: 10 * 1048576, accept: [], descriptionMax: 4000, messageMax: 20000 },
  );
  protected readonly maxSize = computed(() => sizeLabel(this.limits().maxFileBytes, this.i18n.lang()));

  protected readonly categoryId = signal('');
  protected readonly category = computed<PublicCategory | null>(
    () => this.state().form?.categories.find((c) => c.id === this.categoryId()) ?? null,
  );
  protected readonly attributes = signal<Record<string, string | string[]>>({});
  protected readonly description = signal('');
  protected readonly address = signal('');
  protected readonly latitude = signal('');
  protected readonly longitude = signal('');
  // the BAN address field and the map (when the town configured tiles); "use my position" stays optional
  private readonly places = inject(PlacesApi);
  protected readonly mapSettings = toSignal(this.places.mapSettings('public'), { initialValue: null });
  protected readonly point = computed(() => {
    const lat = Number(this.latitude().replace(',', '.')),
      lng = Number(this.longitude().replace(',', '.'));
    return this.latitude().trim() && this.longitude().trim() && Number.isFinite(lat) && Number.isFinite(lng) ? { lat, lng } : null;
  });
  protected readonly reverseStatus = signal('');

  protected pickAddress(s: AddressSuggestion): void {
    this.latitude.set(String(s.lat));
    this.longitude.set(String(s.lng));
    this.reverseStatus.set('');
  }

  protected placeOnMap(p: { lat: number; lng: number }): void {
    this.latitude.set(String(p.lat));
    this.longitude.set(String(p.lng));
    this.places.reverse('public', p.lat, p.lng).subscribe((r) => {
      if (r && !this.address().trim()) this.address.set(r.label);
      this.reverseStatus.set(
        r
          ? this.t('places.reverseFound', { label: r.label, distance: formatDistance(r.distanceMetres ?? 0, this.i18n.lang()) })
          : this.t('places.reverseNone'),
      );
    });
  }
  protected readonly files = signal<File[]>([]);
  protected readonly firstName = signal('');
  protected readonly lastName = signal('');
  protected readonly email = signal('');
  protected readonly phone = signal('');
  protected readonly website = signal('');

  protected readonly busy = signal(false);
  protected readonly locating = signal(false);
  protected readonly locateMessage = signal('');
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly general = signal<string | null>(null);
  protected readonly success = signal<PublicRequestCreated | null>(null);
  protected readonly copied = signal(false);
  protected readonly absoluteLink = computed(() => {
    const s = this.success();
    return s ? `${location.origin}${s.trackingPath}` : '';
  });
  private readonly summary = viewChild<ElementRef<HTMLElement>>('summary');
  private readonly successHeading = viewChild<ElementRef<HTMLElement>>('successHeading');

  private readonly order = [
    'categoryId',
    'attributes',
    'description',
    'address',
    'latitude',
    'longitude',
    'files',
    'contact',
    'firstName',
    'lastName',
    'email',
    'phone',
  ];
  protected readonly errorList = computed(() =>
    Object.entries(this.errors())
      .filter(([f]) => f !== 'general')
      .map(([field, message]) => ({ field, message, id: this.idOf(field) }))
      .sort((a, b) => this.rank(a.field) - this.rank(b.field)),
  );
  protected readonly errorCount = computed(() => this.errorList().length);

  /** Category data is the town's, in French: marked as such when the page is in English. */
  protected frOnly(): string | null {
    return this.i18n.lang() === 'fr' ? null : 'fr';
  }

  protected err(field: string): string | null {
    return this.errors()[field] ?? null;
  }

  /** A field's label in the page's language (the town's French when it has no English one). */
  protected label(a: PublicAttribute): string {
    return fieldLabel(a, this.i18n.lang());
  }
  protected labelLang(a: PublicAttribute): string | null {
    return a.descriptionEn ? null : this.frOnly();
  }
  protected choice(a: PublicAttribute, key: string): string {
    return choiceLabel(a, key, this.i18n.lang());
  }

  protected describedBy(id: string, field: string, hint: boolean): string | null {
    const ids = [hint ? `${id}-hint` : null, this.err(field) ? `${id}-error` : null].filter(Boolean);
    return ids.length ? ids.join(' ') : null;
  }

  protected attrId(a: PublicAttribute): string {
    return `pub-attr-${a.code}`;
  }
  protected attr(a: PublicAttribute): string {
    const v = this.attributes()[a.code];
    return typeof v === 'string' ? v : '';
  }
  protected setAttr(a: PublicAttribute, value: string): void {
    this.attributes.update((all) => ({ ...all, [a.code]: value }));
  }
  protected isChecked(a: PublicAttribute, key: string): boolean {
    const v = this.attributes()[a.code];
    return Array.isArray(v) && v.includes(key);
  }
  protected toggle(a: PublicAttribute, key: string, event: Event): void {
    const on = (event.target as HTMLInputElement).checked;
    this.attributes.update((all) => {
      const current = Array.isArray(all[a.code]) ? (all[a.code] as string[]) : [];
      return { ...all, [a.code]: on ? [...new Set([...current, key])] : current.filter((k) => k !== key) };
    });
  }

  protected pickCategory(id: string): void {
    this.categoryId.set(id);
    this.attributes.set({});
  }

  protected locate(): void {
    if (!('geolocation' in navigator)) {
      this.locateMessage.set(this.t('pub.locateUnsupported'));
      return;
    }
    this.locating.set(true);
    this.locateMessage.set(this.t('pub.locating'));
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        this.locating.set(false);
        const lat = pos.coords.latitude.toFixed(6);
        const lng = pos.coords.longitude.toFixed(6);
        this.locateMessage.set(this.t('pub.located', { lat, lng, acc: Math.round(pos.coords.accuracy) }));
        // as a pin dropped there: the point on the map, the coordinates, and the nearest address offered
        this.placeOnMap({ lat: Number(lat), lng: Number(lng) });
      },
      () => {
        this.locating.set(false);
        this.locateMessage.set(this.t('pub.locateFailed'));
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  }

  protected clearPosition(): void {
    this.latitude.set('');
    this.longitude.set('');
    this.locateMessage.set('');
  }

  protected addFiles(event: Event): void {
    const input = event.target as HTMLInputElement;
    const picked = Array.from(input.files ?? []);
    input.value = '';
    this.files.update((list) => [...list, ...picked]);
    const e = this.fileErrors();
    this.errors.update((all) => {
      const rest = { ...all };
      delete rest['files'];
      return e ? { ...rest, files: e } : rest;
    });
  }

  protected removeFile(index: number): void {
    this.files.update((list) => list.filter((_, i) => i !== index));
    if (!this.fileErrors()) {
      this.errors.update((all) => {
        const rest = { ...all };
        delete rest['files'];
        return rest;
      });
    }
  }

  /** The server's rules, checked before sending: count, size, declared type or extension. */
  private fileErrors(): string | null {
    const { maxFiles, maxFileBytes, accept } = this.limits();
    const messages: string[] = [];
    if (this.files().length > maxFiles) messages.push(this.t('pub.err.file.too_many', { max: maxFiles }));
    for (const f of this.files()) {
      const ext = `.${f.name.toLowerCase().split('.').pop() ?? ''}`;
      if (f.size > maxFileBytes) messages.push(this.t('pub.err.file.too_large', { name: f.name, size: this.maxSize() }));
      else if (f.size === 0) messages.push(this.t('pub.err.file.empty', { name: f.name }));
      else if (accept.length && !(accept.includes(f.type) && accept.includes(ext)))
        messages.push(this.t('pub.err.file.type', { name: f.name }));
    }
    return messages.length ? messages.join(' ') : null;
  }

  private validate(): Record<string, string> {
    const e: Record<string, string> = {};
    const required = this.t('pub.err.required');
    if (!this.categoryId()) e['categoryId'] = required;
    for (const a of this.category()?.attributes ?? []) {
      const v = this.attributes()[a.code];
      const empty = v === undefined || (Array.isArray(v) ? v.length === 0 : v.trim() === '');
      if (a.required && empty) e[`attributes.${a.code}`] = required;
      else if (!empty && a.datatype === 'number' && typeof v === 'string' && !DECIMAL.test(v.trim()))
        e[`attributes.${a.code}`] = this.t('pub.err.invalid');
    }
    if (!this.description().trim()) e['description'] = required;
    const lat = this.latitude().trim();
    const lng = this.longitude().trim();
    if (lat || lng) {
      const a = DECIMAL.test(lat) ? Number(lat.replace(',', '.')) : NaN;
      const b = DECIMAL.test(lng) ? Number(lng.replace(',', '.')) : NaN;
      if (!(a >= -90 && a <= 90)) e['latitude'] = lat ? this.t('pub.err.invalid') : required;
      if (!(b >= -180 && b <= 180)) e['longitude'] = lng ? this.t('pub.err.invalid') : required;
    }
    const files = this.fileErrors();
    if (files) e['files'] = files;
    if (!this.lastName().trim()) e['lastName'] = required;
    if (!this.email().trim() && !this.phone().trim()) e['contact'] = this.t('pub.err.contact');
    return e;
  }

  protected submit(): void {
    if (this.busy()) return;
    this.general.set(null);
    const local = this.validate();
    this.errors.set(local);
    if (Object.keys(local).length) {
      this.focusSummary();
      return;
    }
    const body = new FormData();
    const fields: Record<string, string> = {
      categoryId: this.categoryId(),
      description: this.description(),
      address: this.address(),
      latitude: this.latitude().trim().replace(',', '.'),
      longitude: this.longitude().trim().replace(',', '.'),
      attributes: JSON.stringify(this.attributes()),
      firstName: this.firstName(),
      lastName: this.lastName(),
      email: this.email(),
      phone: this.phone(),
      website: this.website(),
      // the town writes back (acknowledgement, progress) in the language the citizen used here
      locale: this.i18n.lang() === 'en' ? 'en' : 'fr',
    };
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    for (const f of this.files()) body.append('files', f, f.name);
    this.busy.set(true);
    this.api.create(body).subscribe({
      next: (created) => {
        this.busy.set(false);
        this.success.set(created);
        setTimeout(() => this.successHeading()?.nativeElement.focus());
      },
      error: (err: unknown) => {
        this.busy.set(false);
        const { maxFileBytes, maxFiles } = this.limits();
        const e = publicErrors(err, this.t, this.i18n.lang(), maxFileBytes, maxFiles);
        this.errors.set(e.fields);
        this.general.set(e.general);
        this.focusSummary();
      },
    });
  }

  protected restart(): void {
    this.success.set(null);
    this.copied.set(false);
    this.categoryId.set('');
    this.attributes.set({});
    for (const s of [this.description, this.address, this.latitude, this.longitude, this.website]) s.set('');
    this.files.set([]);
    this.errors.set({});
  }

  protected copy(): void {
    void navigator.clipboard?.writeText(this.absoluteLink()).then(
      () => this.copied.set(true),
      () => this.copied.set(false),
    );
  }

  protected select(event: FocusEvent): void {
    (event.target as HTMLInputElement).select();
  }

  protected focusField(event: Event, id: string): void {
    const el = document.getElementById(id);
    if (!el) return;
    event.preventDefault();
    el.focus();
  }

  private focusSummary(): void {
    setTimeout(() => this.summary()?.nativeElement.focus());
  }

  private idOf(field: string): string {
    if (field.startsWith('attributes.')) return `pub-attr-${field.slice('attributes.'.length)}`;
    const ids: Record<string, string> = {
      categoryId: 'pub-category',
      description: 'pub-description',
      address: 'pub-address',
      latitude: 'pub-lat',
      longitude: 'pub-lng',
      files: 'pub-files',
      contact: 'pub-email',
      firstName: 'pub-firstName',
      lastName: 'pub-lastName',
      email: 'pub-email',
      phone: 'pub-phone',
    };
    return ids[field] ?? 'pub-category';
  }

  private rank(field: string): number {
    const i = this.order.indexOf(field.startsWith('attributes.') ? 'attributes' : field);
    return i === -1 ? 99 : i;
  }
}
