import { ChangeDetectionStrategy, Component, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { Agent, Delegation, DelegationInput } from '@grc/domain';
import { Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n } from '../../core/i18n';
import { localError, toUiError, type UiError } from '../../core/problem';
import { AgentPicker, type PickerOption } from '../../shared/agent-picker';
import { FORM_ERRORS } from '../../shared/form-errors';
import { WF_STYLES } from './workflow-diagram';

const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/**
 * A head (or an élu) names a delegate for a period; admins see and manage every delegation. The delegate is
 * chosen among the agents of the delegating agent's departments (any department for one without any).
 */
@Component({
  selector: 'grc-delegations',
  imports: [FormsModule, AgentPicker, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: [WF_STYLES],
  templateUrl: './delegations.html',
})
export class DelegationsPage implements OnInit {
  private readonly api = inject(Api);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly items = signal<Delegation[]>([]);
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly fromId = signal('');
  protected readonly toId = signal('');
  protected readonly startsAt = signal(local(new Date()));
  protected readonly endsAt = signal(local(new Date(Date.now() + 7 * 86_400_000)));
  protected readonly meOption = computed<PickerOption[]>(() => {
    const me = this.auth.me();
    return me ? [{ value: me.id, label: me.displayName }] : [];
  });

  /** where the delegate is looked for: the delegating agent's departments (the admin's choice, or oneself); null: anywhere */
  protected departmentsOf(from: Agent | null): string[] | null {
    const me = this.auth.me();
    const ids = from && from.id !== me?.id ? from.departmentIds : (me?.departments ?? []).map((d) => d.id);
    return ids.length ? ids : null;
  }

  ngOnInit(): void {
    this.fromId.set(this.auth.me()?.id ?? '');
    this.load();
  }

  private load(): void {
    this.api.get<Delegation[]>('/workflows/delegations').subscribe({
      next: (d) => this.items.set(d),
      error: (err: unknown) => this.error.set(toUiError(err)),
    });
  }

  protected create(): void {
    if (!this.toId()) {
      this.error.set(localError({ toAgentId: this.t('common.fieldRequired') }));
      return;
    }
    const body: DelegationInput = {
      toAgentId: this.toId(),
      startsAt: new Date(this.startsAt()).toISOString(),
      endsAt: new Date(this.endsAt()).toISOString(),
      ...(this.auth.isAdmin() && this.fromId() && this.fromId() !== this.auth.me()?.id ? { fromAgentId: this.fromId() } : {}),
    };
    this.busy.set(true);
    this.error.set(null);
    this.api.post<Delegation>('/workflows/delegations', body).subscribe({
      next: () => {
        this.busy.set(false);
        this.notice.set(this.t('wf.deleg.created'));
        this.toId.set('');
        this.load();
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(toUiError(err));
      },
    });
  }

  protected revoke(d: Delegation): void {
    this.busy.set(true);
    this.api.delete<Delegation>(`/workflows/delegations/${d.id}`).subscribe({
      next: () => {
        this.busy.set(false);
        this.notice.set(this.t('wf.deleg.revokedNotice'));
        this.load();
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(toUiError(err));
      },
    });
  }
}
