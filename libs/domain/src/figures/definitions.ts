/**
 * The figures of the dashboards, the exports and the open data: one code each, one definition each.
 * The API returns the code (and its parameters); the console words the definition next to the figure
 * (`apps/grc-web/src/app/features/dashboard/dashboard.i18n.ts`), docs/reporting.md states it in full.
 * Every figure is computed from the per-request facts of `ticketFacts` (facts.ts) over a period
 * [from, to) of the town's calendar days, in the town's time zone.
 *
 * The dashboards read them from the monthly cube (whole months) and the facts (the partial days at both
 * ends of the period): counts and rates are exact; medians and 90th percentiles come from duration
 * histograms (histogram.ts) and are within DURATION_PRECISION (4.5 %) of the exact value, plus at most one
 * minute. The open data computes its medians and p90 from the facts, exactly.
 */
export const FIGURE_CODES = [
  /** requests received in the period (created_at in the period), duplicates included */
  'received',
  /** requests whose final resolution (last move to resolved, or to closed without resolved) falls in the period */
  'resolved',
  /** requests closed in the period (last move to closed) */
  'closed',
  /** requests open at the end of the period: received before its end, not finally resolved before its end */
  'backlog',
  /** time to first response: received → first public reply, business minutes of the department's calendar, waiting-for-citizen excluded; median of the requests answered in the period */
  'first_response_business_median',
  'first_response_business_p90',
  /** the same in calendar days (real elapsed time / 24 h), waiting-for-citizen excluded */
  'first_response_days_median',
  'first_response_days_p90',
  /** time to resolution: received → final resolution, same calendars and exclusions; requests resolved in the period */
  'resolution_business_median',
  'resolution_business_p90',
  'resolution_days_median',
  'resolution_days_p90',
  /** share of the SLA clocks finished in the period (first response, resolution) that met their target; cancelled clocks left out */
  'sla_first_response_met_rate',
  'sla_resolution_met_rate',
  /** SLA clocks of requests received in the period that went past their deadline */
  'sla_breaches',
  /** SLA escalations (escalation steps fired) on requests received in the period */
  'sla_escalations',
  /** share of the requests resolved in the period that were reopened at least once */
  'reopen_rate',
  /** share of the requests received in the period that went through a validation circuit */
  'circuit_share',
  /** share of the requests received in the period linked as a duplicate of another one */
  'duplicates_ratio',
] as const;
export type FigureCode = (typeof FIGURE_CODES)[number];

export type FigureUnit = 'count' | 'business_minutes' | 'days' | 'ratio';

export interface FigureDefinition {
  code: FigureCode;
  unit: FigureUnit;
  /** which date puts a request into the period */
  periodBy: 'received' | 'resolved' | 'closed' | 'first_response' | 'end_of_period' | 'clock_stopped';
  /** the calendar the duration is counted in (null: not a duration) */
  calendar: 'business' | 'calendar' | null;
  /** higher is better (the console colours a change); null: neutral */
  better: 'higher' | 'lower' | null;
}

const d = (
  code: FigureCode,
  unit: FigureUnit,
  periodBy: FigureDefinition['periodBy'],
  better: FigureDefinition['better'],
  calendar: FigureDefinition['calendar'] = null,
): FigureDefinition => ({ code, unit, periodBy, calendar, better });

export const FIGURE_DEFINITIONS: Readonly<Record<FigureCode, FigureDefinition>> = {
  received: d('received', 'count', 'received', null),
  resolved: d('resolved', 'count', 'resolved', 'higher'),
  closed: d('closed', 'count', 'closed', 'higher'),
  backlog: d('backlog', 'count', 'end_of_period', 'lower'),
  first_response_business_median: d('first_response_business_median', 'business_minutes', 'first_response', 'lower', 'business'),
  first_response_business_p90: d('first_response_business_p90', 'business_minutes', 'first_response', 'lower', 'business'),
  first_response_days_median: d('first_response_days_median', 'days', 'first_response', 'lower', 'calendar'),
  first_response_days_p90: d('first_response_days_p90', 'days', 'first_response', 'lower', 'calendar'),
  resolution_business_median: d('resolution_business_median', 'business_minutes', 'resolved', 'lower', 'business'),
  resolution_business_p90: d('resolution_business_p90', 'business_minutes', 'resolved', 'lower', 'business'),
  resolution_days_median: d('resolution_days_median', 'days', 'resolved', 'lower', 'calendar'),
  resolution_days_p90: d('resolution_days_p90', 'days', 'resolved', 'lower', 'calendar'),
  sla_first_response_met_rate: d('sla_first_response_met_rate', 'ratio', 'first_response', 'higher'),
  sla_resolution_met_rate: d('sla_resolution_met_rate', 'ratio', 'resolved', 'higher'),
  sla_breaches: d('sla_breaches', 'count', 'received', 'lower'),
  sla_escalations: d('sla_escalations', 'count', 'received', 'lower'),
  reopen_rate: d('reopen_rate', 'ratio', 'resolved', 'lower'),
  circuit_share: d('circuit_share', 'ratio', 'received', null),
  duplicates_ratio: d('duplicates_ratio', 'ratio', 'received', null),
};

/** Age profile of the backlog: days since receipt at the end of the period, [min, max) — max null: and more. */
export const AGE_BUCKETS = [
  { code: 'd0_7', min: 0, max: 7 },
  { code: 'd7_30', min: 7, max: 30 },
  { code: 'd30_90', min: 30, max: 90 },
  { code: 'd90_plus', min: 90, max: null },
] as const;
export type AgeBucketCode = (typeof AGE_BUCKETS)[number]['code'];

export const ageBucketOf = (ageDays: number): AgeBucketCode => {
  for (const b of AGE_BUCKETS) if (ageDays >= b.min && (b.max === null || ageDays < b.max)) return b.code;
  return 'd0_7'; // a negative age (clock skew) counts as fresh
};

/** Breakdowns of the dashboard and the exports. `agent` only for a head's own agents (the API checks). */
export const BREAKDOWNS = ['channel', 'category', 'department', 'area', 'priority', 'agent'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];
