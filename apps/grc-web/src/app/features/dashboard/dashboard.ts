import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, computed, effect, inject, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import type { Breakdown, Department, FigureCode } from '@grc/domain';
import type { Chart } from 'chart.js';
import { API, Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n, type MsgKey } from '../../core/i18n';
import { RefData } from '../../core/ref-data';
import { DASHBOARD_I18N, definitionKey, figureKey, type DashboardKey } from './dashboard-i18n';

interface FigureValue {
  code: FigureCode;
  value: number | null;
  previous: number | null;
  change: number | null;
  drilldown: Record<string, string>;
}
interface BreakdownRow {
  key: string;
  label: string | null;
  parentKey: string | null;
  values: Partial<Record<FigureCode, number | null>>;
  drilldown: Record<string, string>;
}
interface DashboardDto {
  period: { from: string; to: string };
  previous: { from: string; to: string };
  timeZone: string;
  scope: { whole: boolean; departmentIds: string[] };
  figures: FigureValue[];
  ageProfile: Array<{ code: string; count: number }>;
  breakdown: { by: Breakdown; rows: BreakdownRow[] } | null;
  steps: Array<{ definitionCode: string; step: string; count: number; meanBusinessMinutes: number; meanCalendarMinutes: number }>;
  pending: number;
}

/** The headline figures, in this order; the other codes are in the detailed table. */
const HEADLINE: readonly FigureCode[] = [
  'received',
  'resolved',
  'backlog',
  'resolution_business_median',
  'sla_resolution_met_rate',
  'reopen_rate',
];
const TABLE_FIGURES: readonly FigureCode[] = [
  'received',
  'resolved',
  'backlog',
  'resolution_business_median',
  'sla_resolution_met_rate',
  'sla_breaches',
];

const iso = (d: Date) => d.toISOString().slice(0, 10);
const daysAgo = (n: number) => iso(new Date(Date.now() - n * 86_400_000));

/**
 * The dashboard of a head (their departments), an élu (their delegation) and the DGS or admins (the whole
 * town, departments side by side): period and comparison, figures with their definition, charts (Chart.js,
 * loaded only here) each with its data table and a text summary, drill-down to the inbox, exports, print.
 */
