/**
 * Retention rules as data (pure): per category, or the town's default (category null), how many months
 * after a request is closed the requester's identity is kept, then what happens to the request.
 */

export type RetentionAction = 'anonymise' | 'delete';
export const RETENTION_ACTIONS: readonly RetentionAction[] = ['anonymise', 'delete'];

export interface RetentionRule {
  /** null: the town's default, for every category without its own rule */
  categoryId: string | null;
  months: number;
  action: RetentionAction;
}

/** Longest keeping period a rule may set: 100 years (état civil's registers are kept 75 to 100 years). */
export const MAX_RETENTION_MONTHS = 1200;

/** The rule of a category: its own, else the town's default, else none (nothing is ever removed). */
export function retentionRuleFor<R extends RetentionRule>(rules: readonly R[], categoryId: string): R | null {
  return rules.find((r) => r.categoryId === categoryId) ?? rules.find((r) => r.categoryId === null) ?? null;
}

/** `months` calendar months after `from`, the day clamped to the month's end (31 January + 1 month = 28/29 February), in UTC. */
export function addMonths(from: Date, months: number): Date {
  const d = new Date(from.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** When a closed request's identity stops being kept. */
export function retentionDueAt(closedAt: Date, rule: Pick<RetentionRule, 'months'>): Date {
  return addMonths(closedAt, rule.months);
}

/** The newest closing date a request may have and still be kept at `now` (closed on or before it: due). */
export function closedBeforeForDue(now: Date, rule: Pick<RetentionRule, 'months'>): Date {
  return addMonths(now, -rule.months);
}

export function isRetentionDue(closedAt: Date | null, rule: Pick<RetentionRule, 'months'> | null, now: Date): boolean {
  return !!closedAt && !!rule && retentionDueAt(closedAt, rule).getTime() <= now.getTime();
}

/** Refusals of a rule set (field + code), or [] when it is valid: months in range, one rule per category, one default. */
export function checkRetentionRules(rules: readonly RetentionRule[]): Array<{ index: number; field: string; code: string }> {
  const out: Array<{ index: number; field: string; code: string }> = [];
  const seen = new Set<string>();
  rules.forEach((r, index) => {
    if (!Number.isInteger(r.months) || r.months < 0 || r.months > MAX_RETENTION_MONTHS)
      out.push({ index, field: 'months', code: 'retention_months_range' });
    if (!RETENTION_ACTIONS.includes(r.action)) out.push({ index, field: 'action', code: 'retention_action_unknown' });
    const key = r.categoryId ?? '*';
    if (seen.has(key))
      out.push({ index, field: 'categoryId', code: r.categoryId ? 'retention_category_twice' : 'retention_default_twice' });
    seen.add(key);
  });
  return out;
}
