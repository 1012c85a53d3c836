import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { WorkflowInbox, WorkflowInboxItem } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { WF_STYLES } from './workflow-diagram';

/** The "awaiting me" view: approvals, my department's opinions, drafts sent back to me; delegations included. */
@Component({
  selector: 'grc-awaiting',
  imports: [RouterLink, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: [WF_STYLES],
  template: `
    <h1>{{ t('wf.inbox.heading') }}</h1>
    <p>{{ t('wf.inbox.intro') }}</p>
    <grc-error-alert [error]="error()" />
    @if (inbox(); as ib) {
      <p role="status" data-testid="wf-inbox-counts">{{ t('wf.inbox.counts', ib.counts) }}</p>
      @if (ib.items.length) {
        <table class="wf-table" data-testid="wf-inbox">
          <caption class="sr-only">{{ t('wf.inbox.heading') }}</caption>
          <thead><tr>
            <th scope="col">{{ t('wf.inbox.reference') }}</th><th scope="col">{{ t('wf.inbox.subject') }}</th>
            <th scope="col">{{ t('wf.inbox.reason') }}</th><th scope="col">{{ t('wf.inbox.step') }}</th>
            <th scope="col">{{ t('wf.inbox.department') }}</th><th scope="col">{{ t('wf.inbox.due') }}</th>
          </tr></thead>
          <tbody>
            @for (it of ib.items; track it.ticketId + it.reason + (it.opinionDepartment ?? '')) {
              <tr data-testid="wf-inbox-item">
                <td><a [routerLink]="link(it)">{{ it.reference }}</a></td>
                <td>{{ it.subject }}</td>
                <td>{{ reason(it) }}@if (it.onBehalfOf) { <br /><span class="hint">{{ t('wf.onBehalfOf', { name: it.onBehalfOf.displayName }) }}</span> }</td>
                <td>{{ it.stepLabel ?? it.stepId }}</td>
                <td>{{ it.department.name }}</td>
                <td>@if (it.dueAt) { <time [attr.datetime]="it.dueAt">{{ i18n.date(it.dueAt) }}</time> }
                  @if (it.late) { <span class="badge badge-late">{{ t('wf.late') }}</span> }</td>
              </tr>
            }
          </tbody>
        </table>
      } @else {
        <p>{{ t('wf.inbox.empty') }}</p>
      }
    }
  `,
})
export class AwaitingPage implements OnInit {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly inbox = signal<WorkflowInbox | null>(null);
  protected readonly error = signal<UiError | null>(null);

  ngOnInit(): void {
    this.api.get<WorkflowInbox>('/workflows/inbox').subscribe({
      next: (ib) => this.inbox.set(ib),
      error: (err: unknown) => this.error.set(toUiError(err)),
    });
  }

  protected reason(it: WorkflowInboxItem): string {
    if (it.reason === 'opinion') return this.t('wf.inbox.reason.opinion', { department: it.opinionDepartment ?? '' });
    return it.reason === 'approval' ? this.t('wf.inbox.reason.approval') : this.t('wf.inbox.reason.draft');
  }

  /** My departments' tickets open on the ticket page; others (consulted, delegated) on the participant page. */
  protected link(it: WorkflowInboxItem): string[] {
    return it.visible ? ['/tickets', it.ticketId] : ['/a-valider', it.ticketId];
  }
}

/** "À valider (n)" link placed in the inbox's views. */
@Component({
  selector: 'grc-awaiting-link',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<a routerLink="/a-valider" data-testid="wf-awaiting-link">{{ t('nav.awaiting') }}
    @if (count() !== null) {
      <span class="count"><span aria-hidden="true">{{ count() }}</span><span class="sr-only">({{ t('wf.inbox.countSr', { count: count() ?? 0 }) }})</span></span>
    }</a>`,
})
export class AwaitingLink implements OnInit {
  private readonly api = inject(Api);
  protected readonly t = inject(I18n).t;
  protected readonly count = signal<number | null>(null);

  ngOnInit(): void {
    this.api.get<WorkflowInbox>('/workflows/inbox').subscribe({ next: (ib) => this.count.set(ib.counts.total), error: () => this.count.set(null) });
  }
}
