import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { RouterLink, type Params } from '@angular/router';
import { INBOX_COLUMNS, TICKET_COUNT_CAP, type InboxColumn, type SavedView, type SavedViewQuery, type TicketCount } from '@grc/domain';
import { auditTime, catchError, forkJoin, of } from 'rxjs';
import { Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n, type MsgKey } from '../../core/i18n';
import { LiveUpdates } from '../../core/live';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

/** The inbox's URL parameters of a saved view (the inbox reads its filters, sort and columns from the URL). */
export function viewParams(q: SavedViewQuery, columns: readonly InboxColumn[], id?: string): Params {
  const p: Params = {};
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    p[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  if (columns.length && columns.length < INBOX_COLUMNS.length) p['cols'] = columns.join(',');
  if (id) p['savedView'] = id;
  return p;
}

/**
 * Saved views as tabs above the inbox (GET /views: the agent's own and those a head shared with their
 * departments), each with its live count (GET /tickets/count: open of all), refreshed when the inbox's
 * stream says something changed; and the form that saves the current filters, sort and columns.
 */
@Component({
  selector: 'grc-saved-views',
  imports: [FormsModule, RouterLink, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nav class="views saved-views" [attr.aria-label]="t('views.heading')" data-testid="saved-views">
      <ul>
        @for (v of views(); track v.id) {
          <li>
            <a
              routerLink="/inbox"
              [queryParams]="params(v)"
              [class.active]="activeId() === v.id"
              [attr.aria-current]="activeId() === v.id ? 'page' : null"
              data-testid="saved-view-tab"
            >
              {{ v.name }}
              @if (counts()[v.id]; as c) {
                <span class="count"
                  ><span aria-hidden="true">{{ i18n.countFigure(c.open) }}<span class="count-all"> / {{ i18n.countFigure(c.all) }}</span></span
                  ><span class="sr-only">({{ t('view.count', { open: c.open, all: c.all, capped: c.all >= cap ? 'yes' : 'no' }) }})</span></span
                >
              }
              @if (!v.mine) { <span class="muted small">{{ t('views.sharedBy', { name: v.owner.displayName }) }}</span> }
            </a>
            @if (v.mine) {
              <button type="button" class="btn btn-link small" [attr.aria-label]="t('views.delete', { name: v.name })" (click)="remove(v)">×</button>
            }
          </li>
        }
      </ul>
    </nav>
    <details class="save-view" [open]="formOpen()" (toggle)="formOpen.set($any($event.target).open)">
      <summary>{{ t('views.save') }}</summary>
      <form (ngSubmit)="save()" novalidate>
        <div class="field">
          <label for="view-name">{{ t('views.name') }}</label>
          <input id="view-name" name="name" data-testid="view-name" [(ngModel)]="name" maxlength="80" grcField="name" [grcErrors]="error()" />
          <grc-field-error [errors]="error()" field="name" controlId="view-name" />
        </div>
        <fieldset>
          <legend>{{ t('views.columns') }}</legend>
          <div class="inline wrap">
            @for (c of allColumns; track c) {
              <label><input type="checkbox" [name]="'col-' + c" [checked]="chosen().includes(c)" (change)="toggle(c)" /> {{ t(colKey(c)) }}</label>
            }
          </div>
        </fieldset>
        @if (canShare()) {
          <label><input type="checkbox" name="share" data-testid="view-share" [(ngModel)]="share" /> {{ t('views.share') }}</label>
        }
        <grc-error-alert [error]="error()" />
        <div class="actions">
          <button type="submit" class="btn btn-primary" data-testid="view-save">{{ t('views.saveSubmit') }}</button>
        </div>
      </form>
    </details>
    <p class="live" role="status" aria-live="polite">{{ notice() }}</p>
  `,
})
export class SavedViews {
  /** the inbox's current filters and sort, and its columns */
  readonly query = input.required<SavedViewQuery>();
  readonly columns = input.required<readonly InboxColumn[]>();
  readonly activeId = input<string | null>(null);

  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly cap = TICKET_COUNT_CAP;
  protected readonly allColumns = INBOX_COLUMNS;
  protected readonly views = signal<SavedView[]>([]);
  protected readonly counts = signal<Record<string, TicketCount>>({});
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly formOpen = signal(false);
  protected name = '';
  protected share = false;
  private readonly picked = signal<InboxColumn[] | null>(null);
  protected readonly chosen = computed(() => this.picked() ?? [...this.columns()]);
  protected readonly canShare = computed(() => {
    const role = this.auth.me()?.role;
    return role === 'head' || role === 'admin';
  });

  constructor() {
    this.load();
    inject(LiveUpdates)
      .watch('inbox')
      .pipe(auditTime(1000), takeUntilDestroyed(inject(DestroyRef)))
      .subscribe(() => this.loadCounts());
  }

  protected params(v: SavedView): Params {
    return viewParams(v.query, v.columns, v.id);
  }
  protected colKey(c: InboxColumn): MsgKey {
    return `inbox.col.${c}` as MsgKey;
  }
  protected toggle(c: InboxColumn): void {
    const now = this.chosen();
    this.picked.set(now.includes(c) ? now.filter((x) => x !== c) : INBOX_COLUMNS.filter((x) => x === c || now.includes(x)));
  }

  protected save(): void {
    this.error.set(null);
    const me = this.auth.me();
    const body = {
      name: this.name.trim(),
      query: this.query(),
      columns: this.chosen(),
      sharedDepartmentIds: this.share && me ? me.departments.map((d) => d.id) : [],
    };
    this.api.post<SavedView>('/views', body).subscribe({
      next: (v) => {
        this.notice.set(this.t('views.saved', { name: v.name }));
        this.name = '';
        this.share = false;
        this.picked.set(null);
        this.formOpen.set(false);
        this.load();
      },
      error: (e: unknown) => this.error.set(toUiError(e)),
    });
  }

  protected remove(v: SavedView): void {
    this.api.delete(`/views/${v.id}`).subscribe({
      next: () => {
        this.notice.set(this.t('views.deleted'));
        this.load();
      },
      error: (e: unknown) => this.error.set(toUiError(e)),
    });
  }

  private load(): void {
    this.api
      .get<SavedView[]>('/views')
      .pipe(catchError(() => of([] as SavedView[])))
      .subscribe((views) => {
        this.views.set(views);
        this.loadCounts();
      });
  }

  private loadCounts(): void {
    const views = this.views();
    if (!views.length) return;
    forkJoin(
      views.map((v) => this.api.get<TicketCount>('/tickets/count', { ...viewParams(v.query, []) }).pipe(catchError(() => of(null)))),
    ).subscribe((counts) => {
      const out: Record<string, TicketCount> = {};
      views.forEach((v, i) => {
        const c = counts[i];
        if (c) out[v.id] = c;
      });
      this.counts.set(out);
    });
  }
}
