import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterNextRender,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { WEEKDAYS, frenchPublicHolidays, type BusinessCalendar, type Department, type SlaCalendarDto, type Weekday } from '@grc/domain';
import type { Observable } from 'rxjs';
import type { MsgKey } from '../../core/i18n';
import {
  FRENCH_TIME_ZONES,
  calendarBody,
  calendarForm,
  calendarProblems,
  importedCalendar,
  rowKey,
  type CalendarForm,
} from './calendar-form';
import { SLA_FORM_ERRORS, SlaErrors } from './sla-form-errors';
import { SlaEditorBase } from './sla-editor-base';
import { SlaJsonIo } from './sla-json-io';
import { collator } from '../../shared/collate';

const LOCALES = { fr: 'fr-FR', en: 'en-GB' } as const;

/**
 * One business calendar as a form: opening hours per weekday (any number of ranges a day), closures
 * (whole days or from/to a time), public holidays (with a preview of this year's, computed by the
 * domain), time zone and department. Saves with the version it was loaded at (409: offers to reload).
 */
@Component({
  selector: 'grc-sla-calendar-editor',
  imports: [...SLA_FORM_ERRORS, SlaJsonIo],
  providers: [SlaErrors],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './sla-editor.css',
  templateUrl: './calendar-editor.html',
})
export class CalendarEditor extends SlaEditorBase<SlaCalendarDto> {
  /** the calendar edited, or null for a new department calendar */
  readonly calendar = input<SlaCalendarDto | null>(null);
  /** a new calendar starts from these hours (the town default's) */
  readonly template = input<BusinessCalendar | null>(null);
  readonly departments = input<readonly Department[]>([]);
  /** departments that already have a calendar (other than this one) */
  readonly takenDepartmentIds = input<readonly string[]>([]);
  readonly defaultExists = input(true);

  protected readonly weekdays = WEEKDAYS;
  protected readonly year = new Date().getFullYear();
  protected readonly draft = signal<CalendarForm>(calendarForm({ name: '', departmentId: null, calendar: {} }));
  protected readonly isDefault = computed(() => this.calendar()?.departmentId === null);
  protected readonly body = computed(() => calendarBody(this.draft()));
  protected readonly holidays = computed(() => frenchPublicHolidays(this.year, { alsaceMoselle: this.draft().alsaceMoselle }));
  protected readonly timeZones = computed(() => {
    const tz = this.draft().timeZone;
    return (FRENCH_TIME_ZONES as readonly string[]).includes(tz) ? FRENCH_TIME_ZONES : [tz, ...FRENCH_TIME_ZONES];
  });
  protected readonly departmentChoices = computed(() => {
    const taken = new Set(this.takenDepartmentIds());
    return this.departments()
      .filter((d) => !taken.has(d.id))
      .sort((a, b) => collator('fr').compare(a.name, b.name));
  });

  constructor() {
    super();
    const host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
    effect(() => {
      const c = this.calendar();
      untracked(() => {
        this.draft.set(c ? calendarForm(c) : calendarForm({ name: '', departmentId: null, calendar: this.template() ?? {} }));
        if (!c) this.draft.update((f) => ({ ...f, name: '', closures: [] }));
        this.errors.clear();
      });
    });
    afterNextRender(() => host.querySelector<HTMLElement>('#cal-h')?.focus());
  }

  protected dayName(day: Weekday): string {
    return this.t(`slaAdmin.day.${day}` as MsgKey);
  }
  protected longDate(date: string): string {
    return new Intl.DateTimeFormat(LOCALES[this.i18n.lang()], { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(
      new Date(`${date}T00:00:00Z`),
    );
  }
  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }
  protected checked(e: Event): boolean {
    return (e.target as HTMLInputElement).checked;
  }

  /** Edits the draft in place and publishes it; `structural` changes (rows added or removed) clear the errors, whose paths hold indexes. */
  private edit(fn: (f: CalendarForm) => void, structural = false): void {
    const f = this.draft();
    fn(f);
    this.draft.set({ ...f });
    if (structural) this.errors.clear();
  }
  protected set<K extends 'name' | 'departmentId' | 'timeZone' | 'france' | 'alsaceMoselle'>(key: K, v: CalendarForm[K]): void {
    this.edit((f) => (f[key] = v));
  }
  protected setRange(day: Weekday, i: number, end: 'from' | 'to', v: string): void {
    this.edit((f) => (f.week[day][i][end] = v));
  }
  protected addRange(day: Weekday): void {
    this.edit((f) => {
      const last = f.week[day][f.week[day].length - 1];
      f.week[day] = [...f.week[day], { key: rowKey(), from: last?.to && last.to !== '00:00' ? last.to : '', to: '' }];
    }, true);
    this.focusLater(`#cal-${day}-${this.draft().week[day].length - 1}-from`);
  }
  protected removeRange(day: Weekday, i: number): void {
    this.edit((f) => (f.week[day] = f.week[day].filter((_, k) => k !== i)), true);
    this.focusLater(this.draft().week[day].length ? `#cal-${day}-${Math.max(0, i - 1)}-from` : `tr[data-day="${day}"] button`);
  }
  protected setClosure(i: number, key: 'fromDate' | 'fromTime' | 'toDate' | 'toTime' | 'label', v: string): void {
    this.edit((f) => (f.closures[i][key] = v));
  }
  protected addClosure(): void {
    this.edit(
      (f) => (f.closures = [...f.closures, { key: rowKey(), fromDate: '', fromTime: '', toDate: '', toTime: '', label: '' }]),
      true,
    );
    this.focusLater(`#cal-cl-${this.draft().closures.length - 1}-from`);
  }
  protected removeClosure(i: number): void {
    this.edit((f) => (f.closures = f.closures.filter((_, k) => k !== i)), true);
    this.focusLater(this.draft().closures.length ? `#cal-cl-${Math.min(i, this.draft().closures.length - 1)}-from` : '#cal-add-closure');
  }

  protected import(doc: unknown, accept: (ok: boolean) => void): void {
    const f = importedCalendar(doc, this.draft());
    if (f && this.isDefault()) f.departmentId = '';
    if (f) {
      this.draft.set(f);
      this.errors.clear();
    }
    accept(!!f);
  }

  protected save(): void {
    const f = this.draft();
    const local = calendarProblems(f, (k) => this.t(k));
    const current = this.calendar();
    if (!current && !f.departmentId && this.defaultExists()) local.unshift({ field: 'departmentId', message: this.t('slaAdmin.required') });
    const body = this.body();
    this.submit(local, (): Observable<SlaCalendarDto> =>
      current
        ? this.api.put<SlaCalendarDto>(`/sla/calendars/${current.id}`, { ...body, version: current.version })
        : this.api.post<SlaCalendarDto>('/sla/calendars', body),
    );
  }

  /** After a 409: the version stored now replaces the draft. */
  protected reload(): void {
    this.reloadFrom('/sla/calendars', this.calendar()?.id, '#cal-h');
  }
}
