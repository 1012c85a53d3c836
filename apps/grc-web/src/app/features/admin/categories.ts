import { ChangeDetectionStrategy, Component } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import type { Category, CategoryInput } from '@grc/domain';
import { localError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';

@Component({
  selector: 'grc-admin-categories',
  imports: [FormsModule, ...FORM_ERRORS, AdminListStatus, AdminFormActions],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <grc-admin-list-status [heading]="t('admin.categories')" [error]="listError()" [loading]="loading()" [notice]="notice()" />
    <p><button type="button" class="btn btn-primary" (click)="create()">{{ t('admin.create') }}</button></p>
    <div class="admin-layout">
      <div class="table-wrap">
        <table class="data">
          <caption>{{ t('admin.categories') }}</caption>
          <thead>
            <tr>
              <th scope="col">{{ t('admin.code') }}</th>
              <th scope="col">{{ t('admin.nameFr') }}</th>
              <th scope="col">{{ t('admin.nameEn') }}</th>
              <th scope="col">{{ t('admin.defaultDepartment') }}</th>
              <th scope="col">{{ t('admin.state') }}</th>
              <th scope="col">{{ t('common.actions') }}</th>
            </tr>
          </thead>
          <tbody>
            @for (c of items(); track c.id) {
              <tr>
                <th scope="row" class="mono">{{ c.code }}</th>
                <td lang="fr">{{ c.nameFr }}</td>
                <td lang="en">{{ c.nameEn }}</td>
                <td>{{ deptName(c.defaultDepartmentId) }}</td>
                <td>{{ c.active ? t('common.active') : t('common.inactive') }}</td>
                <td><button type="button" class="btn btn-secondary btn-small" (click)="edit(c)">{{ t('common.edit') }}<span class="sr-only"> {{ i18n.categoryName(c) }}</span></button></td>
              </tr>
            } @empty {
              <tr><td colspan="6">{{ t('admin.empty') }}</td></tr>
            }
          </tbody>
        </table>
      </div>
      @if (formOpen()) {
        <section class="card" aria-labelledby="admin-form-h">
          <h3 id="admin-form-h" tabindex="-1">{{ editing() ? t('admin.editing', { name: i18n.categoryName(editing()!) }) : t('admin.creating') }}</h3>
          @let d = draft();
          <form (ngSubmit)="save()" novalidate>
            <div class="field">
              <label for="cat-code">{{ t('admin.code') }}</label>
              <input id="cat-code" name="code" required [(ngModel)]="d.code" grcField="code" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="code" controlId="cat-code" />
            </div>
            <div class="field">
              <label for="cat-fr">{{ t('admin.nameFr') }}</label>
              <input id="cat-fr" name="nameFr" lang="fr" required [(ngModel)]="d.nameFr" grcField="nameFr" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="nameFr" controlId="cat-fr" />
            </div>
            <div class="field">
              <label for="cat-en">{{ t('admin.nameEn') }}</label>
              <input id="cat-en" name="nameEn" lang="en" required [(ngModel)]="d.nameEn" grcField="nameEn" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="nameEn" controlId="cat-en" />
            </div>
            <div class="field">
              <label for="cat-dept">{{ t('admin.defaultDepartment') }}</label>
              <select id="cat-dept" name="defaultDepartmentId" required [(ngModel)]="d.defaultDepartmentId" grcField="defaultDepartmentId" [grcErrors]="error()">
                <option value="">—</option>
                @for (dep of departments(); track dep.id) { <option [value]="dep.id">{{ dep.name }}</option> }
              </select>
              <grc-field-error [errors]="error()" field="defaultDepartmentId" controlId="cat-dept" />
            </div>
            <div class="check">
              <input id="cat-active" name="active" type="checkbox" [(ngModel)]="d.active" />
              <label for="cat-active">{{ t('admin.active') }}</label>
            </div>
            <grc-admin-form-actions [error]="error()" [busy]="busy()" (cancelled)="cancel()" />
          </form>
        </section>
      }
    </div>
  `,
})
export class CategoriesAdmin extends AdminBase<Category, CategoryInput> {
  protected readonly path = '/categories';
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });

  constructor() {
    super();
    this.load();
  }

  protected deptName(id: string): string {
    return this.departments().find((d) => d.id === id)?.name ?? this.t('common.none');
  }
  protected blank(): CategoryInput {
    return { code: '', nameFr: '', nameEn: '', defaultDepartmentId: '', active: true };
  }
  protected toInput(c: Category): CategoryInput {
    return { code: c.code, nameFr: c.nameFr, nameEn: c.nameEn, defaultDepartmentId: c.defaultDepartmentId, active: c.active };
  }
  protected body(d: CategoryInput): CategoryInput | null {
    const fields: Record<string, string> = {};
    for (const k of ['code', 'nameFr', 'nameEn', 'defaultDepartmentId'] as const) if (!String(d[k] ?? '').trim()) fields[k] = this.t('common.fieldRequired');
    if (Object.keys(fields).length) {
      this.error.set(localError(fields));
      return null;
    }
    return { code: d.code.trim(), nameFr: d.nameFr.trim(), nameEn: d.nameEn.trim(), defaultDepartmentId: d.defaultDepartmentId, active: d.active };
  }
}
