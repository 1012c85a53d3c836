import { ChangeDetectionStrategy, Component, computed, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import type { Polygon, RoutingRule, RoutingRuleInput } from '@grc/domain';
import { localError, toUiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';

interface RuleDraft { departmentId: string; areaName: string; areaText: string; position: number | null }

function parsePolygon(text: string): Polygon | null | undefined {
  if (!text.trim()) return null;
  try {
    const v: unknown = JSON.parse(text);
    if (!Array.isArray(v) || v.length < 3) return undefined;
    const ok = v.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n)));
    return ok ? (v as Polygon) : undefined;
  } catch {
    return undefined;
  }
}

@Component({
  selector: 'grc-admin-routing',
  imports: [FormsModule, ...FORM_ERRORS, AdminListStatus, AdminFormActions],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <grc-admin-list-status [heading]="t('admin.routing')" [error]="listError()" [loading]="loading()" [notice]="notice()" />
    <div class="inline">
      <div class="field">
        <label for="rule-cat-filter">{{ t('admin.rulesFor') }}</label>
        <select id="rule-cat-filter" name="categoryFilter" [ngModel]="categoryId()" (ngModelChange)="selectCategory($event)">
          @for (c of categories(); track c.id) { <option [value]="c.id">{{ i18n.categoryName(c) }} ({{ c.code }})</option> }
        </select>
      </div>
      <button type="button" class="btn btn-primary" (click)="create()" [disabled]="!categoryId()">{{ t('admin.create') }}</button>
    </div>
    <div class="admin-layout">
      <div class="table-wrap">
        <table class="data">
          <caption>{{ t('admin.rulesFor') }} « {{ categoryName() }} »</caption>
          <thead>
            <tr>
              <th scope="col">{{ t('admin.position') }}</th>
              <th scope="col">{{ t('admin.ruleDepartment') }}</th>
              <th scope="col">{{ t('admin.areaName') }}</th>
              <th scope="col">{{ t('common.actions') }}</th>
            </tr>
          </thead>
          <tbody>
            @for (r of rules(); track r.id) {
              <tr>
                <td>{{ r.position }}</td>
                <th scope="row">{{ deptName(r.departmentId) }}</th>
                <td>{{ r.areaName ?? (r.area ? '' : t('admin.anywhere')) }} @if (r.area) { <span class="hint">({{ r.area.length }} pts)</span> }</td>
                <td>
                  <div class="actions">
                    <button type="button" class="btn btn-secondary btn-small" (click)="edit(r)">{{ t('common.edit') }}<span class="sr-only"> {{ deptName(r.departmentId) }} {{ r.areaName }}</span></button>
                    <button type="button" class="btn btn-danger btn-small" (click)="remove(r)">{{ t('common.delete') }}<span class="sr-only"> {{ deptName(r.departmentId) }} {{ r.areaName }}</span></button>
                  </div>
                </td>
              </tr>
            } @empty {
              <tr><td colspan="4">{{ t('admin.empty') }}</td></tr>
            }
          </tbody>
        </table>
      </div>
      @if (formOpen()) {
        <section class="card" aria-labelledby="admin-form-h">
          <h3 id="admin-form-h" tabindex="-1">{{ editing() ? t('admin.editing', { name: deptName(editing()!.departmentId) }) : t('admin.creating') }}</h3>
          @let d = draft();
          <form (ngSubmit)="save()" novalidate>
            <div class="field">
              <label for="rule-dept">{{ t('admin.ruleDepartment') }}</label>
              <select id="rule-dept" name="departmentId" required [(ngModel)]="d.departmentId" grcField="departmentId" [grcErrors]="error()">
                <option value="">—</option>
                @for (dep of departments(); track dep.id) { <option [value]="dep.id">{{ dep.name }}</option> }
              </select>
              <grc-field-error [errors]="error()" field="departmentId" controlId="rule-dept" />
            </div>
            <div class="field">
              <label for="rule-area-name">{{ t('admin.areaName') }} {{ t('common.optional') }}</label>
              <input id="rule-area-name" name="areaName" [(ngModel)]="d.areaName" grcField="areaName" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="areaName" controlId="rule-area-name" />
            </div>
            <div class="field">
              <label for="rule-area">{{ t('admin.area') }} {{ t('common.optional') }}</label>
              <p class="hint" id="rule-area-hint">{{ t('admin.areaHint') }}</p>
              <textarea id="rule-area" name="area" rows="5" class="mono" spellcheck="false" [(ngModel)]="d.areaText" grcField="area" [grcErrors]="error()" [grcHint]="true"></textarea>
              <grc-field-error [errors]="error()" field="area" controlId="rule-area" />
            </div>
            <div class="field">
              <label for="rule-position">{{ t('admin.position') }}</label>
              <p class="hint" id="rule-position-hint">{{ t('admin.positionHint') }}</p>
              <input id="rule-position" name="position" type="number" step="1" [(ngModel)]="d.position" grcField="position" [grcErrors]="error()" [grcHint]="true" />
              <grc-field-error [errors]="error()" field="position" controlId="rule-position" />
            </div>
            <grc-admin-form-actions [error]="error()" [busy]="busy()" (cancelled)="cancel()" />
          </form>
        </section>
      }
    </div>
  `,
})
export class RoutingRulesAdmin extends AdminBase<RoutingRule, RuleDraft> {
  protected readonly path = '/routing-rules';
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });
  protected readonly categories = toSignal(this.ref.categories(), { initialValue: [] });
  private readonly chosen = signal<string>('');
  protected readonly categoryId = computed(() => this.chosen() || this.categories()[0]?.id || '');
  protected readonly categoryName = computed(() => this.i18n.categoryName(this.categories().find((c) => c.id === this.categoryId())));
  protected readonly rules = computed(() =>
    this.items()
      .filter((r) => r.categoryId === this.categoryId())
      .sort((a, b) => a.position - b.position),
  );

  constructor() {
    super();
    this.load();
  }

  protected selectCategory(id: string): void {
    this.chosen.set(id);
    this.formOpen.set(false);
  }

  protected deptName(id: string): string {
    return this.departments().find((d) => d.id === id)?.name ?? id;
  }

  protected remove(rule: RoutingRule): void {
    if (!confirm(this.t('admin.confirmDelete'))) return;
    this.api.delete<unknown>(`${this.path}/${rule.id}`).subscribe({
      next: () => {
        this.notice.set(this.t('admin.deleted'));
        if (this.editing()?.id === rule.id) this.formOpen.set(false);
        this.load();
      },
      error: (err: unknown) => this.listError.set(toUiError(err)),
    });
  }

  protected blank(): RuleDraft {
    const max = this.rules?.().reduce((m, r) => Math.max(m, r.position), 0) ?? 0;
    return { departmentId: '', areaName: '', areaText: '', position: max + 10 };
  }
  protected toInput(r: RoutingRule): RuleDraft {
    return { departmentId: r.departmentId, areaName: r.areaName ?? '', areaText: r.area ? JSON.stringify(r.area) : '', position: r.position };
  }
  protected body(d: RuleDraft): RoutingRuleInput | null {
    const fields: Record<string, string> = {};
    if (!d.departmentId) fields['departmentId'] = this.t('common.fieldRequired');
    const area = parsePolygon(d.areaText);
    if (area === undefined) fields['area'] = this.t('admin.areaInvalid');
    if (Object.keys(fields).length) {
      this.error.set(localError(fields));
      return null;
    }
    const body: RoutingRuleInput = {
      categoryId: this.categoryId(), departmentId: d.departmentId, areaName: d.areaName.trim() || null, area: area ?? null,
    };
    if (d.position !== null && Number.isFinite(d.position)) body.position = Number(d.position);
    return body;
  }
}
