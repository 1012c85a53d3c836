import { ScrollingModule } from '@angular/cdk/scrolling';
import { ChangeDetectionStrategy, Component, DestroyRef, type WritableSignal, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink, type ParamMap, type Params } from '@angular/router';
import {
  CHANNELS,
  INBOX_COLUMNS,
  PRIORITIES,
  TICKET_STATUSES,
  TICKET_COUNT_CAP,
  type InboxColumn,
  type InboxQuery,
  type InboxSort,
  type InboxView,
  type Page,
  type TicketCount,
  type TicketSummary,
} from '@grc/domain';
import { Subscription, auditTime, catchError, forkJoin, of } from 'rxjs';
import { Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n, type MsgKey } from '../../core/i18n';
import { RefData } from '../../core/ref-data';
import { toUiError, type UiError } from '../../core/problem';
import { AgentPicker, type PickerOption } from '../../shared/agent-picker';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AwaitingLink } from '../workflows/awaiting';
import { LiveUpdates } from '../../core/live';
import { SavedViews } from '../live/saved-views';

const VIEWS: InboxView[] = ['mine', 'departments', 'unassigned', 'all'];
const SORTS: InboxSort[] = ['created_desc', 'created_asc', 'updated_desc', 'priority_desc', 'due_asc'];
/** filter query params, each a single value in the URL (the API accepts comma-separated lists) */
const FILTER_KEYS = [
  'status',
  'channel',
  'categoryId',
  'departmentId',
  'priority',
  'assigneeId',
  'createdFrom',
  'createdTo',
  'breached',
] as const;
type FilterKey = (typeof FILTER_KEYS)[number];
/** rows fetched per request (the API's maximum is 200) */
export const INBOX_PAGE_SIZE = 100;
/** height of a row in pixels: the virtual scroll's fixed item size (styles.css `.inbox-viewport tr`) */
export const INBOX_ROW_PX = 44;
/** the next page is fetched when fewer rows than this are left below the viewport */
const PREFETCH_ROWS = 30;

