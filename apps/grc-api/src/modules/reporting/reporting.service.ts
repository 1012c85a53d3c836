import { Injectable } from '@nestjs/common';
import {
  change,
  DURATION_MEASURES,
  mergeHistogram,
  MINUTES_PER_DAY,
  backlogPlan,
  cubePlan,
  localDate,
  percentileFromHistogram,
  ancestryIndex,
  descendantIds,
  periodErrors,
  periodInstants,
  previousPeriod,
  priorityRank,
  ratio,
  type Breakdown,
  type FigureCode,
  type Period,
} from '@grc/domain';
import { badRequest, forbidden, notFound } from '../../common/problem';
import type { Actor } from '../auth/authenticated-agent';
import { CategoriesRepository } from '../reference/categories.repository';
import { DepartmentsRepository } from '../reference/departments.repository';
import { TownSettingsRepository } from '../town/town-settings.repository';
import {
  COUNT_FIELDS,
  cubeDimFilter,
  type CubeDim,
  ReportingRepository,
  type AggregateRow,
  type CountsRow,
  type DurationRow,
  type FactsScope,
} from './reporting.repository';
import type { FiguresQueryDto } from './reporting.dto';

/** The inbox's filters that list the requests behind a figure (the console links to /inbox with them). */
export type InboxFilters = Record<string, string>;

export interface FigureValue {
  code: FigureCode;
  value: number | null;
  previous: number | null;
  /** relative change from the previous period (null: not comparable) */
  change: number | null;
  drilldown: InboxFilters;
}

export interface BreakdownRow {
  key: string;
  /** a name from the reference data (department, category, agent, area); null: the console words the code */
  label: string | null;
  /** departments: the parent in the tree, to indent the rows */
  parentKey: string | null;
  values: Partial<Record<FigureCode, number | null>>;
  drilldown: InboxFilters;
}

export interface Dashboard {
  period: Period;
  previous: Period;
  timeZone: string;
  scope: { whole: boolean; departmentIds: string[] };
  filters: Record<string, string[] | string>;
  figures: FigureValue[];
  ageProfile: Array<{ code: string; count: number }>;
  breakdown: { by: Breakdown; rows: BreakdownRow[] } | null;
  steps: Array<{ definitionCode: string; step: string; count: number; meanBusinessMinutes: number; meanCalendarMinutes: number }>;
  /** how many changed requests the rollup has not folded yet (seconds behind, at most) */
  pending: number;
}

const DAY_MS = 86_400_000;

/** 'YYYY-MM' → 'YYYY-MM-01' of the month after */
const monthAfter = (month: string): string => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
};

/** Rows taken away instead of added (the days outside the period of a month the cube counts whole). */
const minusCounts = (rows: readonly CountsRow[]): CountsRow[] =>
  rows.map((r) => {
    const out = { ...r };
    for (const f of COUNT_FIELDS) out[f] = -r[f];
    return out;
  });
const minusN = <T extends { n: number }>(rows: readonly T[]): T[] => rows.map((r) => ({ ...r, n: -r.n }));

