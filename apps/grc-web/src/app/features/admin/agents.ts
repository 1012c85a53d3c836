import { ChangeDetectionStrategy, Component, computed, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { ROLES, type Agent, type AgentInput, type Department } from '@grc/domain';
import { localError, toUiError, type UiError } from '../../core/problem';
import { accountError } from '../account/account-errors';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';

@Component({
  selector: 'grc-admin-agents',
  imports: [FormsModule, ...FORM_ERRORS, AdminListStatus, AdminFormActions],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './agents.html',
})
export class AgentsAdmin extends AdminBase<Agent, AgentInput> {
  protected readonly path = '/agents';
  protected readonly roles = ROLES;
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });
  protected readonly deptError = computed(() => !!this.error()?.fields['departmentIds']);

  protected readonly tempPassword = signal('');
  protected readonly resetError = signal<UiError | null>(null);

  constructor() {
    super();
    this.load();
  }

  /** A temporary password: the agent's sessions end and its next login may only change it. */
  protected resetPassword(a: Agent): void {
    this.resetError.set(null);
    this.api.post<Agent>(`/agents/${a.id}/password-reset`, { password: this.tempPassword() }).subscribe({
      next: () => {
        this.tempPassword.set('');
        this.notice.set(this.t('agents.passwordReset'));
      },
      error: (err: unknown) => this.resetError.set(accountError(err, this.t)),
    });
  }

  /** Removes the agent's second factor (a lost phone). */
  protected resetSecondFactor(a: Agent): void {
    if (!confirm(this.t('agents.confirmResetSecondFactor'))) return;
    this.resetError.set(null);
    this.api.delete<void>(`/agents/${a.id}/second-factor`).subscribe({
      next: () => this.notice.set(this.t('agents.secondFactorReset')),
      error: (err: unknown) => this.resetError.set(toUiError(err)),
    });
  }

  protected deptNames(a: Agent): string {
    const byId = new Map(this.departments().map((d) => [d.id, d.name]));
    return a.departmentIds.map((id) => byId.get(id) ?? id).join(', ') || this.t('common.none');
  }

  protected toggleDept(dep: Department, event: Event): void {
    const checked = (event.target as HTMLInputElement).checked;
    const d = this.draft();
    d.departmentIds = checked ? [...new Set([...d.departmentIds, dep.id])] : d.departmentIds.filter((id) => id !== dep.id);
  }

  protected blank(): AgentInput {
    return { email: '', displayName: '', role: 'agent', locale: 'fr', active: true, departmentIds: [], password: '' };
  }
  protected toInput(a: Agent): AgentInput {
    return {
      email: a.email,
      displayName: a.displayName,
      role: a.role,
      locale: a.locale,
      active: a.active,
      departmentIds: [...a.departmentIds],
      password: '',
    };
  }
  protected body(d: AgentInput): AgentInput | null {
    const fields: Record<string, string> = {};
    if (!d.email.trim()) fields['email'] = this.t('common.fieldRequired');
    if (!d.displayName.trim()) fields['displayName'] = this.t('common.fieldRequired');
    const creating = !this.editing();
    if ((creating && !d.password) || (d.password && d.password.length < 12)) fields['password'] = this.t('admin.passwordHint');
    if (Object.keys(fields).length) {
      this.error.set(localError(fields));
      return null;
    }
    const body: AgentInput = {
      email: d.email.trim(),
      displayName: d.displayName.trim(),
      role: d.role,
      locale: d.locale,
      active: d.active,
      departmentIds: d.departmentIds,
    };
    if (d.password) body.password = d.password;
    return body;
  }
}
