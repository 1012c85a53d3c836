import { ChangeDetectionStrategy, Component, computed, inject, input, model } from '@angular/core';
import { choiceLabel, fieldLabel, sortFields, type CategoryField, type FieldValue } from '@grc/domain';
import { I18n } from '../core/i18n';
import { fieldMessage, type UiError } from '../core/problem';
import { FORM_ERRORS } from './form-errors';

/** What a form holds for a category's fields: a text per field, the keys of a multiple choice. */
export type FieldDraft = Record<string, string | string[]>;

/** The stored values as the form's drafts (a number written out, a date as YYYY-MM-DD for the date input). */
export function draftOf(defs: readonly CategoryField[], stored: Readonly<Record<string, unknown>>): FieldDraft {
  const out: FieldDraft = {};
  for (const d of defs) {
    const v = stored[d.code];
    if (v === undefined || v === null) out[d.code] = d.datatype === 'multivaluelist' ? [] : '';
    else if (Array.isArray(v)) out[d.code] = v.map(String);
    else if (d.datatype === 'datetime' && typeof v === 'string') out[d.code] = v.slice(0, 10);
    else out[d.code] = String(v);
  }
  return out;
}

/** The drafts to send: every asked field (empty ones as "", so an edit removes them); the API checks them (libs/domain). */
export function draftBody(defs: readonly CategoryField[], draft: FieldDraft): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const d of defs) if (d.variable) out[d.code] = draft[d.code] ?? (d.datatype === 'multivaluelist' ? [] : '');
  return out;
}

/** Only the drafts that differ from the stored values (the ticket page sends what the agent changed). */
export function changedBody(defs: readonly CategoryField[], draft: FieldDraft, stored: Readonly<Record<string, unknown>>) {
  const before = draftOf(defs, stored);
  const all = draftBody(defs, draft);
  return Object.fromEntries(Object.entries(all).filter(([code, v]) => JSON.stringify(v) !== JSON.stringify(before[code])));
}

/**
 * The inputs of a category's own fields (agent's new ticket, ticket page): a labelled control per field
 * in its order, its help text and its error (`attributes.<code>`) tied by aria-describedby; a multiple
 * choice is a fieldset of checkboxes. Informational fields are shown as text.
 */
