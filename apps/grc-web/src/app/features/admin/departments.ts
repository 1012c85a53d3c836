import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { Department, DepartmentInput } from '@grc/domain';
import { localError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';

interface Node { dept: Department; children: Node[] }

@Component({
  selector: 'grc-admin-departments',
  imports: [FormsModule, NgTemplateOutlet, ...FORM_ERRORS, AdminListStatus, AdminFormActions],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <grc-admin-list-status [heading]="t('admin.departments')" [error]="listError()" [loading]="loading()" [notice]="notice()" />
    <div class="admin-layout">
      <section class="card" aria-labelledby="dept-tree-h">
        <h3 id="dept-tree-h">{{ t('admin.deptTree') }}</h3>
        <button type="button" class="btn btn-primary" (click)="create()">{{ t('admin.create') }}</button>
        <ng-template #branch let-nodes>
          <ul class="tree">
            @for (n of nodes; track n.dept.id) {
              <li>
                <strong>{{ n.dept.name }}</strong> <span class="mono">({{ n.dept.code }})</span> –
                {{ t($any('deptKind.' + n.dept.kind)) }}
                @if (!n.dept.active) { – <em>{{ t('common.inactive') }}</em> }
                <button type="button" class="btn btn-secondary btn-small" (click)="edit(n.dept)">
                  {{ t('common.edit') }}<span class="sr-only"> {{ n.dept.name }}</span>
                </button>
                @if (n.children.length) {
                  <ng-container [ngTemplateOutlet]="branch" [ngTemplateOutletContext]="{ $implicit: n.children }" />
                }
              </li>
            }
          </ul>
        </ng-template>
        @if (tree().length) {
          <ng-container [ngTemplateOutlet]="branch" [ngTemplateOutletContext]="{ $implicit: tree() }" />
        } @else if (!loading()) {
          <p>{{ t('admin.empty') }}</p>
        }
      </section>
      @if (formOpen()) {
        <section class="card" aria-labelledby="admin-form-h">
          <h3 id="admin-form-h" tabindex="-1">{{ editing() ? t('admin.editing', { name: editing()!.name }) : t('admin.creating') }}</h3>
          @let d = draft();
          <form (ngSubmit)="save()" novalidate>
            <div class="field">
              <label for="dept-code">{{ t('admin.code') }}</label>
              <input id="dept-code" name="code" required [(ngModel)]="d.code" grcField="code" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="code" controlId="dept-code" />
            </div>
            <div class="field">
              <label for="dept-name">{{ t('admin.name') }}</label>
              <input id="dept-name" name="name" required [(ngModel)]="d.name" grcField="name" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="name" controlId="dept-name" />
            </div>
            <div class="field">
              <label for="dept-kind">{{ t('admin.kind') }}</label>
              <select id="dept-kind" name="kind" [(ngModel)]="d.kind" grcField="kind" [grcErrors]="error()">
                <option value="direction">{{ t('deptKind.direction') }}</option>
                <option value="service">{{ t('deptKind.service') }}</option>
              </select>
              <grc-field-error [errors]="error()" field="kind" controlId="dept-kind" />
            </div>
            <div class="field">
              <label for="dept-parent">{{ t('admin.parent') }}</label>
              <select id="dept-parent" name="parentId" [(ngModel)]="d.parentId" grcField="parentId" [grcErrors]="error()">
                <option [ngValue]="null">{{ t('admin.noParent') }}</option>
                @for (p of parents(); track p.id) { <option [ngValue]="p.id">{{ p.name }}</option> }
              </select>
              <grc-field-error [errors]="error()" field="parentId" controlId="dept-parent" />
            </div>
            <div class="field">
              <label for="dept-email">{{ t('admin.email') }} {{ t('common.optional') }}</label>
              <input id="dept-email" name="email" type="email" [(ngModel)]="d.email" grcField="email" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="email" controlId="dept-email" />
            </div>
            <div class="check">
              <input id="dept-active" name="active" type="checkbox" [(ngModel)]="d.active" />
              <label for="dept-active">{{ t('admin.active') }}</label>
            </div>
            <grc-admin-form-actions [error]="error()" [busy]="busy()" (cancelled)="cancel()" />
          </form>
        </section>
      }
    </div>
  `,
})
export class DepartmentsAdmin extends AdminBase<Department, DepartmentInput> {
  protected readonly path = '/departments';
  protected readonly tree = computed(() => {
    const items = [...this.items()].sort((a, b) => a.name.localeCompare(b.name));
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
    return { code: '', name: '', kind: 'service', parentId: null, email: '', active: true };
  }
  protected toInput(d: Department): DepartmentInput {
    return { code: d.code, name: d.name, kind: d.kind, parentId: d.parentId, email: d.email ?? '', active: d.active };
  }
  protected body(d: DepartmentInput): DepartmentInput | null {
    const fields: Record<string, string> = {};
    if (!d.code.trim()) fields['code'] = this.t('common.fieldRequired');
    if (!d.name.trim()) fields['name'] = this.t('common.fieldRequired');
    if (Object.keys(fields).length) {
      this.error.set(localError(fields));
      return null;
    }
    return { code: d.code.trim(), name: d.name.trim(), kind: d.kind, parentId: d.parentId || null, email: d.email?.trim() || null, active: d.active };
  }
}
