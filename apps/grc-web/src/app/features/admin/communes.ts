import { ChangeDetectionStrategy, Component } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { COMMUNE_CODE_PATTERN, PUBLIC_HOST_PATTERN, type CommuneView, type PublicTexts } from '@grc/domain';
import { localError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';
import { CommuneMembers } from './commune-members';

interface CommuneDraft {
  code: string;
  name: string;
  publicHost: string;
  publicTexts: PublicTexts;
}
const TEXT_KEYS = ['formIntro', 'trackingIntro', 'footer'] as const;

/**
 * Administration › Communes (issue 15), for a métropole's administrators: the métropole and its communes — code, name,
 * kind, public address, public page —, a new member commune, a commune's name, public host and public texts.
 */
@Component({
  selector: 'grc-admin-communes',
  imports: [FormsModule, ...FORM_ERRORS, AdminListStatus, AdminFormActions, CommuneMembers],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <grc-admin-list-status [heading]="t('communes.heading')" [error]="listError()" [loading]="loading()" [notice]="notice()" />
    <p>{{ t('communes.intro') }}</p>
    <div class="admin-layout">
      <section class="card" aria-labelledby="communes-list-h">
        <h3 id="communes-list-h">{{ t('communes.list') }}</h3>
        <button type="button" class="btn btn-primary" (click)="create()">{{ t('communes.create') }}</button>
        <table class="data-table">
          <caption class="sr-only">{{ t('communes.list') }}</caption>
          <thead>
            <tr>
              <th scope="col">{{ t('communes.code') }}</th>
              <th scope="col">{{ t('communes.name') }}</th>
              <th scope="col">{{ t('communes.kind') }}</th>
              <th scope="col">{{ t('communes.host') }}</th>
              <th scope="col">{{ t('communes.publicPage') }}</th>
              <th scope="col">{{ t('common.actions') }}</th>
            </tr>
          </thead>
          <tbody>
            @for (c of items(); track c.id) {
              <tr [attr.data-testid]="'commune-' + c.code">
                <th scope="row" class="mono">{{ c.code }}</th>
                <td translate="no">{{ c.name }}</td>
                <td>
                  {{ t(c.kind === 'metropole' ? 'communes.kind.metropole' : 'communes.kind.commune') }}
                  @if (c.isDefault) { ({{ t('communes.default') }}) }
                </td>
                <td class="mono">{{ c.publicHost ?? t('communes.hostNone') }}</td>
                <td><a [href]="c.publicPath">{{ t('communes.publicPageLink', { name: c.name }) }}</a></td>
                <td>
                  <button type="button" class="btn btn-secondary btn-small" (click)="edit(c)">
                    {{ t('common.edit') }}<span class="sr-only"> {{ c.name }}</span>
                  </button>
                </td>
              </tr>
            } @empty {
              <tr><td colspan="6">{{ t('admin.empty') }}</td></tr>
            }
          </tbody>
        </table>
      </section>
      @if (formOpen()) {
        <section class="card" aria-labelledby="admin-form-h">
          <h3 id="admin-form-h" tabindex="-1">
            {{ editing() ? t('communes.editing', { name: editing()!.name }) : t('communes.creating') }}
          </h3>
          @let d = draft();
          <form (ngSubmit)="save()" novalidate>
            <div class="field">
              <label for="commune-code">{{ t('communes.code') }}</label>
              <p class="hint" id="commune-code-hint">{{ t('communes.codeHint') }}</p>
              <input id="commune-code" name="code" required maxlength="64" autocomplete="off" spellcheck="false"
                [readonly]="editing() !== null" [(ngModel)]="d.code" grcField="code" [grcErrors]="error()" [grcHint]="true" />
              <grc-field-error [errors]="error()" field="code" controlId="commune-code" />
            </div>
            <div class="field">
              <label for="commune-name">{{ t('communes.name') }}</label>
              <input id="commune-name" name="name" required maxlength="200" [(ngModel)]="d.name" grcField="name" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="name" controlId="commune-name" />
            </div>
            <div class="field">
              <label for="commune-host">{{ t('communes.host') }} {{ t('common.optional') }}</label>
              <p class="hint" id="commune-host-hint">{{ t('communes.hostHint') }}</p>
              <input id="commune-host" name="publicHost" maxlength="253" autocomplete="off" spellcheck="false"
                [(ngModel)]="d.publicHost" grcField="publicHost" [grcErrors]="error()" [grcHint]="true" />
              <grc-field-error [errors]="error()" field="publicHost" controlId="commune-host" />
            </div>
            <fieldset>
              <legend>{{ t('communes.texts') }}</legend>
              <p class="hint">{{ t('town.textsHint') }}</p>
              @for (k of textKeys; track k) {
                <div class="field">
                  <label [for]="'commune-' + k">{{ t(textLabel[k]) }}</label>
                  <textarea [id]="'commune-' + k" [name]="k" rows="3" maxlength="2000" [(ngModel)]="d.publicTexts[k]"
                    [grcField]="'publicTexts.' + k" [grcErrors]="error()"></textarea>
                  <grc-field-error [errors]="error()" [field]="'publicTexts.' + k" [controlId]="'commune-' + k" />
                </div>
              }
            </fieldset>
            @if (!editing()) { <p class="hint">{{ t('communes.createdHint') }}</p> }
            <grc-admin-form-actions [error]="error()" [busy]="busy()" (cancelled)="cancel()" />
          </form>
        </section>
        @if (editing(); as c) {
          <grc-commune-members [communeId]="c.id" [communeName]="c.name" />
        }
      }
    </div>
  `,
})
export class CommunesAdmin extends AdminBase<CommuneView, CommuneDraft> {
  protected readonly path = '/communes';
  protected readonly textKeys = TEXT_KEYS;
  protected readonly textLabel = { formIntro: 'town.formIntro', trackingIntro: 'town.trackingIntro', footer: 'town.footer' } as const;

  constructor() {
    super();
    this.load();
  }

  protected blank(): CommuneDraft {
    return { code: '', name: '', publicHost: '', publicTexts: { formIntro: '', trackingIntro: '', footer: '' } };
  }
  protected toInput(c: CommuneView): CommuneDraft {
    return { code: c.code, name: c.name, publicHost: c.publicHost ?? '', publicTexts: { ...c.publicTexts } };
  }
  protected body(d: CommuneDraft): unknown | null {
    const fields: Record<string, string> = {};
    const code = d.code.trim();
    const host = d.publicHost.trim().toLowerCase();
    if (!this.editing()) {
      if (!code) fields['code'] = this.t('common.fieldRequired');
      else if (!COMMUNE_CODE_PATTERN.test(code)) fields['code'] = this.t('communes.codeFormat');
    }
    if (!d.name.trim()) fields['name'] = this.t('common.fieldRequired');
    if (host && !PUBLIC_HOST_PATTERN.test(host)) fields['publicHost'] = this.t('communes.hostFormat');
    if (Object.keys(fields).length) {
      this.error.set(localError(fields));
      return null;
    }
    const common = { name: d.name.trim(), publicHost: host || null, publicTexts: d.publicTexts };
    return this.editing() ? common : { code, ...common };
  }
}
