import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import type { TicketDetail } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { WorkflowPanel } from './workflow-panel';

/** A ticket of another department seen through its circuit (a consulted department, a delegate). */
@Component({
  selector: 'grc-workflow-ticket',
  imports: [WorkflowPanel, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <grc-error-alert [error]="error()" />
    @if (ticket(); as tk) {
      <h1><span class="ticket-ref">{{ tk.reference }}</span> – {{ tk.subject }}</h1>
      <p>{{ t('wf.participant.intro') }}</p>
      <dl class="facts">
        <div><dt>{{ t('ticket.category') }}</dt><dd>{{ i18n.categoryName(tk.category) }}</dd></div>
        <div><dt>{{ t('ticket.department') }}</dt><dd>{{ tk.department.name }}</dd></div>
        <div><dt>{{ t('ticket.created') }}</dt><dd>{{ i18n.dateTime(tk.createdAt) }}</dd></div>
      </dl>
      <section class="card" aria-labelledby="wf-desc-h">
        <h2 id="wf-desc-h">{{ t('ticket.description') }}</h2>
        <p class="description">{{ tk.description }}</p>
        @if (tk.address) { <p>{{ tk.address }}</p> }
      </section>
      <grc-workflow-panel [ticket]="tk" (changed)="load()" />
    }
  `,
})
export class WorkflowTicketPage {
  readonly id = input.required<string>();
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly ticket = signal<TicketDetail | null>(null);
  protected readonly error = signal<UiError | null>(null);

  constructor() {
    effect(() => {
      this.id();
      untracked(() => this.load());
    });
  }

  protected load(): void {
    this.api.get<TicketDetail>(`/tickets/${this.id()}/workflow/ticket`).subscribe({
      next: (t) => this.ticket.set(t),
      error: (err: unknown) => this.error.set(toUiError(err)),
    });
  }
}
