import { ChangeDetectionStrategy, Component, computed, effect, inject, input, output, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { AvailableWorkflowAction, TicketDetail, TicketWorkflowView, WorkflowActionRequest } from '@grc/domain';
import type { Subscription } from 'rxjs';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { localError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { MailTools } from '../mail/mail-tools';
import { WF_STYLES, WorkflowDiagramView } from './workflow-diagram';
import { workflowError } from './workflow-errors';

type Verdict = 'favourable' | 'unfavourable' | 'reserved';

/**
 * The ticket's validation circuit: current step, draft and its revisions, expected approvals,
 * opinions per department (late ones flagged), what the agent may do now, history, diagram.
 */
@Component({
  selector: 'grc-workflow-panel',
  imports: [FormsModule, WorkflowDiagramView, MailTools, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './workflow-panel.html',
  styles: [WF_STYLES],
})
export class WorkflowPanel {
  readonly ticket = input.required<TicketDetail>();
  /** the ticket changed: the page reloads it */
  readonly changed = output<void>();
  /** whether public replies must go through this circuit (bound to the ticket, or running) */
  readonly circuit = output<boolean>();

  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;

  protected readonly view = signal<TicketWorkflowView | null>(null);
  protected readonly error = signal<UiError | null>(null);
  protected readonly busy = signal(false);
  protected readonly notice = signal('');
  protected readonly text = signal('');
  protected readonly comment = signal('');
  protected readonly verdicts = signal<Partial<Record<string, Verdict>>>({});
  protected readonly opinionComments = signal<Partial<Record<string, string>>>({});
  protected readonly verdictChoices: Verdict[] = ['favourable', 'unfavourable', 'reserved'];

  protected readonly can = computed(() => {
    const types = new Set((this.view()?.actions ?? []).map((a) => a.type));
    return (type: AvailableWorkflowAction['type']) => types.has(type);
  });
  protected readonly opinionActions = computed(() => (this.view()?.actions ?? []).filter((a) => a.type === 'give_opinion'));
  protected readonly behalf = computed(() => (this.view()?.actions ?? []).find((a) => a.onBehalfOf)?.onBehalfOf ?? null);
  protected readonly decisionActions = computed(() => this.can()('approve') || this.can()('reject') || this.can()('edit_and_approve'));
  protected readonly olderRevisions = computed(() => (this.view()?.instance?.revisions ?? []).slice(0, -1).reverse());

  private sub?: Subscription;
  private lastKey = '';

  constructor() {
    effect(() => {
      const tk = this.ticket();
      const key = `${tk.id}@${tk.version}`;
      untracked(() => {
        if (key !== this.lastKey) {
          this.lastKey = key;
          this.load(tk.id);
        }
      });
    });
  }

  private load(id: string): void {
    this.sub?.unsubscribe();
    this.sub = this.api.get<TicketWorkflowView>(`/tickets/${id}/workflow`).subscribe({
      next: (v) => {
        this.view.set(v);
        this.circuit.emit(!!v.bound || v.instance?.status === 'active');
        const draft = v.instance?.status === 'active' ? v.instance.draft?.text : undefined;
        if (draft !== undefined && !this.text()) this.text.set(draft);
      },
      error: (err: unknown) => this.error.set(workflowError(err, this.i18n)),
    });
  }

  protected personName(p: { displayName: string } | null | undefined): string {
    return p?.displayName ?? this.t('timeline.system');
  }

  protected actionLabel(a: string): string {
    return this.t(`wf.action.${a}` as MsgKey);
  }

  protected statusLabel(s: string): string {
    return this.t(`wf.status.${s}` as MsgKey);
  }

  protected outcomeLabel(o: string): string {
    return this.t(`wf.outcome.${o}` as MsgKey);
  }

  protected opinionStatus(s: string): string {
    return this.t(`wf.opinion.${s}` as MsgKey);
  }

  protected verdictLabel(v: string): string {
    return this.t(`wf.verdict.${v}` as MsgKey);
  }

  protected setVerdict(dept: string, v: Verdict): void {
    this.verdicts.update((m) => ({ ...m, [dept]: v }));
  }

  protected setOpinionComment(dept: string, c: string): void {
    this.opinionComments.update((m) => ({ ...m, [dept]: c }));
  }

  protected act(type: WorkflowActionRequest['type'], department?: string): void {
    const tk = this.ticket();
    if (this.busy()) return;
    const body: WorkflowActionRequest = { type, version: tk.version };
    const comment = this.comment().trim();
    const text = this.text().trim();
    if (type === 'submit_draft' || type === 'edit_and_approve') {
      if (!text) {
        this.error.set(localError({ text: this.t('common.fieldRequired') }));
        return;
      }
      body.text = text;
    }
    if ((type === 'reject' || type === 'cancel') && !comment) {
      this.error.set(localError({ comment: this.t('common.fieldRequired') }));
      return;
    }
    if (type === 'give_opinion' && department) {
      const c = (this.opinionComments()[department] ?? '').trim();
      if (!c) {
        this.error.set(localError({ [`opinion-${department}`]: this.t('common.fieldRequired') }));
        return;
      }
      body.department = department;
      body.verdict = this.verdicts()[department] ?? 'favourable';
      body.comment = c;
    } else if (comment) body.comment = comment;
    this.busy.set(true);
    this.error.set(null);
    this.notice.set('');
    this.api.post<TicketWorkflowView>(`/tickets/${tk.id}/workflow/actions`, body).subscribe({
      next: (v) => {
        this.busy.set(false);
        this.view.set(v);
        this.comment.set('');
        if (type === 'give_opinion' && department) this.setOpinionComment(department, '');
        this.text.set(v.instance?.status === 'active' ? (v.instance.draft?.text ?? '') : '');
        this.notice.set(this.t('wf.done'));
        this.lastKey = `${tk.id}@${v.ticketVersion}`;
        this.changed.emit();
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(workflowError(err, this.i18n));
      },
    });
  }
}
