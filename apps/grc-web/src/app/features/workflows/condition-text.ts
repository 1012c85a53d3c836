import type { Category, Department } from '@grc/domain';
import { TICKET_DEPARTMENT, conditionToForm, type Condition } from '@grc/workflows';
import type { I18n, MsgKey } from '../../core/i18n';

/**
 * A transition's guard in words, from its parts (no JSON): "if the person acting is Responsable de
 * service; if category is « Réclamation » or priority is « Urgente »". A condition the editor's rows
 * cannot say (nested, negated, numeric) is given as its definition text.
 */
export function guardWords(
  i18n: I18n,
  guard: { roles?: readonly string[] | null; departments?: readonly string[] | null; when?: unknown } | undefined | null,
  ref: { categories: readonly Category[]; departments: readonly Department[] },
): string | null {
  if (!guard) return null;
  const t = (k: string, p?: Record<string, string | number>) => i18n.t(k as MsgKey, p);
  const depName = (code: string) =>
    code === TICKET_DEPARTMENT ? t('ce.ticketDepartment') : (ref.departments.find((d) => d.code === code)?.name ?? code);
  const value = (field: string, v: string) => {
    if (field === 'category') {
      const c = ref.categories.find((x) => x.code === v);
      return c ? i18n.categoryName(c) : v;
    }
    if (field === 'department') return depName(v);
    return t(`${field}.${v}`);
  };
  const parts: string[] = [];
  if (guard.roles?.length) parts.push(t('ce.words.roles', { roles: guard.roles.map((r) => t(`role.${r}`)).join(t('ce.dry.or')) }));
  if (guard.departments?.length) parts.push(t('ce.words.departments', { list: guard.departments.map(depName).join(t('ce.dry.or')) }));
  if (guard.when) {
    const form = conditionToForm(guard.when as Condition);
    if (!form) parts.push(t('ce.words.when', { condition: JSON.stringify(guard.when) }));
    else if (form.rows.length)
      parts.push(
        t('ce.words.when', {
          condition: form.rows
            .map((r) =>
              t('ce.words.row', {
                field: t(`ce.field.${r.field}`).toLowerCase(),
                op: t(`ce.op.${r.op}`),
                values: r.values.map((v) => `« ${value(r.field, v)} »`).join(', '),
              }),
            )
            .join(form.match === 'any' ? t('ce.words.or') : t('ce.words.and')),
        }),
      );
  }
  return parts.length ? parts.join(' ; ') : null;
}
