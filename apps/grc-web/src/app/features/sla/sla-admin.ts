import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import type { SlaCalendarDto, SlaPolicyDto } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { RefData } from '../../core/ref-data';

interface FieldErr { field: string; message: string }
interface Draft { key: string; name: string; json: string; errors: FieldErr[]; saved: boolean; detail: string }

const errorsOf = (e: unknown): { detail: string; errors: FieldErr[] } => {
  const body = (e as { error?: { detail?: string; errors?: FieldErr[] } }).error ?? {};
  return { detail: body.detail ?? String((e as Error).message ?? e), errors: body.errors ?? [] };
};

/**
 * Administration of the SLA: business calendars (town default, per department) and policies
 * (match, targets, escalation ladder), edited as JSON with the server's errors shown in place,
 * each under its field path (e.g. ladder[1].atPercent).
 */
@Component({
  selector: 'grc-sla-admin',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section aria-labelledby="cal-h">
      <h2 id="cal-h">{{ t('slaAdmin.calendars') }}</h2>
      <p class="muted" id="cal-help">{{ t('slaAdmin.jsonHelpCalendar') }}</p>
      @for (c of calendars(); track c.id) {
        <form class="card" (ngSubmit)="saveCalendar(c)">
          <h3>{{ c.departmentId ? deptName(c.departmentId) : t('slaAdmin.default') }}</h3>
          <div class="field">
            <label [for]="'cn-' + c.id">{{ t('slaAdmin.name') }}</label>
            <input [id]="'cn-' + c.id" [name]="'cn-' + c.id" [(ngModel)]="draft('c' + c.id, c.name, c.calendar).name" />
          </div>
          <div class="field">
            <label [for]="'cj-' + c.id">{{ t('slaAdmin.json') }}</label>
            <textarea [id]="'cj-' + c.id" [name]="'cj-' + c.id" rows="12" aria-describedby="cal-help" [attr.aria-invalid]="drafts()['c' + c.id]?.errors?.length ? true : null"
              [(ngModel)]="draft('c' + c.id, c.name, c.calendar).json"></textarea>
          </div>
          @if (drafts()['c' + c.id]; as d) {
            @if (d.errors.length || d.detail) {
              <div role="alert" class="form-errors">
                <p>{{ d.detail }}</p>
                <ul>@for (e of d.errors; track e.field + e.message) { <li><code>{{ e.field }}</code> : {{ e.message }}</li> }</ul>
              </div>
            }
            @if (d.saved) { <p role="status">{{ t('slaAdmin.saved') }}</p> }
          }
          <button type="submit">{{ t('slaAdmin.save') }}</button>
        </form>
      }
    </section>

    <section aria-labelledby="pol-h">
      <h2 id="pol-h">{{ t('slaAdmin.policies') }}</h2>
      <p class="muted" id="pol-help">{{ t('slaAdmin.jsonHelpPolicy') }}</p>
      @for (p of policies(); track p.id) {
        <form class="card" (ngSubmit)="savePolicy(p)">
          <h3>{{ p.name }} <code>{{ p.id }}</code></h3>
          <div class="field">
            <label [for]="'pn-' + p.id">{{ t('slaAdmin.name') }}</label>
            <input [id]="'pn-' + p.id" [name]="'pn-' + p.id" [(ngModel)]="draft('p' + p.id, p.name, policyBody(p)).name" />
          </div>
          <div class="field">
            <label [for]="'pj-' + p.id">{{ t('slaAdmin.json') }}</label>
            <textarea [id]="'pj-' + p.id" [name]="'pj-' + p.id" rows="14" aria-describedby="pol-help" [attr.aria-invalid]="drafts()['p' + p.id]?.errors?.length ? true : null"
              [(ngModel)]="draft('p' + p.id, p.name, policyBody(p)).json"></textarea>
          </div>
          @if (drafts()['p' + p.id]; as d) {
            @if (d.errors.length || d.detail) {
              <div role="alert" class="form-errors">
                <p>{{ d.detail }}</p>
                <ul>@for (e of d.errors; track e.field + e.message) { <li><code>{{ e.field }}</code> : {{ e.message }}</li> }</ul>
              </div>
            }
            @if (d.saved) { <p role="status">{{ t('slaAdmin.saved') }}</p> }
          }
          <button type="submit">{{ t('slaAdmin.save') }}</button>
        </form>
      }
      <form class="card" (ngSubmit)="createPolicy()">
        <h3>{{ t('slaAdmin.newPolicy') }}</h3>
        <div class="field">
          <label for="np-id">{{ t('slaAdmin.id') }}</label>
          <input id="np-id" name="np-id" [(ngModel)]="newId" />
        </div>
        <div class="field">
          <label for="np-name">{{ t('slaAdmin.name') }}</label>
          <input id="np-name" name="np-name" [(ngModel)]="draft('new', '', newTemplate).name" />
        </div>
        <div class="field">
          <label for="np-json">{{ t('slaAdmin.json') }}</label>
          <textarea id="np-json" name="np-json" rows="12" aria-describedby="pol-help" [(ngModel)]="draft('new', '', newTemplate).json"></textarea>
        </div>
        @if (drafts()['new']; as d) {
          @if (d.errors.length || d.detail) {
            <div role="alert" class="form-errors">
              <p>{{ d.detail }}</p>
              <ul>@for (e of d.errors; track e.field + e.message) { <li><code>{{ e.field }}</code> : {{ e.message }}</li> }</ul>
            </div>
          }
        }
        <button type="submit">{{ t('slaAdmin.create') }}</button>
      </form>
    </section>
  `,
})
export class SlaAdmin {
  private readonly api = inject(Api);
  protected readonly t = inject(I18n).t;
  private readonly departments = toSignal(inject(RefData).departments(), { initialValue: [] });
  protected readonly calendars = signal<SlaCalendarDto[]>([]);
  protected readonly policies = signal<SlaPolicyDto[]>([]);
  protected readonly drafts = signal<Record<string, Draft>>({});
  protected newId = '';
  protected readonly newTemplate = {
    active: true, match: { categoryCodes: ['elagage'] },
    targets: { firstResponse: { amount: 2, unit: 'working_days' }, resolution: { amount: 15, unit: 'working_days' } },
    ladder: [{ atPercent: 75, actions: [{ type: 'notify', to: 'assignee' }] }, { atPercent: 100, actions: [{ type: 'notify', to: 'head' }, { type: 'mark_breached' }] }],
  };

  constructor() {
    this.reload();
  }

  protected deptName(id: string): string {
    return this.departments().find((d) => d.id === id)?.name ?? id;
  }
  protected policyBody(p: SlaPolicyDto): unknown {
    return { active: p.active, match: p.match, targets: p.targets, ladder: p.ladder };
  }

  /** The editable copy of an item, created on first use (the object is stable: ngModel edits it in place). */
  protected draft(key: string, name: string, body: unknown): Draft {
    const all = this.drafts();
    if (!all[key]) {
      const d: Draft = { key, name, json: JSON.stringify(body, null, 2), errors: [], saved: false, detail: '' };
      all[key] = d;
    }
    return all[key];
  }

  protected saveCalendar(c: SlaCalendarDto): void {
    const d = this.draft('c' + c.id, c.name, c.calendar);
    const calendar = this.parse(d);
    if (calendar === undefined) return;
    this.api.put<SlaCalendarDto>(`/sla/calendars/${c.id}`, { name: d.name, calendar, version: c.version }).subscribe({
      next: () => this.done(d),
      error: (e) => this.fail(d, e),
    });
  }

  protected savePolicy(p: SlaPolicyDto): void {
    const d = this.draft('p' + p.id, p.name, this.policyBody(p));
    const body = this.parse(d) as Record<string, unknown> | undefined;
    if (body === undefined) return;
    this.api.put<SlaPolicyDto>(`/sla/policies/${p.id}`, { ...body, id: p.id, name: d.name, version: p.version }).subscribe({
      next: () => this.done(d),
      error: (e) => this.fail(d, e),
    });
  }

  protected createPolicy(): void {
    const d = this.draft('new', '', this.newTemplate);
    const body = this.parse(d) as Record<string, unknown> | undefined;
    if (body === undefined) return;
    this.api.post<SlaPolicyDto>('/sla/policies', { ...body, id: this.newId.trim(), name: d.name }).subscribe({
      next: () => {
        const all = { ...this.drafts() };
        delete all['new'];
        this.drafts.set(all);
        this.newId = '';
        this.reload();
      },
      error: (e) => this.fail(d, e),
    });
  }

  private parse(d: Draft): unknown {
    try {
      return JSON.parse(d.json);
    } catch (e) {
      this.update(d, { errors: [], detail: this.t('slaAdmin.jsonInvalid', { message: (e as Error).message }), saved: false });
      return undefined;
    }
  }
  private done(d: Draft): void {
    const all = { ...this.drafts() };
    delete all[d.key];
    this.drafts.set(all);
    this.reload(() => this.update(this.drafts()[d.key] ?? d, { saved: true, errors: [], detail: '' }));
  }
  private fail(d: Draft, e: unknown): void {
    const { detail, errors } = errorsOf(e);
    this.update(d, { detail, errors, saved: false });
  }
  private update(d: Draft, patch: Partial<Draft>): void {
    this.drafts.set({ ...this.drafts(), [d.key]: { ...d, ...patch } });
  }
  private reload(then?: () => void): void {
    this.api.get<SlaCalendarDto[]>('/sla/calendars').subscribe((c) => {
      this.calendars.set(c);
      this.api.get<SlaPolicyDto[]>('/sla/policies').subscribe((p) => {
        this.policies.set(p);
        then?.();
      });
    });
  }
}
