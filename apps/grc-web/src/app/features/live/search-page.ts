import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { OPEN_STATUSES, parseReference, type CitizenSummary, type Page, type TicketCount, type TicketSummary } from '@grc/domain';
import { catchError, of } from 'rxjs';
import { Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n } from '../../core/i18n';

/**
 * What the header's search box finds (`/recherche?q=`), across everything the agent may see: the request
 * of a reference, the citizens (GET /citizens, need-to-know scoped by the API), the requests whose text
 * matches (GET /tickets with `q`), with the counts explicit — open ones and all (GET /tickets/count).
 */
@Component({
  selector: 'grc-search-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>{{ t('search.heading', { q: q() }) }}</h1>
    @if (reference(); as r) {
      <p class="alert alert-info" data-testid="search-reference">
        <a [routerLink]="['/tickets', r.id]">{{ t('search.reference', { reference: r.reference }) }}</a> — {{ r.subject }}
      </p>
    }
    @if (canCitizens()) {
      <section aria-labelledby="search-citizens-h">
        <h2 id="search-citizens-h">{{ t('search.citizens') }} ({{ citizens().length }})</h2>
        @if (citizens().length) {
          <ul data-testid="search-citizens">
            @for (c of citizens(); track c.id) {
              <li>
                <a [routerLink]="['/citizens', c.id]">{{ c.displayName }}</a>
                <span class="muted small">{{ contactLine(c) }}</span>
              </li>
            }
          </ul>
        } @else {
          <p>{{ t('search.noCitizens') }}</p>
        }
      </section>
    }
    <section aria-labelledby="search-tickets-h">
      <h2 id="search-tickets-h">{{ t('search.tickets') }}</h2>
      @if (count(); as c) {
        <p data-testid="search-counts">{{ t('search.counts', { open: c.open, all: c.all }) }}</p>
      }
      <fieldset class="inline">
        <legend class="sr-only">{{ t('search.tickets') }}</legend>
        <label><input type="radio" name="scope" [checked]="openOnly()" (change)="setOpen(true)" /> {{ t('search.openOnly') }}</label>
        <label><input type="radio" name="scope" [checked]="!openOnly()" (change)="setOpen(false)" /> {{ t('search.all') }}</label>
      </fieldset>
      @if (tickets().length) {
        <ul data-testid="search-tickets">
          @for (tk of tickets(); track tk.id) {
            <li>
              <a [routerLink]="['/tickets', tk.id]" class="ref">{{ tk.reference }}</a> {{ tk.subject }}
              <span class="badge" [class]="'badge status-' + tk.status">{{ i18n.status(tk.status) }}</span>
              <span class="muted small">{{ tk.department.name }}</span>
            </li>
          }
        </ul>
        <p><a routerLink="/inbox" [queryParams]="inboxParams()">{{ t('search.inInbox') }}</a></p>
      } @else {
        <p>{{ t('search.noTickets') }}</p>
      }
    </section>
  `,
})
export class SearchPage {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly q = signal('');
  protected readonly openOnly = signal(true);
  protected readonly reference = signal<TicketSummary | null>(null);
  protected readonly citizens = signal<CitizenSummary[]>([]);
  protected readonly tickets = signal<TicketSummary[]>([]);
  protected readonly count = signal<TicketCount | null>(null);
  protected readonly canCitizens = computed(() => this.auth.can('citizens.read'));
  private readonly view = computed(() => (this.auth.isAdmin() ? 'all' : 'departments'));
  protected readonly inboxParams = computed(() => ({
    view: this.view(),
    q: this.q(),
    ...(this.openOnly() ? { status: OPEN_STATUSES.join(',') } : {}),
  }));

  constructor() {
    inject(ActivatedRoute)
      .queryParamMap.pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe((p) => {
        this.q.set((p.get('q') ?? '').trim());
        this.search();
      });
  }

  protected contactLine(c: CitizenSummary): string {
    return [c.email, c.phone, c.city].filter((x): x is string => !!x).join(' · ');
  }

  protected setOpen(open: boolean): void {
    this.openOnly.set(open);
    this.loadTickets();
  }

  private search(): void {
    const q = this.q();
    this.reference.set(null);
    this.citizens.set([]);
    this.count.set(null);
    if (!q) return this.tickets.set([]);
    const ref = parseReference(q);
    if (ref)
      this.api
        .get<Page<TicketSummary>>('/tickets', { view: this.view(), q: ref, limit: 1 })
        .pipe(catchError(() => of(null)))
        .subscribe((p) => this.reference.set(p?.items[0] ?? null));
    if (this.canCitizens())
      this.api
        .get<CitizenSummary[]>('/citizens', { q })
        .pipe(catchError(() => of([] as CitizenSummary[])))
        .subscribe((c) => this.citizens.set(c));
    this.api
      .get<TicketCount>('/tickets/count', { view: this.view(), q })
      .pipe(catchError(() => of(null)))
      .subscribe((c) => this.count.set(c));
    this.loadTickets();
  }

  private loadTickets(): void {
    const q = this.q();
    if (!q) return;
    this.api
      .get<Page<TicketSummary>>('/tickets', { view: this.view(), q, limit: 25, status: this.openOnly() ? OPEN_STATUSES : undefined })
      .pipe(catchError(() => of({ items: [], nextCursor: null } as Page<TicketSummary>)))
      .subscribe((p) => this.tickets.set(p.items));
  }
}