/** Counts added per key, histograms merged per key and measure, then the percentiles (libs/domain figures/histogram.ts). */
export function combineAggregates(
  counts: ReadonlyArray<readonly CountsRow[]>,
  backlog: ReadonlyArray<ReadonlyArray<{ key: string | null; n: number }>> | null,
  durations: ReadonlyArray<readonly DurationRow[]>,
): AggregateRow[] {
  const keyOf = (k: string | null) => k ?? '\u0000';
  const sums = new Map<string, CountsRow>();
  const row = (key: string | null): CountsRow => {
    let r = sums.get(keyOf(key));
    if (!r) {
      r = { key } as CountsRow;
      for (const f of COUNT_FIELDS) (r as unknown as Record<string, number>)[f] = 0;
      sums.set(keyOf(key), r);
    }
    return r;
  };
  for (const part of counts)
    for (const c of part) {
      const r = row(c.key) as unknown as Record<string, number>;
      for (const f of COUNT_FIELDS) if (f !== 'backlog' || backlog === null) r[f] += c[f];
    }
  if (backlog) for (const part of backlog) for (const b of part) row(b.key).backlog += b.n;
  const hist = new Map<string, Map<number, Map<number, number>>>();
  for (const part of durations)
    for (const d of part) {
      row(d.key);
      let byMeasure = hist.get(keyOf(d.key));
      if (!byMeasure) hist.set(keyOf(d.key), (byMeasure = new Map()));
      let h = byMeasure.get(d.measure);
      if (!h) byMeasure.set(d.measure, (h = new Map()));
      mergeHistogram(h, [[d.bucket, d.n]]);
    }
  return [...sums.entries()].map(([k, c]) => {
    const h = hist.get(k);
    const pct = (measure: number, p: number, perDay: boolean) => {
      const v = h?.get(measure) ? percentileFromHistogram(h.get(measure) as Map<number, number>, p) : null;
      return v === null ? null : perDay ? v / MINUTES_PER_DAY : v;
    };
    const M = DURATION_MEASURES;
    return {
      ...c,
      fr_business_median: pct(M.first_response_business, 0.5, false),
      fr_business_p90: pct(M.first_response_business, 0.9, false),
      fr_days_median: pct(M.first_response_days, 0.5, true),
      fr_days_p90: pct(M.first_response_days, 0.9, true),
      res_business_median: pct(M.resolution_business, 0.5, false),
      res_business_p90: pct(M.resolution_business, 0.9, false),
      res_days_median: pct(M.resolution_days, 0.5, true),
      res_days_p90: pct(M.resolution_days, 0.9, true),
    };
  });
}

/** Each department's rows once more under each of its ancestors (its own id included), for combineAggregates to add up. */
function rolledUp<T extends { key: string | null }>(parts: ReadonlyArray<readonly T[]>, up: ReadonlyMap<string, string[]>): T[][] {
  return parts.map((part) => part.flatMap((r) => (r.key === null ? [r] : (up.get(r.key) ?? [r.key]).map((key) => ({ ...r, key })))));
}

/** An aggregate's parts (ReportingService.aggregateParts), per key of its breakdown, departments each on its own. */
interface AggregateParts {
  counts: ReadonlyArray<readonly CountsRow[]>;
  open: ReadonlyArray<ReadonlyArray<{ key: string | null; n: number }>>;
  durations: ReadonlyArray<readonly DurationRow[]>;
}

/** The whole of a breakdown that partitions its scope: every key's parts as one (counts added, histograms merged). */
function wholeOf(p: AggregateParts): AggregateRow[] {
  const one = <T extends { key: string | null }>(parts: ReadonlyArray<readonly T[]>) =>
    parts.map((part) => part.map((r) => ({ ...r, key: null })));
  return combineAggregates(one(p.counts), one(p.open), one(p.durations));
}

/** The figures of one aggregate row, by code. */
export function figureValues(a: AggregateRow): Record<FigureCode, number | null> {
  return {
    received: a.received,
    resolved: a.resolved,
    closed: a.closed,
    backlog: a.backlog,
    first_response_business_median: a.fr_business_median,
    first_response_business_p90: a.fr_business_p90,
    first_response_days_median: a.fr_days_median,
    first_response_days_p90: a.fr_days_p90,
    resolution_business_median: a.res_business_median,
    resolution_business_p90: a.res_business_p90,
    resolution_days_median: a.res_days_median,
    resolution_days_p90: a.res_days_p90,
    sla_first_response_met_rate: ratio(a.sla_fr_met, a.sla_fr_total),
    sla_resolution_met_rate: ratio(a.sla_res_met, a.sla_res_total),
    sla_breaches: a.breaches,
    sla_escalations: a.escalations,
    reopen_rate: ratio(a.reopened, a.resolved),
    circuit_share: ratio(a.circuit, a.received),
    duplicates_ratio: ratio(a.duplicates, a.received),
  };
}

/** The one row of an aggregate without breakdown (nothing counted: zeros). */
const whole = (rows: AggregateRow[]): [AggregateRow] => [
  rows[0] ?? combineAggregates([[{ key: null, ...Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0])) } as CountsRow]], null, [])[0],
];

/** The figures a breakdown's table shows per row. */
export const BREAKDOWN_FIGURES: readonly FigureCode[] = [
  'received',
  'resolved',
  'backlog',
  'first_response_business_median',
  'resolution_business_median',
  'resolution_days_p90',
  'sla_resolution_met_rate',
  'sla_breaches',
  'reopen_rate',
];

