import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { CommuneMember } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { AgentPicker } from '../../shared/agent-picker';
import { FORM_ERRORS } from '../../shared/form-errors';

/**
 * The agents who work for a commune (Administration › Communes, a métropole's administrators): listed, one added
 * from the métropole's agents (the searchable picker), one taken back. The API refuses an agent's last commune and
 * the administrator's own métropole; its refusals are shown next to the picker.
 */
@Component({
  selector: 'grc-commune-members',
  imports: [FormsModule, AgentPicker, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" aria-labelledby="commune-members-h" data-testid="commune-members">
      <h3 id="commune-members-h">{{ t('communes.members', { name: communeName() }) }}</h3>
      <p class="hint">{{ t('communes.membersHint') }}</p>
      <grc-error-alert [error]="error()" />
      <div role="status" aria-live="polite" class="sr-only">{{ notice() }}</div>
      <table class="data-table">
        <caption class="sr-only">{{ t('communes.members', { name: communeName() }) }}</caption>
        <thead>
          <tr>
            <th scope="col">{{ t('communes.memberName') }}</th>
            <th scope="col">{{ t('communes.memberEmail') }}</th>
            <th scope="col">{{ t('communes.memberRole') }}</th>
            <th scope="col">{{ t('common.actions') }}</th>
          </tr>
        </thead>
        <tbody>
          @for (m of members(); track m.id) {
            <tr [attr.data-testid]="'member-' + m.email">
              <th scope="row" translate="no">{{ m.displayName }}</th>
              <td class="mono" translate="no">{{ m.email }}</td>
              <td>{{ roleLabel(m.role) }}@if (!m.active) { ({{ t('communes.memberInactive') }}) }</td>
              <td>
                <button type="button" class="btn btn-secondary btn-small" [disabled]="busy()" (click)="remove(m)">
                  {{ t('communes.memberRemove') }}<span class="sr-only"> {{ m.displayName }}</span>
                </button>
              </td>
            </tr>
          } @empty {
            <tr><td colspan="4">{{ t('communes.membersNone') }}</td></tr>
          }
        </tbody>
      </table>
      <form (ngSubmit)="add()" novalidate class="inline-form">
        <grc-agent-picker
          pickerId="commune-member-add"
          [label]="t('communes.memberAdd')"
          [(value)]="chosen"
          [withEmail]="true"
          [exclude]="memberIds()"
          [leading]="[{ value: '', label: t('communes.memberChoose') }]"
          field="agentId"
          [errors]="error()"
          testid="commune-member-add"
        />
        <button type="submit" class="btn btn-primary" [disabled]="busy() || !chosen()">{{ t('communes.memberAddButton') }}</button>
      </form>
    </section>
  `,
})
export class CommuneMembers {
  private readonly api = inject(Api);
  private readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;

  readonly communeId = input.required<string>();
  readonly communeName = input.required<string>();

  protected readonly members = signal<CommuneMember[]>([]);
  protected readonly memberIds = signal<string[]>([]);
  protected readonly chosen = signal('');
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);

  constructor() {
    effect(() => {
      const id = this.communeId();
      untracked(() => this.load(id));
    });
  }

  protected roleLabel(role: CommuneMember['role']): string {
    return this.t(`role.${role}` as MsgKey);
  }

  private path(agentId?: string): string {
    return `/communes/${this.communeId()}/members${agentId ? `/${agentId}` : ''}`;
  }

  private show(list: CommuneMember[]): void {
    this.members.set(list);
    this.memberIds.set(list.map((m) => m.id));
  }

  private load(id: string): void {
    this.error.set(null);
    this.api.get<CommuneMember[]>(`/communes/${id}/members`).subscribe({
      next: (list) => this.show(list),
      error: (e: unknown) => this.error.set(toUiError(e)),
    });
  }

  protected add(): void {
    const agentId = this.chosen();
    if (!agentId || this.busy()) return;
    this.run(this.api.put<CommuneMember[]>(this.path(agentId), {}), () => {
      const added = this.members().find((m) => m.id === agentId);
      this.chosen.set('');
      this.notice.set(this.t('communes.memberAdded', { name: added?.displayName ?? '' }));
    });
  }

  protected remove(m: CommuneMember): void {
    if (this.busy()) return;
    this.run(this.api.delete<CommuneMember[]>(this.path(m.id)), () =>
      this.notice.set(this.t('communes.memberRemoved', { name: m.displayName })),
    );
  }

  private run(req: ReturnType<Api['get']>, done: () => void): void {
    this.busy.set(true);
    this.error.set(null);
    req.subscribe({
      next: (list) => {
        this.busy.set(false);
        this.show(list as CommuneMember[]);
        done();
      },
      error: (e: unknown) => {
        this.busy.set(false);
        this.error.set(toUiError(e));
      },
    });
  }
}
