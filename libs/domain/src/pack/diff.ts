/**
 * What importing a pack into a running town would change: the pure comparison of the town's
 * configuration (as exported) with the pack's. Keys are codes (departments, categories, SLA policies),
 * e-mails (agents), a category's routing rules as a whole, and so on; what the pack does not name is
 * left as it is by the import, so it is not listed.
 */
import type { TownPack } from './schema';

export type PackChangeKind =
  | 'town'
  | 'department'
  | 'category'
  | 'routing'
  | 'agent'
  | 'sla_calendar'
  | 'sla_policy'
  | 'retention'
  | 'privacy'
  | 'mail_template'
  | 'reply_template'
  | 'workflow'
  | 'workflow_bindings';

export interface PackChange {
  kind: PackChangeKind;
  /** the code, e-mail, id… of the thing ('' for the town and the bindings) */
  key: string;
  action: 'create' | 'update';
  /** the fields that differ (an update), sorted */
  fields?: string[];
}

/** JSON with sorted keys: two values are the same configuration when their canonical texts are equal. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The changes of one list keyed by `keyOf` (an entry of `incoming` that is new or differs). */
export function diffEntries<T>(kind: PackChangeKind, current: readonly T[], incoming: readonly T[], keyOf: (x: T) => string): PackChange[] {
  const before = new Map(current.map((x) => [keyOf(x), x]));
  return incoming.flatMap((x): PackChange[] => {
    const key = keyOf(x);
    const old = before.get(key);
    if (old === undefined) return [{ kind, key, action: 'create' }];
    const fields = changedFields(old, x);
    return fields.length ? [{ kind, key, action: 'update', fields }] : [];
  });
}

function changedFields(a: unknown, b: unknown): string[] {
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) || Array.isArray(b))
    return canonicalJson(a) === canonicalJson(b) ? [] : ['value'];
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return [...new Set([...Object.keys(ra), ...Object.keys(rb)])]
    .filter((k) => canonicalJson(ra[k] ?? null) !== canonicalJson(rb[k] ?? null))
    .sort();
}

/** Every change `incoming` brings to `current` (the town's configuration as exported). */
export function diffTownPacks(current: TownPack, incoming: TownPack): PackChange[] {
  const changes: PackChange[] = [];
  // the town's optional settings (public texts, sender) are compared only when the pack names them
  const named = Object.fromEntries(
    Object.keys(current.town)
      .filter((k) => k in incoming.town)
      .map((k) => [k, (current.town as Record<string, unknown>)[k]]),
  );
  const town = changedFields({ ...named, formatVersion: current.town.formatVersion }, incoming.town);
  if (town.length) changes.push({ kind: 'town', key: '', action: 'update', fields: town });
  changes.push(...diffEntries('department', current.departments, incoming.departments, (d) => d.code));
  changes.push(
    ...diffEntries(
      'category',
      current.categories.map((c) => ({ ...c, fields: c.fields ?? [] })),
      incoming.categories.map((c) => ({ ...c, fields: c.fields ?? [] })),
      (c) => c.code,
    ),
  );
  // a category's rules are one ordered set: the import replaces them together
  const rules = (p: TownPack, codes: readonly string[]) =>
    codes.map((category) => ({
      category,
      rules: p.routing
        .filter((r) => r.category === category)
        .map((r) => ({ department: r.department, areaName: r.areaName, area: r.area, position: r.position })),
    }));
  const codes = incoming.categories.map((c) => c.code);
  changes.push(
    ...diffEntries('routing', rules(current, codes), rules(incoming, codes), (r) => r.category).filter(
      (c) => c.action === 'update' || incoming.routing.some((r) => r.category === c.key),
    ),
  );
  changes.push(
    ...diffEntries(
      'agent',
      current.agents.map(({ password: _p, ...a }) => ({ ...a, departments: [...a.departments].sort() })),
      incoming.agents.map(({ password: _p, ...a }) => ({ ...a, departments: [...a.departments].sort() })),
      (a) => a.email,
    ),
  );
  if (incoming.sla) {
    changes.push(...diffEntries('sla_calendar', current.sla?.calendars ?? [], incoming.sla.calendars, (c) => c.department ?? ''));
    changes.push(...diffEntries('sla_policy', current.sla?.policies ?? [], incoming.sla.policies, (p) => p.id));
  }
  if (incoming.retention) {
    const rulesOf = (r: TownPack['retention']) => [
      ...(r?.default ? [{ category: '', months: r.default.months, action: r.default.action }] : []),
      ...(r?.categories ?? []).map((c) => ({ category: c.category, months: c.months, action: c.action })),
    ];
    changes.push(...diffEntries('retention', rulesOf(current.retention), rulesOf(incoming.retention), (r) => r.category));
  }
  if (incoming.privacy) {
    if (!current.privacy) changes.push({ kind: 'privacy', key: '', action: 'create' });
    else {
      const fields = changedFields(current.privacy, incoming.privacy);
      if (fields.length) changes.push({ kind: 'privacy', key: '', action: 'update', fields });
    }
  }
  if (incoming.templates) {
    changes.push(...diffEntries('mail_template', current.templates?.mail ?? [], incoming.templates.mail, (t) => `${t.event}/${t.locale}`));
    changes.push(...diffEntries('reply_template', current.templates?.replies ?? [], incoming.templates.replies, (t) => t.name));
  }
  return changes;
}
