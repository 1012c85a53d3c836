import { ChangeDetectionStrategy, Component, OnInit, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import type { Delegation, DelegationInput } from '@grc/domain';
import { Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n } from '../../core/i18n';
import { localError, toUiError, type UiError } from '../../core/problem';
import { RefData } from '../../core/ref-data';
import { FORM_ERRORS } from '../../shared/form-errors';
import { WF_STYLES } from './workflow-diagram';

const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** A head (or an élu) names a delegate for a period; admins see and manage every delegation. */
@Component({
  selector: 'grc-delegations',
  imports: [FormsModule, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: [WF_STYLES],
  template: `
    <h1>{{ t('wf.deleg.heading') }}</h1>
    <p>{{ t('wf.deleg.intro') }}</p>
    <p class="live" role="status" aria-live="polite">{{ notice() }}</p>
    <grc-error-alert [error]="error()" />

    <section class="card" aria-labelledby="deleg-new-h">
      <h2 id="deleg-new-h">{{ t('wf.deleg.new') }}</h2>
      <form (ngSubmit)="create()" novalidate>
        @if (auth.isAdmin()) {
          <div class="field">
            <label for="deleg-from">{{ t('wf.deleg.from') }}</label>
            <select id="deleg-from" name="from" [(ngModel)]="fromId" grcField="fromAgentId" [grcErrors]="error()">
              @for (a of agents(); track a.id) { <option [value]="a.id">{{ a.displayName }}</option> }
            </select>
            <grc-field-error [errors]="error()" field="fromAgentId" controlId="deleg-from" />
          </div>
        }
        <div class="field">
          <label for="deleg-to">{{ t('wf.deleg.to') }}</label>
          <select id="deleg-to" name="to" data-testid="deleg-to" [(ngModel)]="toId" grcField="toAgentId" [grcErrors]="error()">
            <option value="">—</option>
            @for (a of delegates(); track a.id) { <option [value]="a.id">{{ a.displayName }}</option> }
          </select>
          <grc-field-error [errors]="error()" field="toAgentId" controlId="deleg-to" />
        </div>
        <div class="field">
          <label for="deleg-start">{{ t('wf.deleg.starts') }}</label>
          <input id="deleg-start" name="start" type="datetime-local" [(ngModel)]="startsAt" grcField="startsAt" [grcErrors]="error()" />
          <grc-field-error [errors]="error()" field="startsAt" controlId="deleg-start" />
        </div>
        <div class="field">
          <label for="deleg-end">{{ t('wf.deleg.ends') }}</label>
          <input id="deleg-end" name="end" type="datetime-local" [(ngModel)]="endsAt" grcField="endsAt" [grcErrors]="error()" />
          <grc-field-error [errors]="error()" field="endsAt" controlId="deleg-end" />
        </div>
        <button type="submit" class="btn btn-primary" data-testid="deleg-create" [disabled]="busy()">{{ t('wf.deleg.create') }}</button>
      </form>
    </section>

    <section aria-labelledby="deleg-list-h">
      <h2 id="deleg-list-h">{{ t('wf.deleg.heading') }}</h2>
      @if (items().length) {
        <table class="wf-table">
          <thead><tr>
            <th scope="col">{{ t('wf.deleg.from') }}</th><th scope="col">{{ t('wf.deleg.to') }}</th><th scope="col">{{ t('wf.deleg.starts') }}</th>
            <th scope="col">{{ t('wf.deleg.ends') }}</th><th scope="col">{{ t('wf.deleg.status') }}</th><th scope="col">{{ t('common.actions') }}</th>
          </tr></thead>
          <tbody>
            @for (d of items(); track d.id) {
              <tr>
                <td>{{ d.from.displayName }}</td><td>{{ d.to.displayName }}</td>
                <td>{{ i18n.date(d.startsAt) }}</td><td>{{ i18n.date(d.endsAt) }}</td>
                <td>{{ d.revokedAt ? t('wf.deleg.revoked') : d.active ? t('wf.deleg.active') : t('wf.deleg.inactive') }}</td>
                <td>@if (!d.revokedAt && (d.from.id === auth.me()?.id || auth.isAdmin())) {
                  <button type="button" class="btn btn-danger btn-small" (click)="revoke(d)" [disabled]="busy()">{{ t('wf.deleg.revoke') }}<span class="sr-only"> – {{ d.to.displayName }}</span></button>
                }</td>
              </tr>
            }
          </tbody>
        </table>
      } @else {
        <p>{{ t('wf.deleg.empty') }}</p>
      }
    </section>
  `,
})
export class DelegationsPage implements OnInit {
  private readonly api = inject(Api);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly agents = toSignal(inject(RefData).agents(), { initialValue: [] });
  protected readonly items = signal<Delegation[]>([]);
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly fromId = signal('');
  protected readonly toId = signal('');
  protected readonly startsAt = signal(local(new Date()));
  protected readonly endsAt = signal(local(new Date(Date.now() + 7 * 86_400_000)));
  protected readonly delegates = computed(() => {
    const from = this.fromId() || this.auth.me()?.id;
    return this.agents().filter((a) => a.active !== false && a.id !== from);
  });

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
      toAgentId: this.toId(), startsAt: new Date(this.startsAt()).toISOString(), endsAt: new Date(this.endsAt()).toISOString(),
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
