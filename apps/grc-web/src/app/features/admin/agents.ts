import { ChangeDetectionStrategy, Component, computed } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { ROLES, type Agent, type AgentInput, type Department } from '@grc/domain';
import { localError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';

@Component({
  selector: 'grc-admin-agents',
  imports: [FormsModule, ...FORM_ERRORS, AdminListStatus, AdminFormActions],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <grc-admin-list-status [heading]="t('admin.agents')" [error]="listError()" [loading]="loading()" [notice]="notice()" />
    <p><button type="button" class="btn btn-primary" (click)="create()">{{ t('admin.create') }}</button></p>
    <div class="admin-layout">
      <div class="table-wrap">
        <table class="data">
          <caption>{{ t('admin.agents') }}</caption>
          <thead>
            <tr>
              <th scope="col">{{ t('admin.displayName') }}</th>
              <th scope="col">{{ t('admin.email') }}</th>
              <th scope="col">{{ t('admin.role') }}</th>
              <th scope="col">{{ t('admin.agentDepartments') }}</th>
              <th scope="col">{{ t('admin.state') }}</th>
              <th scope="col">{{ t('common.actions') }}</th>
            </tr>
          </thead>
          <tbody>
            @for (a of items(); track a.id) {
              <tr>
                <th scope="row">{{ a.displayName }}</th>
                <td>{{ a.email }}</td>
                <td>{{ i18n.role(a.role) }}</td>
                <td>{{ deptNames(a) }}</td>
                <td>{{ a.active ? t('common.active') : t('common.inactive') }}</td>
                <td><button type="button" class="btn btn-secondary btn-small" (click)="edit(a)">{{ t('common.edit') }}<span class="sr-only"> {{ a.displayName }}</span></button></td>
              </tr>
            } @empty {
              <tr><td colspan="6">{{ t('admin.empty') }}</td></tr>
            }
          </tbody>
        </table>
      </div>
      @if (formOpen()) {
        <section class="card" aria-labelledby="admin-form-h">
          <h3 id="admin-form-h" tabindex="-1">{{ editing() ? t('admin.editing', { name: editing()!.displayName }) : t('admin.creating') }}</h3>
          @let d = draft();
          <form (ngSubmit)="save()" novalidate>
            <div class="field">
              <label for="agent-email">{{ t('admin.email') }}</label>
              <input id="agent-email" name="email" type="email" required autocomplete="off" [(ngModel)]="d.email" grcField="email" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="email" controlId="agent-email" />
            </div>
            <div class="field">
              <label for="agent-name">{{ t('admin.displayName') }}</label>
              <input id="agent-name" name="displayName" required [(ngModel)]="d.displayName" grcField="displayName" [grcErrors]="error()" />
              <grc-field-error [errors]="error()" field="displayName" controlId="agent-name" />
            </div>
            <div class="field">
              <label for="agent-role">{{ t('admin.role') }}</label>
              <select id="agent-role" name="role" [(ngModel)]="d.role" grcField="role" [grcErrors]="error()">
                @for (r of roles; track r) { <option [value]="r">{{ i18n.role(r) }}</option> }
              </select>
              <grc-field-error [errors]="error()" field="role" controlId="agent-role" />
            </div>
            <div class="field">
              <label for="agent-locale">{{ t('admin.locale') }}</label>
              <select id="agent-locale" name="locale" [(ngModel)]="d.locale">
                <option value="fr">{{ t('lang.fr') }}</option>
                <option value="en">{{ t('lang.en') }}</option>
              </select>
            </div>
            <fieldset [attr.aria-describedby]="deptError() ? 'agent-depts-error' : null">
              <legend>{{ t('admin.agentDepartments') }}</legend>
              @for (dep of departments(); track dep.id) {
                <div class="check">
                  <input type="checkbox" [id]="'agent-dept-' + dep.id" [name]="'dept-' + dep.id" [checked]="d.departmentIds.includes(dep.id)" (change)="toggleDept(dep, $event)" />
                  <label [for]="'agent-dept-' + dep.id">{{ dep.name }}</label>
                </div>
              }
              <grc-field-error [errors]="error()" field="departmentIds" controlId="agent-depts" />
            </fieldset>
            <div class="field">
              <label for="agent-password">{{ t('admin.password') }} {{ editing() ? t('common.optional') : t('common.required') }}</label>
              <p class="hint" id="agent-password-hint">{{ editing() ? t('admin.passwordEditHint') : t('admin.passwordHint') }}</p>
              <input id="agent-password" name="password" type="password" autocomplete="new-password" [(ngModel)]="d.password" grcField="password" [grcErrors]="error()" [grcHint]="true" />
              <grc-field-error [errors]="error()" field="password" controlId="agent-password" />
            </div>
            <div class="check">
              <input id="agent-active" name="active" type="checkbox" [(ngModel)]="d.active" />
              <label for="agent-active">{{ t('admin.active') }}</label>
            </div>
            <grc-admin-form-actions [error]="error()" [busy]="busy()" (cancelled)="cancel()" />
          </form>
        </section>
      }
    </div>
  `,
})
export class AgentsAdmin extends AdminBase<Agent, AgentInput> {
  protected readonly path = '/agents';
  protected readonly roles = ROLES;
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });
  protected readonly deptError = computed(() => !!this.error()?.fields['departmentIds']);

  constructor() {
    super();
    this.load();
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
    return { email: a.email, displayName: a.displayName, role: a.role, locale: a.locale, active: a.active, departmentIds: [...a.departmentIds], password: '' };
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
      email: d.email.trim(), displayName: d.displayName.trim(), role: d.role, locale: d.locale, active: d.active, departmentIds: d.departmentIds,
    };
    if (d.password) body.password = d.password;
    return body;
  }
}
