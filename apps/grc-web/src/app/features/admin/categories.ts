import { ChangeDetectionStrategy, Component, computed } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { FIELD_DATATYPES, type Category, type CategoryFieldInput, type CategoryInput, type FieldDatatype } from '@grc/domain';
import type { MsgKey } from '../../core/i18n';
import { localError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';

/** One field as the form edits it (min/max from number inputs: number or null). */
interface FieldRow {
  code: string;
  datatype: FieldDatatype;
  required: boolean;
  informational: boolean;
  description: string;
  descriptionEn: string;
  datatypeDescription: string;
  min: number | null;
  max: number | null;
  values: Array<{ key: string; name: string; nameEn: string }>;
}
type CategoryDraft = Omit<CategoryInput, 'fields'> & { fields: FieldRow[] };

const isList = (t: FieldDatatype) => t === 'singlevaluelist' || t === 'multivaluelist';

@Component({
  selector: 'grc-admin-categories',
  imports: [FormsModule, ...FORM_ERRORS, AdminListStatus, AdminFormActions],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './categories.html',
})
export class CategoriesAdmin extends AdminBase<Category, CategoryDraft> {
  protected readonly path = '/categories';
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });
  protected readonly datatypes = FIELD_DATATYPES;
  protected readonly isList = isList;
  /** the commune's own (its métropole's shared ones, and a métropole's communes', are changed where they belong) */
  protected readonly own = computed(() => this.items().filter((c) => !c.origin));

  constructor() {
    super();
    this.load();
  }

  protected deptName(id: string): string {
    return this.departments().find((d) => d.id === id)?.name ?? this.t('common.none');
  }
  protected typeName(t: FieldDatatype): string {
    return this.t(`fields.type.${t}` as MsgKey);
  }
  protected blank(): CategoryDraft {
    return { code: '', nameFr: '', nameEn: '', defaultDepartmentId: '', active: true, fields: [] };
  }
  protected toInput(c: Category): CategoryDraft {
    return {
      code: c.code,
      nameFr: c.nameFr,
      nameEn: c.nameEn,
      defaultDepartmentId: c.defaultDepartmentId,
      active: c.active,
      fields: (c.fields ?? []).map((f) => ({
        code: f.code,
        datatype: f.datatype,
        required: f.required,
        informational: !f.variable,
        description: f.description,
        descriptionEn: f.descriptionEn ?? '',
        datatypeDescription: f.datatypeDescription ?? '',
        min: f.min,
        max: f.max,
        values: f.values.map((v) => ({ key: v.key, name: v.name, nameEn: v.nameEn ?? '' })),
      })),
    };
  }

  /** The message of a field's property (`fields.<i>.<prop>`), exactly (not the category's own `code`). */
  protected fieldErr(path: string): string | null {
    const e = this.error();
    return e?.fields[path] ?? null;
  }
  protected describedBy(path: string, id: string): string | null {
    return this.fieldErr(path) ? `${id}-error` : null;
  }
  private touch(change: (fields: FieldRow[]) => FieldRow[]): void {
    this.draft.update((d) => ({ ...d, fields: change([...d.fields]) }));
  }
  protected addField(): void {
    const n = this.draft().fields.length + 1;
    this.touch((fs) => [
      ...fs,
      {
        code: '',
        datatype: 'string',
        required: false,
        informational: false,
        description: '',
        descriptionEn: '',
        datatypeDescription: '',
        min: null,
        max: null,
        values: [],
      },
    ]);
    setTimeout(() => document.getElementById(`cf-${n - 1}-code`)?.focus());
  }
  protected removeField(i: number): void {
    this.touch((fs) => fs.filter((_, j) => j !== i));
    setTimeout(() => document.getElementById('cf-add')?.focus());
  }
  protected moveField(i: number, by: -1 | 1): void {
    const j = i + by;
    this.touch((fs) => {
      if (j < 0 || j >= fs.length) return fs;
      [fs[i], fs[j]] = [fs[j]!, fs[i]!];
      return fs;
    });
    setTimeout(() => document.getElementById(`cf-${j}-${by < 0 ? 'up' : 'down'}`)?.focus());
  }
  protected typeChanged(f: FieldRow): void {
    if (isList(f.datatype) && !f.values.length) {
      f.values = [{ key: '', name: '', nameEn: '' }];
      this.touch((fs) => fs);
    }
  }
  protected addChoice(i: number): void {
    const f = this.draft().fields[i]!;
    f.values = [...f.values, { key: '', name: '', nameEn: '' }];
    this.touch((fs) => fs);
    setTimeout(() => document.getElementById(`cf-${i}-v${f.values.length - 1}-key`)?.focus());
  }
  protected removeChoice(i: number, j: number): void {
    const f = this.draft().fields[i]!;
    f.values = f.values.filter((_, k) => k !== j);
    this.touch((fs) => fs);
    setTimeout(() => document.getElementById(`cf-${i}-addchoice`)?.focus());
  }

  protected body(d: CategoryDraft): CategoryInput | null {
    const fields: Record<string, string> = {};
    for (const k of ['code', 'nameFr', 'nameEn', 'defaultDepartmentId'] as const)
      if (!String(d[k] ?? '').trim()) fields[k] = this.t('common.fieldRequired');
    d.fields.forEach((f, i) => {
      if (!f.code.trim()) fields[`fields.${i}.code`] = this.t('common.fieldRequired');
      if (!f.description.trim()) fields[`fields.${i}.description`] = this.t('common.fieldRequired');
    });
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
      fields: d.fields.map((f, i): CategoryFieldInput => ({
        code: f.code.trim(),
        datatype: f.datatype,
        variable: !f.informational,
        required: !f.informational && f.required,
        description: f.description.trim(),
        descriptionEn: f.descriptionEn.trim() || null,
        datatypeDescription: f.datatypeDescription.trim() || null,
        order: i + 1,
        values: isList(f.datatype)
          ? f.values.map((v) => ({ key: v.key.trim(), name: v.name.trim(), ...(v.nameEn.trim() ? { nameEn: v.nameEn.trim() } : {}) }))
          : [],
        min: f.datatype === 'number' && typeof f.min === 'number' ? f.min : null,
        max: f.datatype === 'number' && typeof f.max === 'number' ? f.max : null,
      })),
    };
  }
}
