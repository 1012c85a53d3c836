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
  templateUrl: './categories.html',
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
    for (const k of ['code', 'nameFr', 'nameEn', 'defaultDepartmentId'] as const)
      if (!String(d[k] ?? '').trim()) fields[k] = this.t('common.fieldRequired');
    if (Object.keys(fields).length) {
      this.error.set(localError(fields));
      return null;
    }
    return {
      code: d.code.trim(),
      nameFr: d.nameFr.trim(),
      nameEn: d.nameEn.trim(),
      defaultDepartmentId: d.defaultDepartmentId,
      active: d.active,
    };
  }
}
