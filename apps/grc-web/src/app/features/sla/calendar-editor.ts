import {
  ChangeDetectionStrategy, Component, ElementRef, afterNextRender, computed, effect, inject, input, signal, untracked,
} from '@angular/core';
import { WEEKDAYS, frenchPublicHolidays, type BusinessCalendar, type Department, type SlaCalendarDto, type Weekday } from '@grc/domain';
import type { Observable } from 'rxjs';
import type { MsgKey } from '../../core/i18n';
import { FRENCH_TIME_ZONES, calendarBody, calendarForm, calendarProblems, importedCalendar, rowKey, type CalendarForm } from './calendar-form';
import { SLA_FORM_ERRORS, SlaErrors } from './sla-form-errors';
import { SlaEditorBase } from './sla-editor-base';
import { SlaJsonIo } from './sla-json-io';
import { SLA_EDITOR_STYLES } from './sla-styles';

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
  styles: SLA_EDITOR_STYLES,
  template: `
    <section class="card sla-editor" aria-labelledby="cal-h" data-testid="calendar-editor">
      <h3 id="cal-h" tabindex="-1">{{ calendar() ? t('slaAdmin.editCalendar', { name: calendar()!.name }) : t('slaAdmin.newCalendar') }}</h3>
      <grc-sla-error-summary idPrefix="cal" (reload)="reload()" />
      @let f = draft();
      <form novalidate (submit)="$event.preventDefault(); save()">
        <div class="grid">
          <div class="field">
            <label for="cal-name">{{ t('slaAdmin.name') }}</label>
            <input id="cal-name" autocomplete="off" [value]="f.name" (input)="set('name', value($event))" grcSlaField="name" errorId="cal-name-error" />
            <grc-sla-field-error paths="name" errorId="cal-name-error" />
          </div>
          @if (isDefault()) {
            <div class="field">
              <span class="field-label">{{ t('slaAdmin.department') }}</span>
              <p class="hint">{{ t('slaAdmin.defaultScope') }}</p>
            </div>
          } @else {
            <div class="field">
              <label for="cal-dept">{{ t('slaAdmin.department') }}</label>
              <select id="cal-dept" (change)="set('departmentId', value($event))" grcSlaField="departmentId" errorId="cal-dept-error" hintId="cal-dept-hint">
                @if (!defaultExists()) { <option value="" [selected]="f.departmentId === ''">{{ t('slaAdmin.default') }}</option> }
                @else if (!f.departmentId) { <option value="" selected>{{ t('slaAdmin.chooseDepartment') }}</option> }
                @for (d of departmentChoices(); track d.id) { <option [value]="d.id" [selected]="d.id === f.departmentId">{{ d.name }}</option> }
              </select>
              <p class="hint" id="cal-dept-hint">{{ t('slaAdmin.departmentHint') }}</p>
              <grc-sla-field-error paths="departmentId" errorId="cal-dept-error" />
            </div>
          }
          <div class="field">
            <label for="cal-tz">{{ t('slaAdmin.timeZone') }}</label>
            <select id="cal-tz" (change)="set('timeZone', value($event))" grcSlaField="calendar.timeZone" errorId="cal-tz-error">
              @for (z of timeZones(); track z) { <option [value]="z" [selected]="z === f.timeZone">{{ z }}</option> }
            </select>
            <grc-sla-field-error paths="calendar.timeZone" errorId="cal-tz-error" />
          </div>
        </div>

        <fieldset [attr.aria-describedby]="errors.messages(['calendar.weeklyHours']).length ? 'cal-week-error' : null">
          <legend>{{ t('slaAdmin.openingHours') }}</legend>
          <p class="hint" id="cal-week-hint">{{ t('slaAdmin.openingHoursHint') }}</p>
          <grc-sla-field-error paths="calendar.weeklyHours" errorId="cal-week-error" />
          <div class="table-wrap">
            <table class="data sla-week" aria-describedby="cal-week-hint">
              <caption class="sr-only">{{ t('slaAdmin.openingHours') }}</caption>
              <thead>
                <tr><th scope="col">{{ t('slaAdmin.day') }}</th><th scope="col">{{ t('slaAdmin.ranges') }}</th><th scope="col">{{ t('common.actions') }}</th></tr>
              </thead>
              <tbody>
                @for (day of weekdays; track day) {
                  <tr [attr.data-day]="day">
                    <th scope="row">{{ dayName(day) }}</th>
                    <td>
                      @for (r of f.week[day]; track r.key; let i = $index) {
                        @let rid = 'cal-' + day + '-' + i;
                        @let path = 'calendar.weeklyHours.' + day + '[' + i + ']';
                        <div class="sla-range" role="group" [attr.aria-label]="t('slaAdmin.rangeOf', { n: i + 1, day: dayName(day) })">
                          <label [for]="rid + '-from'">{{ t('slaAdmin.from') }}<span class="sr-only"> ({{ t('slaAdmin.rangeOf', { n: i + 1, day: dayName(day) }) }})</span></label>
                          <input type="time" [id]="rid + '-from'" [value]="r.from" (input)="setRange(day, i, 'from', value($event))"
                            [grcSlaField]="path" [errorId]="rid + '-error'" />
                          <label [for]="rid + '-to'">{{ t('slaAdmin.to') }}<span class="sr-only"> ({{ t('slaAdmin.rangeOf', { n: i + 1, day: dayName(day) }) }})</span></label>
                          <input type="time" [id]="rid + '-to'" [value]="r.to" (input)="setRange(day, i, 'to', value($event))"
                            [grcSlaField]="path" [errorId]="rid + '-error'" />
                          <button type="button" class="btn btn-secondary btn-small" (click)="removeRange(day, i)">
                            {{ t('slaAdmin.remove') }}<span class="sr-only"> {{ t('slaAdmin.rangeOf', { n: i + 1, day: dayName(day) }) }}</span>
                          </button>
                          <grc-sla-field-error [paths]="path" [errorId]="rid + '-error'" />
                        </div>
                      } @empty {
                        <p class="muted sla-closed">{{ t('slaAdmin.closed') }}</p>
                      }
                      <grc-sla-field-error [paths]="'calendar.weeklyHours.' + day" [errorId]="'cal-' + day + '-error'" />
                    </td>
                    <td>
                      <button type="button" class="btn btn-secondary btn-small" (click)="addRange(day)"
                        [grcSlaAnchor]="day === 'monday' ? ['calendar.weeklyHours.' + day, 'calendar.weeklyHours'] : 'calendar.weeklyHours.' + day"
                        [summaryLabel]="day === 'monday' ? t('slaAdmin.openingHours') : dayName(day)">
                        {{ t('slaAdmin.addRange') }}<span class="sr-only"> ({{ dayName(day) }})</span>
                      </button>
                    </td>
                  </tr>
                }
              </tbody>
            </table>
          </div>
        </fieldset>

        <fieldset>
          <legend>{{ t('slaAdmin.closures') }}</legend>
          <p class="hint" id="cal-closures-hint">{{ t('slaAdmin.closuresHint') }}</p>
          @for (c of f.closures; track c.key; let i = $index) {
            @let cid = 'cal-cl-' + i;
            @let cp = 'calendar.closures[' + i + ']';
            <fieldset class="sla-closure">
              <legend>{{ t('slaAdmin.closureN', { n: i + 1 }) }}@if (c.label) { — {{ c.label }} }</legend>
              <div class="sla-closure-fields">
                <div class="field">
                  <label [for]="cid + '-from'">{{ t('slaAdmin.closureFrom') }}</label>
                  <input type="date" [id]="cid + '-from'" [value]="c.fromDate" (input)="setClosure(i, 'fromDate', value($event))" [grcSlaField]="cp + '.from'" [errorId]="cid + '-from-error'" />
                </div>
                <div class="field">
                  <label [for]="cid + '-from-time'">{{ t('slaAdmin.closureFromTime') }}</label>
                  <input type="time" [id]="cid + '-from-time'" [value]="c.fromTime" (input)="setClosure(i, 'fromTime', value($event))" [grcSlaField]="cp + '.from'" [errorId]="cid + '-from-error'" />
                </div>
                <div class="field">
                  <label [for]="cid + '-to'">{{ t('slaAdmin.closureTo') }}</label>
                  <input type="date" [id]="cid + '-to'" [value]="c.toDate" (input)="setClosure(i, 'toDate', value($event))" [grcSlaField]="cp + '.to'" [errorId]="cid + '-to-error'" />
                </div>
                <div class="field">
                  <label [for]="cid + '-to-time'">{{ t('slaAdmin.closureToTime') }}</label>
                  <input type="time" [id]="cid + '-to-time'" [value]="c.toTime" (input)="setClosure(i, 'toTime', value($event))" [grcSlaField]="cp + '.to'" [errorId]="cid + '-to-error'" />
                </div>
                <div class="field sla-closure-label">
                  <label [for]="cid + '-label'">{{ t('slaAdmin.closureLabel') }}</label>
                  <input [id]="cid + '-label'" [value]="c.label" (input)="setClosure(i, 'label', value($event))" [grcSlaField]="cp + '.label'" [errorId]="cid + '-label-error'" />
                </div>
              </div>
              <grc-sla-field-error [paths]="cp + '.from'" [errorId]="cid + '-from-error'" />
              <grc-sla-field-error [paths]="cp + '.to'" [errorId]="cid + '-to-error'" />
              <grc-sla-field-error [paths]="cp + '.label'" [errorId]="cid + '-label-error'" />
              <button type="button" class="btn btn-secondary btn-small" (click)="removeClosure(i)">
                {{ t('slaAdmin.remove') }}<span class="sr-only"> {{ t('slaAdmin.closureN', { n: i + 1 }) }}</span>
              </button>
            </fieldset>
          } @empty {
            <p class="muted">{{ t('slaAdmin.noClosure') }}</p>
          }
          <button type="button" id="cal-add-closure" class="btn btn-secondary btn-small" (click)="addClosure()" grcSlaAnchor="calendar.closures">{{ t('slaAdmin.addClosure') }}</button>
        </fieldset>

        <fieldset>
          <legend>{{ t('slaAdmin.holidays') }}</legend>
          <div class="check">
            <input type="checkbox" id="cal-fr" [checked]="f.france" (change)="set('france', checked($event))" />
            <label for="cal-fr">{{ t('slaAdmin.holidaysFrance') }}</label>
          </div>
          <div class="check">
            <input type="checkbox" id="cal-am" [checked]="f.alsaceMoselle" (change)="set('alsaceMoselle', checked($event))" aria-describedby="cal-am-hint" />
            <label for="cal-am">{{ t('slaAdmin.holidaysAlsace') }}</label>
          </div>
          <p class="hint" id="cal-am-hint">{{ t('slaAdmin.holidaysAlsaceHint') }}</p>
          @if (f.france) {
            <table class="data sla-holidays" data-testid="holiday-preview">
              <caption>{{ t('slaAdmin.holidayPreview', { year: year }) }}</caption>
              <thead><tr><th scope="col">{{ t('slaAdmin.date') }}</th><th scope="col">{{ t('slaAdmin.holiday') }}</th></tr></thead>
              <tbody>
                @for (h of holidays(); track h.date) {
                  <tr><td><time [attr.datetime]="h.date">{{ longDate(h.date) }}</time></td><td lang="fr">{{ h.name }}</td></tr>
                }
              </tbody>
            </table>
          } @else {
            <p class="muted">{{ t('slaAdmin.holidaysOpen') }}</p>
          }
        </fieldset>

        <grc-sla-json-io idPrefix="cal" [value]="body()" (imported)="import($event.doc, $event.accept)" />

        <div class="actions">
          <button type="submit" class="btn btn-primary" [disabled]="busy()" data-testid="calendar-save">{{ calendar() ? t('slaAdmin.save') : t('slaAdmin.create') }}</button>
          <button type="button" class="btn btn-secondary" (click)="closed.emit()">{{ t('slaAdmin.close') }}</button>
        </div>
        <p class="live" role="status" data-testid="calendar-status">{{ notice() }}</p>
      </form>
    </section>
  `,
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
    return this.departments().filter((d) => !taken.has(d.id)).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
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
    return new Intl.DateTimeFormat(LOCALES[this.i18n.lang()], { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
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
    this.edit((f) => (f.closures = [...f.closures, { key: rowKey(), fromDate: '', fromTime: '', toDate: '', toTime: '', label: '' }]), true);
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
    this.submit(local, (): Observable<SlaCalendarDto> => current
      ? this.api.put<SlaCalendarDto>(`/sla/calendars/${current.id}`, { ...body, version: current.version })
      : this.api.post<SlaCalendarDto>('/sla/calendars', body));
  }

  /** After a 409: the version stored now replaces the draft. */
  protected reload(): void {
    this.reloadFrom('/sla/calendars', this.calendar()?.id, '#cal-h');
  }

}
