import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { AGENT_ENTRY_CHANNELS, REQUESTER_KINDS, type Citizen, type CitizenInput } from '@grc/domain';
import { I18n } from '../core/i18n';
import type { UiError } from '../core/problem';
import { FORM_ERRORS } from './form-errors';

export function emptyCitizen(): CitizenInput {
  return {
    kind: 'resident',
    firstName: '',
    lastName: '',
    organisationName: '',
    contactPerson: '',
    email: '',
    phone: '',
    address: '',
    postcode: '',
    city: '',
    preferredChannel: null,
  };
}

export function citizenInputOf(c: Citizen): CitizenInput {
  return {
    kind: c.kind,
    firstName: c.firstName ?? '',
    lastName: c.lastName ?? '',
    organisationName: c.organisationName ?? '',
    contactPerson: c.contactPerson ?? '',
    email: c.email ?? '',
    phone: c.phone ?? '',
    address: c.address ?? '',
    postcode: c.postcode ?? '',
    city: c.city ?? '',
    preferredChannel: c.preferredChannel,
  };
}

/** Blank strings become null; organisation-only fields are cleared for residents and vice versa. */
export function cleanCitizen(c: CitizenInput): CitizenInput {
  const v = (s: string | null) => (s && s.trim() ? s.trim() : null);
  const org = c.kind === 'organisation';
  return {
    kind: c.kind,
    firstName: org ? null : v(c.firstName),
    lastName: org ? null : v(c.lastName),
    organisationName: org ? v(c.organisationName) : null,
    contactPerson: org ? v(c.contactPerson) : null,
    email: v(c.email),
    phone: v(c.phone),
    address: v(c.address),
    postcode: v(c.postcode),
    city: v(c.city),
    preferredChannel: c.preferredChannel || null,
  };
}

/** Fields of a citizen (resident or organisation); edits the given object in place. */
@Component({
  selector: 'grc-citizen-form',
  imports: [FormsModule, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let c = citizen();
    @let p = prefix();
    <fieldset>
      <legend>{{ t('citizen.kind') }}</legend>
      <div class="inline">
        @for (k of kinds; track k) {
          <label class="check"><input type="radio" [name]="p + '-kind'" [value]="k" [(ngModel)]="c.kind" [ngModelOptions]="{ standalone: true }" /> {{ i18n.kind(k) }}</label>
        }
      </div>
    </fieldset>
    <div class="grid">
      @if (c.kind === 'organisation') {
        <div class="field">
          <label [for]="p + '-org'">{{ t('citizen.organisationName') }}</label>
          <input [id]="p + '-org'" [(ngModel)]="c.organisationName" [ngModelOptions]="{ standalone: true }" autocomplete="organization"
            [grcField]="fp() + 'organisationName'" [grcErrors]="errors()" />
          <grc-field-error [errors]="errors()" [field]="fp() + 'organisationName'" [controlId]="p + '-org'" />
        </div>
        <div class="field">
          <label [for]="p + '-contact'">{{ t('citizen.contactPerson') }}</label>
          <input [id]="p + '-contact'" [(ngModel)]="c.contactPerson" [ngModelOptions]="{ standalone: true }" autocomplete="name"
            [grcField]="fp() + 'contactPerson'" [grcErrors]="errors()" />
          <grc-field-error [errors]="errors()" [field]="fp() + 'contactPerson'" [controlId]="p + '-contact'" />
        </div>
      } @else {
        <div class="field">
          <label [for]="p + '-last'">{{ t('citizen.lastName') }}</label>
          <input [id]="p + '-last'" [(ngModel)]="c.lastName" [ngModelOptions]="{ standalone: true }" autocomplete="family-name"
            [grcField]="fp() + 'lastName'" [grcErrors]="errors()" />
          <grc-field-error [errors]="errors()" [field]="fp() + 'lastName'" [controlId]="p + '-last'" />
        </div>
        <div class="field">
          <label [for]="p + '-first'">{{ t('citizen.firstName') }}</label>
          <input [id]="p + '-first'" [(ngModel)]="c.firstName" [ngModelOptions]="{ standalone: true }" autocomplete="given-name"
            [grcField]="fp() + 'firstName'" [grcErrors]="errors()" />
          <grc-field-error [errors]="errors()" [field]="fp() + 'firstName'" [controlId]="p + '-first'" />
        </div>
      }
      <div class="field">
        <label [for]="p + '-email'">{{ t('citizen.email') }}</label>
        <input [id]="p + '-email'" type="email" [(ngModel)]="c.email" [ngModelOptions]="{ standalone: true }" autocomplete="email"
          [grcField]="fp() + 'email'" [grcErrors]="errors()" />
        <grc-field-error [errors]="errors()" [field]="fp() + 'email'" [controlId]="p + '-email'" />
      </div>
      <div class="field">
        <label [for]="p + '-phone'">{{ t('citizen.phone') }}</label>
        <input [id]="p + '-phone'" type="tel" [(ngModel)]="c.phone" [ngModelOptions]="{ standalone: true }" autocomplete="tel"
          [grcField]="fp() + 'phone'" [grcErrors]="errors()" />
        <grc-field-error [errors]="errors()" [field]="fp() + 'phone'" [controlId]="p + '-phone'" />
      </div>
      <div class="field">
        <label [for]="p + '-address'">{{ t('citizen.address') }}</label>
        <input [id]="p + '-address'" [(ngModel)]="c.address" [ngModelOptions]="{ standalone: true }" autocomplete="street-address"
          [grcField]="fp() + 'address'" [grcErrors]="errors()" />
        <grc-field-error [errors]="errors()" [field]="fp() + 'address'" [controlId]="p + '-address'" />
      </div>
      <div class="field">
        <label [for]="p + '-postcode'">{{ t('citizen.postcode') }}</label>
        <input [id]="p + '-postcode'" [(ngModel)]="c.postcode" [ngModelOptions]="{ standalone: true }" autocomplete="postal-code"
          [grcField]="fp() + 'postcode'" [grcErrors]="errors()" />
        <grc-field-error [errors]="errors()" [field]="fp() + 'postcode'" [controlId]="p + '-postcode'" />
      </div>
      <div class="field">
        <label [for]="p + '-city'">{{ t('citizen.city') }}</label>
        <input [id]="p + '-city'" [(ngModel)]="c.city" [ngModelOptions]="{ standalone: true }" autocomplete="address-level2"
          [grcField]="fp() + 'city'" [grcErrors]="errors()" />
        <grc-field-error [errors]="errors()" [field]="fp() + 'city'" [controlId]="p + '-city'" />
      </div>
      <div class="field">
        <label [for]="p + '-pref'">{{ t('citizen.preferredChannel') }} {{ t('common.optional') }}</label>
        <select [id]="p + '-pref'" [(ngModel)]="c.preferredChannel" [ngModelOptions]="{ standalone: true }">
          <option [ngValue]="null">{{ t('common.none') }}</option>
          @for (ch of channels; track ch) { <option [ngValue]="ch">{{ i18n.channel(ch) }}</option> }
        </select>
      </div>
    </div>
  `,
})
export class CitizenForm {
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly kinds = REQUESTER_KINDS;
  protected readonly channels = AGENT_ENTRY_CHANNELS;
  /** edited in place */
  readonly citizen = input.required<CitizenInput>();
  readonly prefix = input('citizen');
  /** prefix of the API's field names, e.g. `newCitizen.` */
  readonly fp = input('');
  readonly errors = input<UiError | null>(null);
}
