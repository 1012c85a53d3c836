import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { Department, DepartmentInput } from '@grc/domain';
import { localError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';
import { sortByText } from '../../shared/collate';

interface Node {
  dept: Department;
  children: Node[];
}

@Component({
  selector: 'grc-admin-departments',
  imports: [FormsModule, NgTemplateOutlet, ...FORM_ERRORS, AdminListStatus, AdminFormActions],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './departments.html',
})
export class DepartmentsAdmin extends AdminBase<Department, DepartmentInput> {
  protected readonly path = '/departments';
  protected readonly tree = computed(() => {
    const items = sortByText(this.items(), (d) => d.name);
    const ids = new Set(items.map((d) => d.id));
    const build = (parentId: string | null, seen: Set<string>): Node[] =>
      items
        .filter((d) => (parentId === null ? !d.parentId || !ids.has(d.parentId) : d.parentId === parentId) && !seen.has(d.id))
        .map((d) => ({ dept: d, children: build(d.id, new Set([...seen, d.id])) }));
    return build(null, new Set());
  });
  protected readonly parents = computed(() => this.items().filter((d) => d.id !== this.editing()?.id && d.kind === 'direction'));

  constructor() {
    super();
    this.load();
  }

  protected blank(): DepartmentInput {
    return { code: '', name: '', kind: 'service', parentId: null, email: '', active: true, frontDesk: false };
  }
  protected toInput(d: Department): DepartmentInput {
    return {
      code: d.code,
      name: d.name,
      kind: d.kind,
      parentId: d.parentId,
      email: d.email ?? '',
      active: d.active,
      frontDesk: d.frontDesk,
    };
  }
  protected body(d: DepartmentInput): DepartmentInput | null {
    const fields: Record<string, string> = {};
    if (!d.code.trim()) fields['code'] = this.t('common.fieldRequired');
    if (!d.name.trim()) fields['name'] = this.t('common.fieldRequired');
    if (Object.keys(fields).length) {
      this.error.set(localError(fields));
      return null;
    }
    return {
      code: d.code.trim(),
      name: d.name.trim(),
      kind: d.kind,
      parentId: d.parentId || null,
      email: d.email?.trim() || null,
      active: d.active,
      frontDesk: d.frontDesk === true,
    };
  }
}