const OPEN = 'new,open,waiting_citizen';
const DONE = 'resolved,closed';

/** What the inbox can show of a figure: the received requests of the period, the open ones at its end, the done ones… */
function drilldownOf(code: FigureCode, p: Period, base: InboxFilters): InboxFilters {
  const received = { ...base, createdFrom: p.from, createdTo: p.to };
  switch (code) {
    case 'backlog':
      return { ...base, status: OPEN, createdTo: p.to };
    case 'resolved':
    case 'closed':
    case 'resolution_business_median':
    case 'resolution_business_p90':
    case 'resolution_days_median':
    case 'resolution_days_p90':
    case 'sla_resolution_met_rate':
    case 'reopen_rate':
      return { ...base, status: code === 'closed' ? 'closed' : DONE, createdTo: p.to };
    case 'sla_breaches':
    case 'sla_escalations':
      return { ...received, breached: 'true' };
    default:
      return received;
  }
}

/**
 * The dashboards' figures: who sees what (a head and an élu: their departments and those below, the
 * admin — the DGS's account or the administrator — the whole town; per-agent figures for a head's own
 * agents only), the period and its comparison, breakdowns, drill-down filters. Reads the rollup only.
 */
@Injectable()
export class ReportingService {
  constructor(
    private readonly repo: ReportingRepository,
    private readonly departments: DepartmentsRepository,
    private readonly categories: CategoriesRepository,
    private readonly town: TownSettingsRepository,
  ) {}

  async timeZone(): Promise<string> {
    return (await this.town.get())?.timezone ?? 'Europe/Paris';
  }