@Component({
  selector: 'grc-category-field-inputs',
  imports: [...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @for (f of sorted(); track f.code) {
      @let id = idPrefix() + '-' + f.code;
      @let key = 'attributes.' + f.code;
      @if (!f.variable) {
        <p class="hint" [attr.data-testid]="'field-info-' + f.code">{{ label(f) }}</p>
      } @else if (f.datatype === 'multivaluelist') {
        <fieldset class="field" [attr.aria-describedby]="describedBy(f, id)" [attr.data-testid]="'field-' + f.code">
          <legend>{{ label(f) }} @if (f.required) { {{ i18n.t('common.required') }} }</legend>
          @if (f.datatypeDescription) { <p class="hint" [id]="id + '-hint'">{{ f.datatypeDescription }}</p> }
          @for (c of f.values; track c.key) {
            <div class="check">
              <input type="checkbox" [id]="id + '-' + c.key" [checked]="checked(f, c.key)" (change)="toggle(f, c.key, $event)" />
              <label [for]="id + '-' + c.key">{{ choice(f, c.key) }}</label>
            </div>
          }
          <grc-field-error [errors]="errors()" [field]="key" [controlId]="id" />
        </fieldset>
      } @else {
        <div class="field">
          <label [for]="id">{{ label(f) }} @if (f.required) { {{ i18n.t('common.required') }} }</label>
          @if (f.datatypeDescription || rangeHint(f)) {
            <p class="hint" [id]="id + '-hint'">{{ f.datatypeDescription }} {{ rangeHint(f) }}</p>
          }
          @switch (f.datatype) {
            @case ('singlevaluelist') {
              <select [id]="id" [attr.data-testid]="'field-' + f.code" [required]="f.required" [value]="text(f)" (change)="set(f, $event)"
                [attr.aria-invalid]="err(f) ? 'true' : null" [attr.aria-describedby]="describedBy(f, id)">
                <option value="">—</option>
                @for (c of f.values; track c.key) { <option [value]="c.key" [selected]="text(f) === c.key">{{ choice(f, c.key) }}</option> }
              </select>
            }
            @case ('text') {
              <textarea [id]="id" rows="3" class="wide" [attr.data-testid]="'field-' + f.code" [required]="f.required" [value]="text(f)"
                (input)="set(f, $event)" [attr.aria-invalid]="err(f) ? 'true' : null" [attr.aria-describedby]="describedBy(f, id)"></textarea>
            }
            @case ('datetime') {
              <input type="date" [id]="id" [attr.data-testid]="'field-' + f.code" [required]="f.required" [value]="text(f)"
                (input)="set(f, $event)" [attr.aria-invalid]="err(f) ? 'true' : null" [attr.aria-describedby]="describedBy(f, id)" />
            }
            @case ('number') {
              <input type="text" inputmode="decimal" [id]="id" [attr.data-testid]="'field-' + f.code" [required]="f.required" [value]="text(f)"
                (input)="set(f, $event)" [attr.aria-invalid]="err(f) ? 'true' : null" [attr.aria-describedby]="describedBy(f, id)" />
            }
            @default {
              <input type="text" [id]="id" maxlength="1000" [attr.data-testid]="'field-' + f.code" [required]="f.required" [value]="text(f)"
                (input)="set(f, $event)" [attr.aria-invalid]="err(f) ? 'true' : null" [attr.aria-describedby]="describedBy(f, id)" />
            }
          }
          <grc-field-error [errors]="errors()" [field]="key" [controlId]="id" />
        </div>
      }
    }
  `,
})
export class CategoryFieldInputs {
  protected readonly i18n = inject(I18n);
  readonly fields = input.required<readonly CategoryField[]>();
  readonly values = model<FieldDraft>({});
  readonly errors = input<UiError | null>(null);
  readonly idPrefix = input('attr');
  protected readonly sorted = computed(() => sortFields(this.fields()));

  protected label(f: CategoryField): string {
    return fieldLabel(f, this.i18n.lang());
  }
  protected choice(f: CategoryField, key: string): string {
    return choiceLabel(f, key, this.i18n.lang());
  }
  protected rangeHint(f: CategoryField): string {
    if (f.datatype !== 'number' || (f.min === null && f.max === null)) return '';
    if (f.min !== null && f.max !== null) return this.i18n.t('fields.rangeBetween', { min: f.min, max: f.max });
    return f.min !== null ? this.i18n.t('fields.rangeMin', { min: f.min }) : this.i18n.t('fields.rangeMax', { max: f.max ?? 0 });
  }
  protected hasHint(f: CategoryField): boolean {
    return !!f.datatypeDescription || !!this.rangeHint(f);
  }
  protected err(f: CategoryField): string | null {
    return fieldMessage(this.errors(), `attributes.${f.code}`);
  }
  protected describedBy(f: CategoryField, id: string): string | null {
    const ids = [this.hasHint(f) ? `${id}-hint` : null, this.err(f) ? `${id}-error` : null].filter(Boolean);
    return ids.length ? ids.join(' ') : null;
  }
  protected text(f: CategoryField): string {
    const v = this.values()[f.code];
    return typeof v === 'string' ? v : '';
  }
  protected checked(f: CategoryField, key: string): boolean {
    const v = this.values()[f.code];
    return Array.isArray(v) && v.includes(key);
  }
  protected set(f: CategoryField, e: Event): void {
    const value = (e.target as HTMLInputElement).value;
    this.values.update((all) => ({ ...all, [f.code]: value }));
  }
  protected toggle(f: CategoryField, key: string, e: Event): void {
    const on = (e.target as HTMLInputElement).checked;
    this.values.update((all) => {
      const now = Array.isArray(all[f.code]) ? (all[f.code] as string[]) : [];
      const next = on ? [...now.filter((k) => k !== key), key] : now.filter((k) => k !== key);
      // in the definition's order
      return { ...all, [f.code]: f.values.map((c) => c.key).filter((k) => next.includes(k)) };
    });
  }
}

/** The values of a category's fields as a description list (ticket page): labels and choices in the agent's language. */
@Component({
  selector: 'grc-category-field-values',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <dl class="meta" data-testid="field-values">
      @for (f of shown(); track f.code) {
        <div>
          <dt>{{ label(f) }}</dt>
          <dd [attr.data-testid]="'field-value-' + f.code">{{ value(f) }}</dd>
        </div>
      }
    </dl>
  `,
})
export class CategoryFieldValues {
  protected readonly i18n = inject(I18n);
  readonly fields = input.required<readonly CategoryField[]>();
  readonly values = input<Readonly<Record<string, FieldValue>>>({});
  protected readonly shown = computed(() => sortFields(this.fields()).filter((f) => f.variable));

  protected label(f: CategoryField): string {
    return fieldLabel(f, this.i18n.lang());
  }
  protected value(f: CategoryField): string {
    const v = this.values()[f.code];
    if (v === undefined || v === null || (Array.isArray(v) && !v.length)) return this.i18n.t('fields.empty');
    const lang = this.i18n.lang();
    if (Array.isArray(v)) return v.map((k) => choiceLabel(f, k, lang)).join(', ');
    if (f.datatype === 'singlevaluelist') return choiceLabel(f, String(v), lang);
    if (f.datatype === 'datetime') {
      const d = new Date(String(v));
      return Number.isNaN(d.getTime())
        ? String(v)
        : new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { dateStyle: 'long', timeZone: 'UTC' }).format(d);
    }
    if (typeof v === 'number') return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR').format(v);
    return String(v);
  }
}
