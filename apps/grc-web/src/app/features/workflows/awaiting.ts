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
  templateUrl: './awaiting.html',
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
  templateUrl: './awaiting-link.html',
})
export class AwaitingLink implements OnInit {
  private readonly api = inject(Api);
  protected readonly t = inject(I18n).t;
  protected readonly count = signal<number | null>(null);

  ngOnInit(): void {
    this.api
      .get<WorkflowInbox>('/workflows/inbox')
      .subscribe({ next: (ib) => this.count.set(ib.counts.total), error: () => this.count.set(null) });
  }
}
