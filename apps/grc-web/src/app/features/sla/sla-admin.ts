import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import {
  WEEKDAYS,
  parseOpeningRange,
  type SlaCalendarDto,
  type SlaDuration,
  type SlaPolicyDto,
  type WorkflowDefinitionSummary,
  type WorkflowDefinitionVersion,
} from '@grc/domain';
import { catchError, forkJoin, map, of, switchMap } from 'rxjs';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { RefData } from '../../core/ref-data';
import { ErrorAlert } from '../../shared/form-errors';
import { CalendarEditor } from './calendar-editor';
import { PolicyEditor, type StepChoice } from './policy-editor';

/**
 * Administration › Délais (SLA): the business calendars (town default, per department) and the
 * policies, each listed with a summary and edited in a form (one calendar and one policy at a time).
 */
@Component({
  selector: 'grc-sla-admin',
  imports: [CalendarEditor, PolicyEditor, ErrorAlert],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: `.muted { color: var(--c-muted); }`,
  templateUrl: './sla-admin.html',
})
export class SlaAdmin {
  private readonly api = inject(Api);
  private readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  private readonly ref = inject(RefData);
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });
  protected readonly categories = toSignal(this.ref.categories(), { initialValue: [] });
  /** steps of the published circuits, offered as suggestions for per-step targets */
  protected readonly stepChoices = toSignal(this.loadStepChoices(), { initialValue: [] as StepChoice[] });
  protected readonly calendars = signal<SlaCalendarDto[]>([]);
  protected readonly policies = signal<SlaPolicyDto[]>([]);
  protected readonly loading = signal(true);
  protected readonly loadError = signal<UiError | null>(null);
  /** the editor open: { item: null } for a new one */
  protected readonly calendarEditing = signal<{ item: SlaCalendarDto | null } | null>(null);
  protected readonly policyEditing = signal<{ item: SlaPolicyDto | null } | null>(null);
  protected readonly defaultCalendar = computed(() => this.calendars().find((c) => c.departmentId === null) ?? null);

  constructor() {
    forkJoin([this.api.get<SlaCalendarDto[]>('/sla/calendars'), this.api.get<SlaPolicyDto[]>('/sla/policies')]).subscribe({
      next: ([c, p]) => {
        this.calendars.set(c);
        this.policies.set(p);
        this.loading.set(false);
      },
      error: (e: unknown) => {
        this.loading.set(false);
        this.loadError.set(toUiError(e));
      },
    });
  }

  private loadStepChoices() {
    return this.api.get<WorkflowDefinitionSummary[]>('/workflows/definitions').pipe(
      switchMap((defs) => {
        const published = defs.filter((d) => d.publishedVersion !== null);
        if (!published.length) return of([] as WorkflowDefinitionVersion[]);
        return forkJoin(
          published.map((d) => this.api.get<WorkflowDefinitionVersion>(`/workflows/definitions/${encodeURIComponent(d.code)}`)),
        );
      }),
      map((versions) => {
        const seen = new Map<string, StepChoice>();
        for (const v of versions) {
          for (const s of v.diagram?.steps ?? [])
            if (!seen.has(s.id)) seen.set(s.id, { id: s.id, label: `${v.name} — ${s.label ?? s.id}` });
        }
        return [...seen.values()];
      }),
      catchError(() => of([] as StepChoice[])),
    );
  }

  protected deptName(id: string): string {
    return this.departments().find((d) => d.id === id)?.name ?? id;
  }
  protected takenDepartments(item: SlaCalendarDto | null): string[] {
    return this.calendars()
      .filter((c) => c.departmentId && c.id !== item?.id)
      .map((c) => c.departmentId as string);
  }

  protected weekSummary(c: SlaCalendarDto): string {
    let minutes = 0;
    let days = 0;
    for (const d of WEEKDAYS) {
      const ranges = c.calendar.weeklyHours?.[d] ?? [];
      if (ranges.length) days++;
      for (const r of ranges) {
        const p = parseOpeningRange(r);
        if (p) minutes += p[1] - p[0];
      }
    }
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return this.t('slaAdmin.weekSummary', { days, hours: m ? `${h} h ${String(m).padStart(2, '0')}` : `${h} h` });
  }
  protected matchSummary(p: SlaPolicyDto): string {
    const parts: string[] = [];
    const cats = p.match.categoryCodes;
    if (cats?.length) {
      const names = cats.map((code) => this.i18n.categoryName(this.categories().find((c) => c.code === code)) || code);
      parts.push(names.join(', '));
    }
    if (p.match.priorities?.length) parts.push(p.match.priorities.map((x) => this.i18n.priority(x)).join(', '));
    if (p.match.channels?.length) parts.push(p.match.channels.map((x) => this.i18n.channel(x)).join(', '));
    return parts.length ? parts.join(' · ') : this.t('slaAdmin.allRequests');
  }
  private duration(d: SlaDuration): string {
    return `${d.amount} ${this.t(`slaAdmin.unit.${d.unit}` as MsgKey)}`;
  }
  protected targetsSummary(p: SlaPolicyDto): string {
    const parts: string[] = [];
    const item = (target: string, d: SlaDuration) => this.t('slaAdmin.targetSummary', { target, duration: this.duration(d) });
    if (p.targets.firstResponse) parts.push(item(this.t('sla.target.firstResponse'), p.targets.firstResponse));
    if (p.targets.resolution) parts.push(item(this.t('sla.target.resolution'), p.targets.resolution));
    for (const [step, d] of Object.entries(p.targets.steps ?? {})) parts.push(item(step, d));
    return parts.join(this.t('slaAdmin.listSeparator'));
  }
  protected ladderSummary(p: SlaPolicyDto): string {
    return p.ladder.map((s) => `${s.atPercent} %`).join(', ');
  }

  protected editCalendar(c: SlaCalendarDto): void {
    this.calendarEditing.set({ item: c });
    this.focusLater('#cal-h');
  }
  protected newCalendar(): void {
    this.calendarEditing.set({ item: null });
    this.focusLater('#cal-h');
  }
  protected calendarChanged(saved: SlaCalendarDto): void {
    this.calendars.update((list) =>
      list.some((c) => c.id === saved.id) ? list.map((c) => (c.id === saved.id ? saved : c)) : [...list, saved],
    );
    this.calendarEditing.set({ item: saved });
  }
  protected closeCalendar(): void {
    const id = this.calendarEditing()?.item?.id;
    this.calendarEditing.set(null);
    this.focusLater(id ? `#cal-edit-${id}` : '#cal-new');
  }

  protected editPolicy(p: SlaPolicyDto): void {
    this.policyEditing.set({ item: p });
    this.focusLater('#pol-h');
  }
  protected newPolicy(): void {
    this.policyEditing.set({ item: null });
    this.focusLater('#pol-h');
  }
  protected policyChanged(saved: SlaPolicyDto): void {
    this.policies.update((list) =>
      list.some((p) => p.id === saved.id)
        ? list.map((p) => (p.id === saved.id ? saved : p))
        : [...list, saved].sort((a, b) => a.id.localeCompare(b.id)),
    );
    this.policyEditing.set({ item: saved });
  }
  protected closePolicy(): void {
    const id = this.policyEditing()?.item?.id;
    this.policyEditing.set(null);
    this.focusLater(id ? `#pol-edit-${id}` : '#pol-new');
  }

  private focusLater(selector: string): void {
    setTimeout(() => document.querySelector<HTMLElement>(selector)?.focus());
  }
}