@Component({
  selector: 'grc-inbox',
  imports: [FormsModule, RouterLink, ScrollingModule, AwaitingLink, SavedViews, AgentPicker, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './inbox.html',
})
export class InboxPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  private readonly ref = inject(RefData);

  protected readonly statuses = TICKET_STATUSES;
  protected readonly channels = CHANNELS;
  protected readonly priorities = PRIORITIES;
  protected readonly sorts = SORTS;
  protected readonly categories = toSignal(this.ref.categories(), { initialValue: [] });
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });
  /** the assignee filter's first options: any, the agent itself (the picker lists the departments' agents it sees) */
  protected readonly assigneeLeading = computed<PickerOption[]>(() => [
    { value: '', label: this.t('inbox.any') },
    ...(this.auth.me() ? [{ value: this.auth.me()!.id, label: this.t('inbox.assigneeMe') }] : []),
  ]);
  protected readonly views = computed(() => VIEWS.filter((v) => v !== 'all' || this.auth.isAdmin()));

  protected readonly view = signal<InboxView>('mine');
  protected readonly q = signal('');
  protected readonly sort = signal<InboxSort>('created_desc');
  protected readonly filters: Record<FilterKey, WritableSignal<string>> = {
    status: signal(''),
    channel: signal(''),
    categoryId: signal(''),
    departmentId: signal(''),
    priority: signal(''),
    assigneeId: signal(''),
    createdFrom: signal(''),
    createdTo: signal(''),
    breached: signal(''),
  };

  /** the columns shown (?cols= of a saved view; all by default) and the saved view open, if any */
  protected readonly columns = signal<readonly InboxColumn[]>(INBOX_COLUMNS);
  protected readonly savedView = signal<string | null>(null);
  protected readonly live = inject(LiveUpdates);
  protected col(c: InboxColumn): boolean {
    return this.columns().includes(c);
  }
  /** what a saved view would keep of the current inbox */
  protected readonly viewQuery = computed(() => {
    return Object.fromEntries(Object.entries(this.query(null)).filter(([k, v]) => v !== undefined && k !== 'cursor' && k !== 'limit'));
  });

  /**
   * Each tab's figures, open ones and all, counted with the filters of the list (GET /tickets/count, the
   * same conditions as GET /tickets): a tab's link keeps the filters, so the list it opens has exactly
   * `all` rows, `open` of them new, open or waiting for the citizen.
   */
  protected readonly counts = signal<Partial<Record<InboxView, TicketCount>>>({});
  /** the open list's figures */
  protected readonly listCount = computed(() => this.counts()[this.view()] ?? null);
  protected readonly items = signal<TicketSummary[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  /** pages fetched into the one scrolling list (keyset cursors: a page follows the last row loaded) */
  protected readonly page = signal(0);
  protected readonly loading = signal(false);
  protected readonly rowPx = INBOX_ROW_PX;
  protected readonly error = signal<UiError | null>(null);
  protected readonly liveMessage = computed(() => {
    if (this.loading()) return this.t('common.loading');
    if (this.error()) return '';
    if (!this.items().length) return this.t('inbox.empty');
    return this.t('inbox.loadedRows', { count: this.items().length, more: this.nextCursor() ? 'yes' : 'no' });
  });
  private request?: Subscription;

  constructor() {
    this.route.queryParamMap.pipe(takeUntilDestroyed(inject(DestroyRef))).subscribe((params) => {
      this.readParams(params);
      this.load(null);
      this.loadCounters();
    });
    // live: a ticket created, changed or moved in the agent's departments re-reads the page and the counters (no spinner)
    this.live
      .watch('inbox')
      .pipe(auditTime(500), takeUntilDestroyed(inject(DestroyRef)))
      .subscribe(() => {
        // the first page is re-read; an agent scrolled further down keeps their rows (the counters still move)
        if (!this.loading() && this.page() === 1) this.load(null, true);
        this.loadCounters();
      });
  }

  protected viewLabel(v: InboxView): string {
    return this.t(`view.${v}` as MsgKey);
  }
  protected sortLabel(s: InboxSort): string {
    return this.t(`inbox.sort.${s}` as MsgKey);
  }
  protected count(v: InboxView): TicketCount | null {
    return this.counts()[v] ?? null;
  }
  protected capped(c: TicketCount): 'yes' | 'no' {
    return c.all >= TICKET_COUNT_CAP ? 'yes' : 'no';
  }
  /** The map of requests with this view and these filters (its URL takes the inbox's parameters as they are). */
  private readonly urlParams = toSignal(this.route.queryParams, { initialValue: {} as Params });
  protected readonly mapParams = computed<Params>(() => {
    const applied = this.urlParams();
    const params: Params = { view: this.view() };
    for (const k of ['q', ...FILTER_KEYS]) if (applied[k]) params[k] = applied[k];
    return params;
  });

  protected viewParams(v: InboxView): Params {
    return { ...this.route.snapshot.queryParams, view: v };
  }

  /** Search and filter forms both write the URL; the URL drives the load (bookmarks, back button). */
  protected apply(): void {
    const params: Params = { view: this.view() };
    if (this.q().trim()) params['q'] = this.q().trim();
    if (this.sort() !== 'created_desc') params['sort'] = this.sort();
    for (const k of FILTER_KEYS) if (this.filters[k]()) params[k] = this.filters[k]();
    if (this.columns().length < INBOX_COLUMNS.length) params['cols'] = this.columns().join(',');
    void this.router.navigate([], { relativeTo: this.route, queryParams: params });
  }

  protected reset(): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: { view: this.view() } });
  }

  /** The next page, appended to the list (the "more" button, or scrolling near the end). */
  protected more(): void {
    const c = this.nextCursor();
    if (!c || this.loading()) return;
    this.load(c);
  }

  /** The virtual scroll's first visible row changed: fetch ahead when the end of what is loaded comes near. */
  protected scrolledTo(firstVisible: number, visibleRows: number): void {
    if (firstVisible + visibleRows + PREFETCH_ROWS >= this.items().length) this.more();
  }

  protected readonly trackId = (_: number, item: TicketSummary) => item.id;

  private readParams(p: ParamMap): void {
    const view = p.get('view') as InboxView | null;
    this.view.set(view && VIEWS.includes(view) ? view : 'mine');
    this.q.set(p.get('q') ?? '');
    const sort = p.get('sort') as InboxSort | null;
    this.sort.set(sort && SORTS.includes(sort) ? sort : 'created_desc');
    for (const k of FILTER_KEYS) this.filters[k].set(p.get(k) ?? '');
    const cols = (p.get('cols') ?? '').split(',').filter((c): c is InboxColumn => (INBOX_COLUMNS as readonly string[]).includes(c));
    this.columns.set(cols.length ? cols : INBOX_COLUMNS);
    this.savedView.set(p.get('savedView'));
  }

  private query(cursor: string | null): InboxQuery {
    const list = <T extends string>(k: FilterKey): T[] | undefined => (this.filters[k]() ? [this.filters[k]() as T] : undefined);
    return {
      view: this.view(),
      q: this.q().trim() || undefined,
      status: list('status'),
      channel: list('channel'),
      categoryId: list('categoryId'),
      departmentId: list('departmentId'),
      priority: list('priority'),
      assigneeId: list('assigneeId'),
      createdFrom: this.filters.createdFrom() || undefined,
      createdTo: this.filters.createdTo() || undefined,
      breached: this.filters.breached() === 'true' || undefined,
      sort: this.sort(),
      cursor: cursor ?? undefined,
      limit: INBOX_PAGE_SIZE,
    };
  }

  /** A first page (cursor null: the list starts again) or the page after `cursor`, appended; `quiet`: no spinner. */
  private load(cursor: string | null, quiet = false): void {
    this.request?.unsubscribe();
    if (!quiet) this.loading.set(true);
    this.error.set(null);
    this.request = this.api.get<Page<TicketSummary>>('/tickets', { ...this.query(cursor) }).subscribe({
      next: (page) => {
        this.items.update((rows) => (cursor === null ? page.items : [...rows, ...page.items]));
        this.page.update((n) => (cursor === null ? 1 : n + 1));
        this.nextCursor.set(page.nextCursor);
        this.loading.set(false);
      },
      error: (err: unknown) => {
        if (cursor === null) this.items.set([]);
        this.nextCursor.set(null);
        this.error.set(toUiError(err));
        this.loading.set(false);
      },
    });
  }

  private counting?: Subscription;
  private loadCounters(): void {
    this.counting?.unsubscribe();
    const views = this.views();
    const filters: Partial<InboxQuery> = this.query(null);
    delete filters.cursor;
    delete filters.limit;
    this.counting = forkJoin(
      views.map((view) => this.api.get<TicketCount>('/tickets/count', { ...filters, view }).pipe(catchError(() => of(null)))),
    ).subscribe((counts) => {
      const out: Partial<Record<InboxView, TicketCount>> = {};
      views.forEach((v, i) => {
        const c = counts[i];
        if (c) out[v] = c;
      });
      this.counts.set(out);
    });
  }
}