  /** The period asked, else the 30 days ending today (town's time zone); 400 with the field at fault. */
  async period(q: Pick<FiguresQueryDto, 'from' | 'to'>): Promise<{ period: Period; timeZone: string }> {
    const timeZone = await this.timeZone();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const to = q.to ?? (q.from ? undefined : today);
    const from = q.from ?? (to ? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10) : undefined);
    const errors = periodErrors(from, to);
    if (errors.length) throw badRequest('Période invalide.', errors);
    return { period: { from: from as string, to: to as string }, timeZone };
  }

  /** The caller's scope narrowed by the filters; 404 for a department outside it, 403 for agents' figures beyond a head's. */
  async scope(
    actor: Actor,
    q: FiguresQueryDto,
    by: Breakdown | null,
  ): Promise<{ scope: FactsScope; visible: Set<string> | null; base: InboxFilters }> {
    const tree = await this.departments.tree();
    const mine = new Set(actor.agent.visibleDepartmentIds);
    // the admin, and whoever heads the root (the DGS): the whole town, without a department filter
    const whole = actor.agent.role === 'admin' || tree.every((d) => mine.has(d.id));
    const visible = whole ? null : mine;
    let departmentIds: string[] | null = visible ? [...visible] : null;
    if (q.departmentId?.length) {
      for (const id of q.departmentId) if (!tree.some((d) => d.id === id) || (visible && !visible.has(id))) throw notFound('Service');
      departmentIds = [...descendantIds(tree, q.departmentId)].filter((id) => !visible || visible.has(id));
    }
    let assigneeIds: string[] | undefined;
    if (by === 'agent') {
      if (actor.agent.role !== 'head' && actor.agent.role !== 'admin')
        throw forbidden('Les chiffres par agent sont réservés aux responsables de service, pour leurs agents.');
      if (actor.agent.role === 'head' && visible) assigneeIds = (await this.repo.agentsOf([...visible])).map((a) => a.id);
    }
    const scope: FactsScope = {
      departmentIds,
      categoryIds: q.categoryId,
      channels: q.channel,
      priorities: q.priority?.map(priorityRank),
      areas: q.area,
      assigneeIds,
    };
    const base: InboxFilters = {};
    if (q.departmentId?.length) base['departmentId'] = q.departmentId.join(',');
    if (q.categoryId?.length) base['categoryId'] = q.categoryId.join(',');
    if (q.channel?.length) base['channel'] = q.channel.join(',');
    if (q.priority?.length) base['priority'] = q.priority.join(',');
    return { scope, visible, base };
  }

  async dashboard(actor: Actor, q: FiguresQueryDto): Promise<Dashboard> {
    const { period, timeZone } = await this.period(q);
    const by = q.by ?? null;
    const { scope, visible, base } = await this.scope(actor, q, by);
    const previous = previousPeriod(period);
    const cur = periodInstants(period, timeZone);
    // a breakdown other than the agent's partitions the scope: the period's figures are its parts added up, read once
    const parts = this.aggregateParts(scope, period, timeZone, by === 'agent' ? null : by);
    const now = parts.then((p) => whole(wholeOf(p))[0]);
    const [a, ageProfile, [before], steps, pending, rows] = await Promise.all([
      now,
      this.repo.ageProfile(
        scope,
        cur.end,
        now.then((r) => r.backlog),
      ),
      this.aggregate(scope, previous, timeZone, null).then(whole),
      this.repo.steps(scope, cur.start, cur.end),
      this.repo.dirtyCount(),
      by === 'agent'
        ? this.breakdownRows(scope, visible, by, period, timeZone, base)
        : by
          ? parts.then((p) => this.combine(p, by)).then((r) => this.named(r, scope, visible, by, period, base))
          : null,
    ]);
    const values = figureValues(a);
    const b = figureValues(before);
    const figures = (Object.keys(values) as FigureCode[]).map((code) => ({
      code,
      value: values[code],
      previous: b[code],
      change: change(values[code], b[code]),
      drilldown: drilldownOf(code, period, base),
    }));
    return {
      period,
      previous,
      timeZone,
      scope: { whole: visible === null, departmentIds: scope.departmentIds ? [...scope.departmentIds] : [] },
      filters: this.filtersOf(q),
      figures,
      ageProfile,
      breakdown: by && rows ? { by, rows } : null,
      steps,
      pending,
    };
  }

  /** The rows of a breakdown, named, departments in tree order with their parent. */
  async breakdownRows(
    scope: FactsScope,
    visible: Set<string> | null,
    by: Breakdown,
    period: Period,
    timeZone: string,
    base: InboxFilters,
  ): Promise<BreakdownRow[]> {
    return this.named(await this.aggregate(scope, period, timeZone, by), scope, visible, by, period, base);
  }

  /** A breakdown's aggregate rows named and linked to the inbox (departments in tree order with their parent). */
  private async named(
    rows: AggregateRow[],
    scope: FactsScope,
    visible: Set<string> | null,
    by: Breakdown,
    period: Period,
    base: InboxFilters,
  ): Promise<BreakdownRow[]> {
    const names = new Map<string, string>();
    const parents = new Map<string, string | null>();
    if (by === 'department') {
      for (const d of await this.departments.tree()) {
        names.set(d.id, d.name ?? d.id);
        parents.set(d.id, d.parentId);
      }
    } else if (by === 'category') {
      for (const c of await this.categories.list()) names.set(c.id, c.nameFr);
    } else if (by === 'agent') {
      for (const a of await this.repo.agentNames(rows.map((r) => r.key).filter((k): k is string => !!k))) names.set(a.id, a.name);
    }
    const inScope = (key: string) =>
      by !== 'department' || ((visible === null || visible.has(key)) && (!scope.departmentIds || scope.departmentIds.includes(key)));
    return rows
      .filter((r) => r.key !== null && inScope(r.key))
      .map((r) => {
        const key = r.key as string;
        const values = figureValues(r);
        const filter: InboxFilters = { ...base };
        if (by === 'department') filter['departmentId'] = key;
        if (by === 'category') filter['categoryId'] = key;
        if (by === 'channel') filter['channel'] = key;
        if (by === 'agent') filter['assigneeId'] = key || 'none';
        return {
          key,
          label: by === 'area' ? key || null : (names.get(key) ?? null),
          parentKey: by === 'department' ? (parents.get(key) ?? null) : null,
          values: Object.fromEntries(BREAKDOWN_FIGURES.map((c) => [c, values[c]])),
          drilldown: { ...filter, createdFrom: period.from, createdTo: period.to },
        };
      })
      .sort((x, y) => (y.values.received ?? 0) - (x.values.received ?? 0) || x.key.localeCompare(y.key));
  }

  /**
   * The aggregates of a period: the calendar months it touches from the cube (when the commune's is built in the
   * town's time zone), with the facts of the days that complete them — the days of a month in the period added,
   * or the days of a month outside it taken away, whichever are fewer (`cubePlan`); the backlog the same way, from
   * the cube's at a month's start moved by the facts of the days since or until it (`backlogPlan`). Counts exact,
   * medians and p90 from the duration histograms. Per-agent figures (the agent is not a cube dimension) read the
   * facts alone, with the same histograms.
   */
  async aggregate(scope: FactsScope, period: Period, timeZone: string, by: Breakdown | null): Promise<AggregateRow[]> {
    return this.combine(await this.aggregateParts(scope, period, timeZone, by), by);
  }

  /** The parts of an aggregate added up per key; per department, each counted again under its ancestors (the tree rolled up). */
  private async combine(p: AggregateParts, by: Breakdown | null): Promise<AggregateRow[]> {
    if (by !== 'department') return combineAggregates(p.counts, p.open, p.durations);
    const up = ancestryIndex(await this.departments.tree());
    return combineAggregates(rolledUp(p.counts, up), rolledUp(p.open, up), rolledUp(p.durations, up));
  }

  /** What `aggregate` adds up: the counts, backlog and histograms of each source (cube, facts), per key of `by`. */
  private async aggregateParts(scope: FactsScope, period: Period, timeZone: string, by: Breakdown | null): Promise<AggregateParts> {
    const { start, end } = periodInstants(period, timeZone);
    const cube = by !== 'agent' && !scope.assigneeIds && (await this.repo.cubeTimeZone()) === timeZone;
    const today = localDate(timeZone, new Date());
    const instants = (p: Period) => periodInstants(p, timeZone);
    const b = backlogPlan(period.to, today);
    const backlog = cube
      ? [
          this.repo.cubeOpen(scope, b.month, by),
          ...(b.days
            ? [
                this.repo
                  .factsOpenDelta(scope, instants(b.days.period).start, instants(b.days.period).end, by)
                  .then((r) => (b.days?.sign === -1 ? minusN(r) : r)),
              ]
            : []),
        ]
      : [this.repo.factsBacklog(scope, end, by)];
    const plan = cube ? cubePlan(period, today) : { months: null, days: [{ period, sign: 1 as const }] };
    const months = plan.months ? { from: `${plan.months.from}-01`, to: monthAfter(plan.months.to) } : null;
    // the histograms are kept over one dimension at a time: the breakdown's, or the one filtered on
    const filtered = (['category', 'channel', 'priority', 'area'] as const).filter((d) => cubeDimFilter(scope, d));
    const byDim = by === 'category' || by === 'channel' || by === 'priority' || by === 'area' ? by : null;
    const dim: CubeDim | null = byDim
      ? filtered.every((d) => d === byDim)
        ? byDim
        : null
      : filtered.length <= 1
        ? (filtered[0] ?? 'category')
        : null;
    const [open, countParts, durationParts] = await Promise.all([
      Promise.all(backlog),
      Promise.all([
        ...(months ? [this.repo.cubeCounts(scope, months.from, months.to, by)] : []),
        ...plan.days.map((d) =>
          this.repo
            .factsCounts(scope, instants(d.period).start, instants(d.period).end, by)
            .then((r) => (d.sign === -1 ? minusCounts(r) : r)),
        ),
      ]),
      months && dim
        ? Promise.all([
            this.repo.cubeDurations(scope, months.from, months.to, by, dim),
            ...plan.days.map((d) =>
              this.repo
                .factsDurations(scope, instants(d.period).start, instants(d.period).end, by)
                .then((r) => (d.sign === -1 ? minusN(r) : r)),
            ),
          ])
        : // no month from the cube, or filters on two dimensions: the facts' durations over the whole period (same buckets)
          Promise.all([this.repo.factsDurations(scope, start, end, by)]),
    ]);
    return { counts: countParts, open, durations: durationParts };
  }

  filtersOf(q: FiguresQueryDto): Record<string, string[] | string> {
    const out: Record<string, string[] | string> = {};
    for (const k of ['departmentId', 'categoryId', 'channel', 'priority', 'area', 'by'] as const) {
      const v = q[k];
      if (v !== undefined && (!Array.isArray(v) || v.length)) out[k] = v as string[] | string;
    }
    return out;
  }
}
