import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { CHANNELS, PRIORITIES, type Category, type Department, type WorkflowDryRun, type WorkflowDryRunActor } from '@grc/domain';
import { WORKFLOW_ROLES, type WorkflowDefinition } from '@grc/workflows';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

/**
 * Dry run: a sample request (department, category, priority, channel, who drafts — picked from
 * lists) walked through the circuit being edited; the API answers who would act at each step, by
 * name. Nothing is saved.
 */
@Component({
  selector: 'grc-circuit-dry-run',
  imports: [...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: `
    .dr-form { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: flex-end; }
    .dr-form .field { margin: 0; }
    .dr-steps > li { margin: 0.5rem 0; padding: 0.4rem 0.6rem; border: 1px solid #d0d0d0; border-radius: 4px; }
    .dr-who { margin: 0.2rem 0 0 0; padding-left: 1.25rem; }
  `,
  template: `
    <form class="dr-form" (submit)="$event.preventDefault(); run()" novalidate>
      <div class="field">
        <label for="dr-department">{{ t('ce.dry.department') }}</label>
        <select id="dr-department" data-testid="dr-department" (change)="department.set(val($event))" [attr.aria-invalid]="fieldError('sample.departmentId') ? 'true' : null"
          [attr.aria-describedby]="fieldError('sample.departmentId') ? 'dr-department-error' : null">
          <option value="" [selected]="department() === ''">—</option>
          @for (d of departments(); track d.id) { <option [value]="d.id" [selected]="department() === d.id">{{ d.name }}</option> }
        </select>
        @if (fieldError('sample.departmentId'); as m) { <p class="field-error" id="dr-department-error">{{ m }}</p> }
      </div>
      <div class="field">
        <label for="dr-category">{{ t('ce.dry.category') }}</label>
        <select id="dr-category" data-testid="dr-category" (change)="category.set(val($event))">
          <option value="">{{ t('common.none') }}</option>
          @for (c of categories(); track c.id) { <option [value]="c.id" [selected]="category() === c.id">{{ i18n.categoryName(c) }}</option> }
        </select>
      </div>
      <div class="field">
        <label for="dr-priority">{{ t('ce.dry.priority') }}</label>
        <select id="dr-priority" data-testid="dr-priority" (change)="priority.set(val($event))">
          @for (p of priorities; track p) { <option [value]="p" [selected]="priority() === p">{{ tx('priority.' + p) }}</option> }
        </select>
      </div>
      <div class="field">
        <label for="dr-channel">{{ t('ce.dry.channel') }}</label>
        <select id="dr-channel" (change)="channel.set(val($event))">
          <option value="">{{ t('common.none') }}</option>
          @for (c of channels; track c) { <option [value]="c" [selected]="channel() === c">{{ tx('channel.' + c) }}</option> }
        </select>
      </div>
      <div class="field">
        <label for="dr-author">{{ t('ce.dry.author') }}</label>
        <select id="dr-author" data-testid="dr-author" (change)="author.set(val($event))">
          <option value="">{{ t('ce.dry.authorDefault') }}</option>
          @for (r of roles; track r) { <option [value]="r" [selected]="author() === r">{{ tx('role.' + r) }}</option> }
        </select>
      </div>
      <button type="submit" class="btn btn-primary" data-testid="dr-run" [disabled]="busy()">{{ t('ce.dry.run') }}</button>
    </form>
    <grc-error-alert [error]="error()" />
    @if (result(); as r) {
      <p role="status" data-testid="dr-status" class="alert" [class.alert-success]="r.status === 'finished'" [class.alert-error]="r.status !== 'finished'">
        {{ r.status === 'finished' ? t('ce.dry.finished', { end: labelOf(r.end) }) : tx('ce.dry.' + (r.reason ?? r.status)) }}
      </p>
      <ol class="dr-steps" data-testid="dr-steps">
        @for (s of r.steps; track $index) {
          <li data-testid="dr-step">
            <strong>{{ s.label ?? s.stepId }}</strong> ({{ tx('wf.kind.' + s.kind) }}@if (s.mode) {, {{ tx('ce.mode.' + s.mode) }}})
            @if (s.dueInMinutes) { – {{ t('ce.dry.due', { hours: s.dueInMinutes / 60 }) }} }
            @if (s.priority && s.priority !== (priority() || 'normal')) { – {{ t('ce.dry.priorityNow', { priority: tx('priority.' + s.priority) }) }} }
            @if (s.actors.length) {
              <ul class="dr-who">@for (a of s.actors; track $index) { <li>{{ actor(a) }}</li> }</ul>
            }
            @if (s.notified.length) { <p class="hint">{{ t('ce.dry.notified', { list: joinActors(s.notified) }) }}</p> }
            @if (s.next) { <p class="hint">{{ t('ce.dry.next', { on: tx('ce.on.' + s.outcome), to: labelOf(s.next) }) }}</p> }
          </li>
        }
      </ol>
    }
  `,
})
export class CircuitDryRunPanel {
  readonly definition = input.required<WorkflowDefinition>();
  readonly categories = input<Category[]>([]);
  readonly departments = input<Department[]>([]);
  readonly walked = output<string[]>();
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly priorities = PRIORITIES;
  protected readonly channels = CHANNELS;
  protected readonly roles = WORKFLOW_ROLES;

  protected readonly department = signal('');
  protected readonly category = signal('');
  protected readonly priority = signal('normal');
  protected readonly channel = signal('');
  protected readonly author = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<UiError | null>(null);
  protected readonly result = signal<WorkflowDryRun | null>(null);

  protected val(e: Event): string {
    return (e.target as HTMLSelectElement).value;
  }
  protected tx(key: string, params?: Record<string, string | number>): string {
    return this.t(key as MsgKey, params);
  }
  protected fieldError(field: string): string | null {
    return this.error()?.fields?.[field] ?? null;
  }
  protected labelOf(id: string | null): string {
    if (!id) return '';
    return this.definition().steps[id]?.label ?? id;
  }

  protected actor(a: WorkflowDryRunActor): string {
    const roles = a.roles?.map((r) => this.tx(`role.${r}`)).join(this.t('ce.dry.or')) ?? null;
    const deps = a.departments?.map((d) => d.name ?? d.code).join(this.t('ce.dry.or')) ?? null;
    const who = a.agents.length ? a.agents.map((x) => x.displayName).join(', ') : this.t('ce.dry.nobody');
    switch (a.kind) {
      case 'citizen':
        return this.t('ce.dry.citizen');
      case 'system':
        return this.t('ce.dry.system');
      case 'draft_author':
        return this.t('ce.recipient.draft_author');
      case 'agent':
        return this.t('ce.dry.agent', { who });
      case 'department':
        return this.t('ce.dry.departmentMembers', { department: deps ?? '', roles: roles ?? this.t('ce.dry.anyMember'), who });
      default:
        return this.t('ce.dry.roleIn', { roles: roles ?? '', departments: deps ?? this.t('ce.anyDepartment'), who });
    }
  }
  protected joinActors(list: WorkflowDryRunActor[]): string {
    return list.map((a) => this.actor(a)).join(' ; ');
  }

  protected run(): void {
    if (!this.department()) {
      this.error.set({
        status: 400,
        detail: null,
        fallbackKey: 'common.formHasErrors',
        fields: { 'sample.departmentId': this.t('common.fieldRequired') },
      });
      document.getElementById('dr-department')?.focus();
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.api
      .post<WorkflowDryRun>('/workflows/definitions/dry-run', {
        definition: this.definition(),
        sample: {
          departmentId: this.department(),
          ...(this.category() ? { categoryId: this.category() } : {}),
          priority: this.priority(),
          ...(this.channel() ? { channel: this.channel() } : {}),
          ...(this.author() ? { authorRole: this.author() } : {}),
        },
      })
      .subscribe({
        next: (r) => {
          this.busy.set(false);
          this.result.set(r);
          this.walked.emit(r.steps.map((s) => s.stepId));
        },
        error: (e: unknown) => {
          this.busy.set(false);
          this.error.set(toUiError(e));
        },
      });
  }
}
