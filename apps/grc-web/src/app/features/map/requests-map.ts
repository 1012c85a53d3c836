import { ChangeDetectionStrategy, Component, type WritableSignal, computed, inject, signal, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import {
  CHANNELS,
  OPEN_STATUSES,
  PRIORITIES,
  type InboxView,
  type RequestsMap,
  type RequestsMapCell,
  type TicketStatus,
} from '@grc/domain';
import { Subject, debounceTime, switchMap, catchError, of } from 'rxjs';
import { Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n, type MsgKey } from '../../core/i18n';
import { RefData } from '../../core/ref-data';
import { AgentPicker, type PickerOption } from '../../shared/agent-picker';
import { PlaceMap, type MapMarker, type MapView } from '../../shared/places/place-map';
import { PlacesApi } from '../../shared/places/places-api';

/** the inbox's filters (its URL's query parameters, one value each): the map has them all, a link either way keeps them */
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
/** Without a map: the town's extent around its addresses' centre, then a sector at a time. */
const TOWN_HALF_DEGREES = 0.04;

/**
 * The map of requests: the inbox's open, placed requests (same views, filters and permissions — the API applies the
 * inbox's own conditions), clustered by the server per zoom level, coloured by SLA state; a click (or Enter on a
 * marker) opens a request or zooms into a cluster. The list under the map is the same data as text, and is the
 * whole page when no tiles are configured: sectors can be opened one by one without any map.
 */
@Component({
  selector: 'grc-requests-map',
  imports: [FormsModule, RouterLink, PlaceMap, AgentPicker],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>{{ t('places.map.title') }}</h1>
    <form class="card filters" role="search" (ngSubmit)="refresh()" [attr.aria-label]="t('places.map.filters')">
      <div class="grid">
        <div class="field">
          <label for="map-view">{{ t('inbox.views') }}</label>
          <select id="map-view" name="view" [ngModel]="view()" (ngModelChange)="view.set($event); refresh()">
            @for (v of views(); track v) {
              <option [value]="v">{{ t($any('view.' + v)) }}</option>
            }
          </select>
        </div>
        <div class="field">
          <label for="map-q">{{ t('inbox.search') }}</label>
          <input id="map-q" name="q" type="search" [ngModel]="q()" (ngModelChange)="q.set($event)" />
        </div>
        <div class="field">
          <label for="map-status">{{ t('inbox.status') }}</label>
          <select id="map-status" name="status" [ngModel]="filters.status()" (ngModelChange)="set('status', $event)">
            <option value="">{{ t('inbox.any') }}</option>
            @for (s of statuses; track s) {
              <option [value]="s">{{ i18n.status(s) }}</option>
            }
          </select>
        </div>
        <div class="field">
          <label for="map-channel">{{ t('inbox.channel') }}</label>
          <select id="map-channel" name="channel" [ngModel]="filters.channel()" (ngModelChange)="set('channel', $event)">
            <option value="">{{ t('inbox.any') }}</option>
            @for (c of channels; track c) {
              <option [value]="c">{{ i18n.channel(c) }}</option>
            }
          </select>
        </div>
        <div class="field">
          <label for="map-category">{{ t('ticket.category') }}</label>
          <select id="map-category" name="categoryId" [ngModel]="filters.categoryId()" (ngModelChange)="set('categoryId', $event)">
            <option value="">{{ t('inbox.any') }}</option>
            @for (c of categories(); track c.id) {
              <option [value]="c.id">{{ i18n.categoryName(c) }}</option>
            }
          </select>
        </div>
        <div class="field">
          <label for="map-department">{{ t('inbox.department') }}</label>
          <select id="map-department" name="departmentId" [ngModel]="filters.departmentId()" (ngModelChange)="set('departmentId', $event)">
            <option value="">{{ t('inbox.any') }}</option>
            @for (d of departments(); track d.id) {
              <option [value]="d.id">{{ d.name }}</option>
            }
          </select>
        </div>
        <div class="field">
          <label for="map-priority">{{ t('inbox.priority') }}</label>
          <select id="map-priority" name="priority" [ngModel]="filters.priority()" (ngModelChange)="set('priority', $event)">
            <option value="">{{ t('inbox.any') }}</option>
            @for (p of priorities; track p) {
              <option [value]="p">{{ i18n.priority(p) }}</option>
            }
          </select>
        </div>
        <grc-agent-picker
          pickerId="map-assignee"
          [label]="t('inbox.assignee')"
          [value]="filters.assigneeId()"
          (valueChange)="set('assigneeId', $event)"
          [departmentIds]="auth.isAdmin() ? null : (auth.me()?.visibleDepartmentIds ?? [])"
          [exclude]="[auth.me()?.id]"
          [leading]="assigneeLeading()"
        />
        <div class="field">
          <label for="map-from">{{ t('inbox.createdFrom') }}</label>
          <input id="map-from" name="createdFrom" type="date" [ngModel]="filters.createdFrom()" (ngModelChange)="set('createdFrom', $event)" />
        </div>
        <div class="field">
          <label for="map-to">{{ t('inbox.createdTo') }}</label>
          <input id="map-to" name="createdTo" type="date" [ngModel]="filters.createdTo()" (ngModelChange)="set('createdTo', $event)" />
        </div>
        <div class="field checkbox">
          <input
            id="map-breached"
            type="checkbox"
            name="breached"
            [ngModel]="filters.breached() === 'true'"
            (ngModelChange)="set('breached', $event ? 'true' : '')"
          />
          <label for="map-breached">{{ t('inbox.breachedOnly') }}</label>
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="btn btn-primary">{{ t('inbox.apply') }}</button>
        <a class="btn btn-secondary" routerLink="/inbox" [queryParams]="inboxParams()" data-testid="map-to-inbox">{{ t('places.map.toInbox') }}</a>
      </div>
    </form>

    @if (settings(); as s) {
      @if (s.tiles) {
        <grc-place-map
          #map
          [settings]="s"
          [label]="t('places.map.requestsLabel')"
          [markers]="markers()"
          height="480px"
          (viewChanged)="moved($event)"
          (markerActivated)="activate($event)"
        />
        <p class="hint">{{ t('places.map.legend') }}</p>
      } @else {
        <p class="alert alert-info">{{ t('places.map.noTiles') }}</p>
      }
    }

    <section class="card" aria-labelledby="map-list-h">
      <h2 id="map-list-h">{{ t('places.map.listHeading') }}</h2>
      @if (data(); as d) {
        <p aria-live="polite" data-testid="map-total">{{ i18n.plural('places.map.total', d.total) }}</p>
        @if (d.truncated) {
          <p class="alert alert-info" data-testid="map-truncated">{{ t('places.map.truncated', { count: d.cells.length }) }}</p>
        }
        @if (d.unplaced) {
          <p class="muted">{{ t('places.map.unplaced', { count: d.unplaced }) }}</p>
        }
        @if (sector()) {
          <button type="button" class="btn btn-secondary btn-small" (click)="wholeTown()">{{ t('places.map.wholeTown') }}</button>
        }
        <ul class="map-cells">
          @for (c of d.cells; track $index) {
            <li>
              @if (c.ticket; as tk) {
                <a [routerLink]="['/tickets', tk.id]">{{ tk.reference }}</a> — {{ tk.subject }}
                <span class="muted">({{ i18n.status($any(tk.status)) }}{{ tk.address ? ', ' + tk.address : '' }}, {{ slaText(c) }})</span>
              } @else {
                {{ t('places.map.listCluster', { count: c.count, lat: c.lat, lng: c.lng }) }} <span class="muted">({{ slaText(c) }})</span>
                <button type="button" class="btn btn-secondary btn-small" (click)="openSector(c)">{{ t('places.map.zoomIn') }}</button>
              }
            </li>
          }
        </ul>
      }
    </section>
  `,
})
export class RequestsMapPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly auth = inject(Auth);
  protected readonly statuses = OPEN_STATUSES;
  protected readonly channels = CHANNELS;
  protected readonly priorities = PRIORITIES;
  private readonly ref = inject(RefData);
  protected readonly categories = toSignal(this.ref.categories(), { initialValue: [] });
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });
  protected readonly assigneeLeading = computed<PickerOption[]>(() => [
    { value: '', label: this.t('inbox.any') },
    ...(this.auth.me() ? [{ value: this.auth.me()!.id, label: this.t('inbox.assigneeMe') }] : []),
  ]);
  protected readonly settings = toSignal(inject(PlacesApi).mapSettings('agent'), { initialValue: null });
  protected readonly views = computed<InboxView[]>(() => [
    'departments',
    'mine',
    'unassigned',
    ...(this.auth.isAdmin() ? (['all'] as InboxView[]) : []),
  ]);
  protected readonly view = signal<InboxView>('departments');
  protected readonly q = signal('');
  protected readonly filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, signal('')])) as Record<FilterKey, WritableSignal<string>>;
  /** the same view and filters in the inbox (its URL: one value per filter) */
  protected readonly inboxParams = computed(() => {
    const params: Record<string, string> = { view: this.view() };
    if (this.q().trim()) params['q'] = this.q().trim();
    for (const k of FILTER_KEYS) if (this.filters[k]()) params[k] = this.filters[k]();
    return params;
  });
  protected readonly data = signal<RequestsMap | null>(null);
  /** the list-only drill-down: a cluster's sector, when there is no map */
  protected readonly sector = signal<MapView | null>(null);
  private readonly map = viewChild<PlaceMap>('map');
  private lastView: MapView | null = null;
  private readonly requests = new Subject<MapView>();

  protected readonly markers = computed<MapMarker[]>(() =>
    (this.data()?.cells ?? []).map((c, i) => ({
      id: c.ticket ? `t:${c.ticket.id}` : `c:${i}`,
      lat: c.lat,
      lng: c.lng,
      count: c.count,
      label: c.ticket
        ? `${c.ticket.reference} — ${c.ticket.subject} (${this.slaText(c)})`
        : this.t('places.map.cluster', { count: c.count }),
      tone: `sla-${c.sla}`,
    })),
  );

  constructor() {
    const q = this.route.snapshot.queryParamMap;
    const v = q.get('view') as InboxView | null;
    if (v && ['departments', 'mine', 'unassigned', 'all'].includes(v)) this.view.set(v);
    this.q.set(q.get('q') ?? '');
    for (const k of FILTER_KEYS) this.filters[k].set(q.get(k) ?? '');
    this.requests
      .pipe(
        debounceTime(150),
        switchMap((view) => this.api.get<RequestsMap>('/places/requests-map', this.params(view)).pipe(catchError(() => of(null)))),
      )
      .subscribe((d) => this.data.set(d));
    // no map: the list works on the town's extent
    const settingsSub = inject(PlacesApi)
      .mapSettings('agent')
      .subscribe((s) => {
        if (!s.tiles) this.requests.next(this.townView(s.centre));
      });
    void settingsSub;
  }

  private townView(c: { lat: number; lng: number } | null): MapView {
    const centre = c ?? { lat: 46.6, lng: 2.4 };
    const half = c ? TOWN_HALF_DEGREES : 5;
    return { west: centre.lng - half, south: centre.lat - half, east: centre.lng + half, north: centre.lat + half, zoom: c ? 14 : 6 };
  }

  private params(v: MapView): Record<string, string | number | boolean | null> {
    return {
      ...Object.fromEntries(FILTER_KEYS.map((k) => [k, this.filters[k]() || null])),
      q: this.q().trim() || null,
      view: this.view(),
      bbox: [v.west, v.south, v.east, v.north].map((n) => Math.max(-180, Math.min(180, Number(n.toFixed(6))))).join(','),
      zoom: Math.max(0, Math.min(22, Math.round(v.zoom))),
    };
  }

  protected moved(v: MapView): void {
    this.lastView = v;
    this.requests.next(v);
  }

  /** A filter changed: the URL keeps it (bookmarks, the link to the inbox), the map reloads. */
  protected set(k: FilterKey, value: string | null): void {
    this.filters[k].set(value ?? '');
    this.refresh();
  }

  protected refresh(): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: this.inboxParams(), replaceUrl: true });
    const s = this.settings();
    const v = this.sector() ?? this.lastView ?? (s ? this.townView(s.centre) : null);
    if (v) this.requests.next(v);
  }

  protected activate(id: string): void {
    if (id.startsWith('t:')) void this.router.navigate(['/tickets', id.slice(2)]);
    else {
      const c = this.data()?.cells[Number(id.slice(2))];
      if (c) this.openSector(c);
    }
  }

  /** A cluster: the map zooms in on it; without a map, the list shows its sector at the next zoom levels. */
  protected openSector(c: RequestsMapCell): void {
    const zoom = Math.min(19, (this.data()?.zoom ?? 14) + 2);
    const map = this.map();
    if (map && this.settings()?.tiles) return map.zoomTo(c.lat, c.lng, zoom);
    const half = 360 / 2 ** (this.data()?.zoom ?? 14) / 4;
    const v = { west: c.lng - half, south: c.lat - half, east: c.lng + half, north: c.lat + half, zoom };
    this.sector.set(v);
    this.requests.next(v);
  }

  protected wholeTown(): void {
    this.sector.set(null);
    this.requests.next(this.townView(this.settings()?.centre ?? null));
  }

  protected slaText(c: RequestsMapCell): string {
    return this.t(`places.map.sla.${c.sla}` as MsgKey);
  }

  protected statusText(s: string): string {
    return this.i18n.status(s as TicketStatus);
  }
}