@Component({
  selector: 'grc-dashboard',
  imports: [FormsModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard.html',
  styleUrl: './dashboard.css',
})
export class DashboardPage {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly auth = inject(Auth);
  protected readonly t = this.i18n.t;

  protected readonly from = signal(daysAgo(29));
  protected readonly to = signal(daysAgo(0));
  protected readonly by = signal<Breakdown>('department');
  /** '' : the whole scope; else one department (with those below it) */
  protected readonly departmentId = signal('');
  protected readonly departments = signal<Department[]>([]);
  protected readonly month = signal(
    new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 7),
  );
  protected readonly data = signal<DashboardDto | null>(null);
  protected readonly error = signal<'forbidden' | 'notFound' | 'invalid' | null>(null);
  protected readonly loading = signal(false);

  protected readonly breakdowns = computed<Breakdown[]>(() => {
    const all: Breakdown[] = ['department', 'category', 'channel', 'area', 'priority'];
    // per-agent figures: heads, for their own agents (the API scopes them), and admins
    return this.auth.me()?.role === 'head' || this.auth.isAdmin() ? [...all, 'agent'] : all;
  });
  protected readonly headline = computed(() => {
    const d = this.data();
    return d ? HEADLINE.map((c) => d.figures.find((f) => f.code === c)).filter((f): f is FigureValue => !!f) : [];
  });
  protected readonly tableFigures = TABLE_FIGURES;
  protected readonly ageTotal = computed(() => (this.data()?.ageProfile ?? []).reduce((n, a) => n + a.count, 0));
  protected readonly ageOld = computed(() =>
    (this.data()?.ageProfile ?? []).filter((a) => a.code === 'd30_90' || a.code === 'd90_plus').reduce((n, a) => n + a.count, 0),
  );
  protected readonly rows = computed(() => {
    const b = this.data()?.breakdown;
    if (!b) return [];
    if (b.by !== 'department') return b.rows;
    // departments in tree order, children under their parent
    const byParent = new Map<string | null, BreakdownRow[]>();
    const keys = new Set(b.rows.map((r) => r.key));
    for (const r of b.rows) {
      const p = r.parentKey && keys.has(r.parentKey) ? r.parentKey : null;
      byParent.set(p, [...(byParent.get(p) ?? []), r]);
    }
    const out: Array<BreakdownRow & { depth: number }> = [];
    const walk = (p: string | null, depth: number) => {
      for (const r of byParent.get(p) ?? []) {
        out.push({ ...r, depth });
        walk(r.key, depth + 1);
      }
    };
    walk(null, 0);
    return out;
  });

  private readonly volumeCanvas = viewChild<ElementRef<HTMLCanvasElement>>('volumeChart');
  private readonly ageCanvas = viewChild<ElementRef<HTMLCanvasElement>>('ageChart');
  private charts: Chart[] = [];

  constructor() {
    inject(RefData)
      .departments()
      .subscribe((d) => this.departments.set(d.filter((x) => x.active)));
    this.load();
    // the charts follow the data and the language; Chart.js is imported here only (the feature's lazy chunk)
    effect(() => {
      const d = this.data();
      const lang = this.i18n.lang();
      const volume = this.volumeCanvas()?.nativeElement;
      const age = this.ageCanvas()?.nativeElement;
      if (!d || !volume || !age) return;
      void this.draw(d, lang, volume, age);
    });
    inject(DestroyRef).onDestroy(() => this.charts.forEach((c) => c.destroy()));
  }

  protected tr(key: DashboardKey, params?: Record<string, string | number>): string {
    let text = DASHBOARD_I18N[this.i18n.lang()][key];
    for (const [k, v] of Object.entries(params ?? {})) text = text.split(`{${k}}`).join(String(v));
    return text;
  }
  protected figureName(code: FigureCode): string {
    return this.tr(figureKey(code));
  }
  protected definition(code: FigureCode): string {
    return this.tr(definitionKey(code));
  }
  protected byLabel(b: Breakdown): string {
    return this.tr(`by.${b}` as DashboardKey);
  }

  /** A figure's value worded for its unit. */
  protected format(code: FigureCode, v: number | null | undefined): string {
    if (v === null || v === undefined) return this.tr('none');
    const n = (x: number, digits: number) =>
      new Intl.NumberFormat(this.i18n.lang() === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: digits }).format(x);
    if (code.endsWith('_rate') || code.endsWith('_share') || code.endsWith('_ratio'))
      return new Intl.NumberFormat(this.i18n.lang() === 'en' ? 'en-GB' : 'fr-FR', { style: 'percent', maximumFractionDigits: 1 }).format(v);
    if (code.includes('_business_')) return this.tr('unit.hours', { v: n(v / 60, 1) });
    if (code.includes('_days_')) return this.tr('unit.days', { v: n(v, 1) });
    return n(v, 0);
  }
  protected formatChange(c: number | null): string {
    if (c === null) return this.tr('none');
    const s = new Intl.NumberFormat(this.i18n.lang() === 'en' ? 'en-GB' : 'fr-FR', {
      style: 'percent',
      maximumFractionDigits: 1,
      signDisplay: 'exceptZero',
    }).format(c);
    return s;
  }
  protected rowLabel(r: BreakdownRow): string {
    const by = this.data()?.breakdown?.by;
    if (r.label) return r.label;
    if (by === 'channel') return this.t(`channel.${r.key}` as MsgKey);
    if (by === 'priority') return this.t(`priority.${['low', 'normal', 'high', 'urgent'][Number(r.key)] ?? 'normal'}` as MsgKey);
    if (by === 'area') return this.tr('noArea');
    if (by === 'agent') return this.tr('noAgent');
    return r.key;
  }
  protected ageLabel(code: string): string {
    return this.tr(`age.${code}` as DashboardKey);
  }
  protected summary(): string {
    const d = this.data();
    if (!d) return '';
    const v = (c: FigureCode) => d.figures.find((f) => f.code === c)?.value ?? null;
    return this.tr(v('sla_resolution_met_rate') === null ? 'summaryNoSla' : 'summary', {
      from: d.period.from,
      to: d.period.to,
      received: this.format('received', v('received')),
      resolved: this.format('resolved', v('resolved')),
      backlog: this.format('backlog', v('backlog')),
      sla: this.format('sla_resolution_met_rate', v('sla_resolution_met_rate')),
    });
  }
  protected breakdownSummary(): string {
    const rows = this.rows();
    const top = [...rows].sort((a, b) => (b.values.received ?? 0) - (a.values.received ?? 0))[0];
    return top ? this.tr('breakdownSummary', { n: rows.length, top: this.rowLabel(top), count: top.values.received ?? 0 }) : '';
  }

  protected preset(kind: 'month' | '30' | 'year'): void {
    const now = new Date();
    if (kind === '30') {
      this.from.set(daysAgo(29));
      this.to.set(daysAgo(0));
    } else if (kind === 'year') {
      this.from.set(daysAgo(364));
      this.to.set(daysAgo(0));
    } else {
      this.from.set(iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))));
      this.to.set(iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0))));
    }
    this.load();
  }

  protected load(): void {
    this.loading.set(true);
    this.api
      .get<DashboardDto>('/reporting/dashboard', { from: this.from(), to: this.to(), by: this.by(), departmentId: this.departmentId() })
      .subscribe({
        next: (d) => {
          this.error.set(null);
          this.data.set(d);
          this.loading.set(false);
        },
        error: (e: { status?: number }) => {
          this.loading.set(false);
          this.error.set(e.status === 403 ? 'forbidden' : e.status === 404 ? 'notFound' : 'invalid');
        },
      });
  }

  protected exportUrl(format: 'csv' | 'xlsx', kind: 'breakdown' | 'requests' = 'breakdown'): string {
    const q = new URLSearchParams({ from: this.from(), to: this.to(), by: this.by(), format, kind });
    if (this.departmentId()) q.set('departmentId', this.departmentId());
    return `${API}/reporting/export?${q}`;
  }
  protected reportUrl(): string {
    const q = new URLSearchParams({ month: this.month() });
    if (this.departmentId()) q.set('departmentId', this.departmentId());
    return `${API}/reporting/monthly-report?${q}`;
  }
  protected print(): void {
    window.print();
  }

  private async draw(d: DashboardDto, lang: 'fr' | 'en', volume: HTMLCanvasElement, age: HTMLCanvasElement): Promise<void> {
    const { Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip } = await import('chart.js');
    Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
    this.charts.forEach((c) => c.destroy());
    const rows = this.rows().slice(0, 15);
    const common = { responsive: true, maintainAspectRatio: false, animation: false as const };
    this.charts = [
      new Chart(volume, {
        type: 'bar',
        data: {
          labels: rows.map((r) => this.rowLabel(r)),
          datasets: [
            { label: this.figureName('received'), data: rows.map((r) => r.values.received ?? 0), backgroundColor: '#000091' },
            { label: this.figureName('resolved'), data: rows.map((r) => r.values.resolved ?? 0), backgroundColor: '#18753c' },
            { label: this.figureName('backlog'), data: rows.map((r) => r.values.backlog ?? 0), backgroundColor: '#b34000' },
          ],
        },
        options: { ...common, indexAxis: 'y', plugins: { legend: { position: 'bottom' } } },
      }),
      new Chart(age, {
        type: 'bar',
        data: {
          labels: d.ageProfile.map((a) => this.ageLabel(a.code)),
          datasets: [{ label: this.tr('requests'), data: d.ageProfile.map((a) => a.count), backgroundColor: '#6a6af4' }],
        },
        options: { ...common, plugins: { legend: { display: false } } },
      }),
    ];
    void lang;
  }
}
