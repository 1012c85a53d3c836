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
  templateUrl: './participant.html',
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
