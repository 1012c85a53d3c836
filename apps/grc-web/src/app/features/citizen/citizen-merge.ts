import { ChangeDetectionStrategy, Component, computed, effect, inject, input, output, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  mergeCitizens,
  type Channel,
  type Citizen,
  type CitizenFields,
  type CitizenSummary,
  type MergeResult,
  type TicketSummary,
} from '@grc/domain';
import type { Subscription } from 'rxjs';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

/** the rows of the preview, in the record's order */
const FIELDS: Array<keyof CitizenFields> = [
  'lastName',
  'firstName',
  'organisationName',
  'contactPerson',
  'email',
  'phone',
  'address',
  'postcode',
  'city',
  'preferredChannel',
];

const SEARCH_DEBOUNCE_MS = 250;

const fieldsOf = (c: Citizen): CitizenFields =>
  Object.fromEntries(FIELDS.map((f) => [f, (c as unknown as Record<string, unknown>)[f] ?? null])) as unknown as CitizenFields;

/**
 * "Merge with another record" on the citizen page (holders of `rgpd`, as POST /citizens/{id}/merge): find the
 * duplicate by name, e-mail or phone; preview both records side by side (identity, contacts, requests) with
 * what the merge will do (libs/domain's `mergeCitizens`: this record's values win, its empty fields are filled
 * from the other); confirm with a reason; the other record's requests move here and it is deleted.
 */
@Component({
  selector: 'grc-citizen-merge',
  imports: [FormsModule, RouterLink, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './citizen-merge.html',
})
export class CitizenMerge {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  /** the record that stays */
  readonly citizen = input.required<Citizen>();
  /** its requests (the page has them) */
  readonly requests = input<number>(0);
  readonly merged = output<MergeResult>();

  protected readonly open = signal(false);
  protected readonly query = signal('');
  protected readonly results = signal<CitizenSummary[] | null>(null);
  protected readonly other = signal<Citizen | null>(null);
  protected readonly otherRequests = signal<TicketSummary[]>([]);
  protected readonly reason = signal('');
  protected readonly error = signal<UiError | null>(null);
  protected readonly busy = signal(false);
  protected readonly fields = FIELDS;

  private readonly keptId = computed(() => this.citizen().id);
  protected readonly candidates = computed(() => (this.results() ?? []).filter((c) => c.id !== this.citizen().id));
  /** what the merge will do, computed by the same rule as the API's */
  protected readonly outcome = computed(() => {
    const o = this.other();
    return o ? mergeCitizens(fieldsOf(this.citizen()), fieldsOf(o)) : null;
  });

  constructor() {
    effect((onCleanup) => {
      const q = this.query().trim();
      if (q.length < 2) {
        this.results.set(null);
        return;
      }
      let sub: Subscription | undefined;
      const timer = setTimeout(
        () =>
          (sub = this.api.get<CitizenSummary[]>('/citizens', { q }).subscribe({
            next: (list) => this.results.set(list),
            error: (e: unknown) => this.error.set(toUiError(e)),
          })),
        SEARCH_DEBOUNCE_MS,
      );
      onCleanup(() => {
        clearTimeout(timer);
        sub?.unsubscribe();
      });
    });
    // another record shown on the page (a link): start again
    effect(() => {
      this.keptId();
      untracked(() => this.cancel());
    });
  }

  protected label(f: keyof CitizenFields): string {
    return this.t(`citizen.${f}` as MsgKey);
  }

  protected value(c: Citizen, f: keyof CitizenFields): string {
    const v = (c as unknown as Record<string, unknown>)[f];
    if (v === null || v === undefined || v === '') return this.t('common.none');
    return f === 'preferredChannel' ? this.i18n.channel(v as Channel) : String(v);
  }

  protected effectOf(f: keyof CitizenFields): 'filled' | 'conflict' | null {
    const o = this.outcome();
    if (!o) return null;
    return o.filled.includes(f) ? 'filled' : o.conflicts.includes(f) ? 'conflict' : null;
  }

  protected nameOf(c: Citizen): string {
    return c.kind === 'organisation' ? (c.organisationName ?? '') : [c.firstName, c.lastName].filter(Boolean).join(' ');
  }

  protected choose(s: CitizenSummary): void {
    this.error.set(null);
    this.api.get<Citizen>(`/citizens/${s.id}`).subscribe({
      next: (c) => this.other.set(c),
      error: (e: unknown) => this.error.set(toUiError(e)),
    });
    this.api.get<TicketSummary[]>(`/citizens/${s.id}/tickets`).subscribe({
      next: (list) => this.otherRequests.set(list),
      error: () => this.otherRequests.set([]),
    });
  }

  protected back(): void {
    this.other.set(null);
    this.otherRequests.set([]);
    this.error.set(null);
  }

  protected cancel(): void {
    this.open.set(false);
    this.query.set('');
    this.results.set(null);
    this.reason.set('');
    this.back();
  }

  protected confirm(): void {
    const kept = this.citizen();
    const other = this.other();
    if (!other || this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.api
      .post<MergeResult>(`/citizens/${kept.id}/merge`, {
        otherId: other.id,
        version: kept.version,
        otherVersion: other.version,
        reason: this.reason(),
      })
      .subscribe({
        next: (r) => {
          this.busy.set(false);
          this.merged.emit(r);
          this.cancel();
        },
        error: (e: unknown) => {
          this.busy.set(false);
          this.error.set(toUiError(e));
        },
      });
  }
}
