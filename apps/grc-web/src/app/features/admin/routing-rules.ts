import { ChangeDetectionStrategy, Component, computed, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import type { Polygon, RoutingRule, RoutingRuleInput } from '@grc/domain';
import { localError, toUiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';

interface RuleDraft {
  departmentId: string;
  areaName: string;
  areaText: string;
  position: number | null;
}

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
  templateUrl: './routing-rules.html',
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
    return {
      departmentId: r.departmentId,
      areaName: r.areaName ?? '',
      areaText: r.area ? JSON.stringify(r.area) : '',
      position: r.position,
    };
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
      categoryId: this.categoryId(),
      departmentId: d.departmentId,
      areaName: d.areaName.trim() || null,
      area: area ?? null,
    };
    if (d.position !== null && Number.isFinite(d.position)) body.position = Number(d.position);
    return body;
  }
}
