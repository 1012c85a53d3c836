import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  OPEN_STATUSES,
  type Citizen,
  type CitizenInput,
  type CitizenMessage,
  type ErasureResult,
  type MergeResult,
  type TicketSummary,
} from '@grc/domain';
import { API, Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { CitizenForm, citizenInputOf, cleanCitizen } from '../../shared/citizen-form';
import { FORM_ERRORS } from '../../shared/form-errors';
import { CitizenMerge } from './citizen-merge';

/**
 * One person (route /citizens/:id): identity and contacts, edited in place (rectification, the existing
 * PUT with its version check), the requests the agent may see, and for holders of `rgpd` the access export,
 * the erasure and the merge of a duplicate record (citizen-merge.ts).
 * Reaching the page reads the record, which the API audits.
 */
@Component({
  selector: 'grc-citizen-page',
  imports: [FormsModule, RouterLink, CitizenForm, CitizenMerge, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './citizen-page.html',
})
export class CitizenPage {
  private readonly api = inject(Api);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  /** the route's :id (component input binding) */
  readonly id = input.required<string>();
  /** the ticket the agent came from, if any (?from=) */
  readonly from = input<string | undefined>(undefined);

  protected readonly citizen = signal<Citizen | null>(null);
  protected readonly tickets = signal<TicketSummary[]>([]);
  /** every channel's messages of the person's visible requests (GET /citizens/:id/messages) */
  protected readonly messages = signal<CitizenMessage[]>([]);
  protected readonly openOnly = signal(false);
  protected readonly shownTickets = computed(() =>
    this.openOnly() ? this.tickets().filter((x) => (OPEN_STATUSES as readonly string[]).includes(x.status)) : this.tickets(),
  );
  protected readonly openCount = computed(
    () => this.tickets().filter((x) => (OPEN_STATUSES as readonly string[]).includes(x.status)).length,
  );
  protected readonly loadError = signal<UiError | null>(null);
  protected readonly editing = signal(false);
  protected readonly draft = signal<CitizenInput | null>(null);
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly name = computed(() => {
    const c = this.citizen();
    if (!c) return '';
    return c.kind === 'organisation' ? (c.organisationName ?? '') : [c.firstName, c.lastName].filter(Boolean).join(' ');
  });
  protected readonly erasing = signal(false);
  protected readonly eraseForce = signal(false);
  protected readonly eraseReason = signal('');
  protected readonly eraseError = signal<UiError | null>(null);
  protected readonly erased = signal<ErasureResult | null>(null);
  protected readonly merged = signal<MergeResult | null>(null);
  protected key = (k: string): MsgKey => k as MsgKey;
  protected readonly exportUrl = computed(() => `${API}/citizens/${this.id()}/access-export`);
  protected readonly letterUrl = computed(() => `${API}/citizens/${this.id()}/access-letter`);

  constructor() {
    // the route's id may change while the page stays (another person's link)
    effect(() => {
      const id = this.id();
      untracked(() => this.load(id));
    });
  }

  private load(id: string): void {
    this.editing.set(false);
    if (this.merged()?.citizen.id !== id) this.merged.set(null);
    this.api.get<Citizen>(`/citizens/${id}`).subscribe({
      next: (c) => {
        this.citizen.set(c);
        this.loadError.set(null);
      },
      error: (e: unknown) => this.loadError.set(toUiError(e)),
    });
    this.api.get<TicketSummary[]>(`/citizens/${id}/tickets`).subscribe({
      next: (items) => this.tickets.set(items),
      error: () => this.tickets.set([]),
    });
    if (this.auth.can('tickets.read'))
      this.api.get<CitizenMessage[]>(`/citizens/${id}/messages`).subscribe({
        next: (items) => this.messages.set(items),
        error: () => this.messages.set([]),
      });
  }

  protected edit(): void {
    const c = this.citizen();
    if (!c) return;
    this.draft.set(citizenInputOf(c));
    this.error.set(null);
    this.notice.set('');
    this.editing.set(true);
  }

  protected cancel(): void {
    this.editing.set(false);
    this.error.set(null);
  }

  protected save(): void {
    const c = this.citizen();
    const d = this.draft();
    if (!c || !d || this.busy()) return;
    this.busy.set(true);
    this.api.put<Citizen>(`/citizens/${c.id}`, { ...cleanCitizen(d), version: c.version }).subscribe({
      next: (saved) => {
        this.citizen.set(saved);
        this.editing.set(false);
        this.error.set(null);
        this.busy.set(false);
        this.notice.set(this.t('citizenPage.saved'));
      },
      error: (e: unknown) => {
        const ui = toUiError(e);
        this.busy.set(false);
        if (ui.status === 409 && ui.fields['version']) {
          // someone else saved first: show their version, keep the form open on it
          this.notice.set(this.t('citizenPage.stale'));
          this.api.get<Citizen>(`/citizens/${c.id}`).subscribe((fresh) => {
            this.citizen.set(fresh);
            this.draft.set(citizenInputOf(fresh));
          });
          this.error.set(null);
          return;
        }
        this.error.set(ui);
      },
    });
  }

  protected erase(): void {
    if (this.busy()) return;
    this.busy.set(true);
    const body = { reason: this.eraseReason(), ...(this.eraseForce() ? { force: true } : {}) };
    this.api.post<ErasureResult>(`/citizens/${this.id()}/erase`, body).subscribe({
      next: (r) => {
        this.busy.set(false);
        this.erased.set(r);
        this.erasing.set(false);
        this.eraseError.set(null);
        this.notice.set(this.t('citizenPage.erased'));
        this.load(this.id());
      },
      error: (e: unknown) => {
        this.busy.set(false);
        this.eraseError.set(toUiError(e));
      },
    });
  }

  /** the duplicate was merged into this record: its requests are listed here now, with the history of both */
  protected onMerged(r: MergeResult): void {
    this.merged.set(r);
    this.citizen.set(r.citizen);
    this.notice.set(this.t('citizenMerge.done', { moved: r.movedRequests }));
    this.load(r.citizen.id);
  }

  protected fieldList(fields: readonly string[]): string {
    return fields.map((f) => this.t(`citizen.${f}` as MsgKey)).join(', ');
  }
}
