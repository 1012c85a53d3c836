import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Router } from '@angular/router';
import type { DuplicatesView, NearbyRequest } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { NearbyList } from './nearby-list';
import { PlaceMap, type MapMarker } from './place-map';
import { PlacesApi } from './places-api';

/** The ticket page's place: the point on the map (when tiles are configured) and the open requests nearby, with distances. */
@Component({
  selector: 'grc-ticket-place',
  imports: [PlaceMap, NearbyList],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" aria-labelledby="place-h" data-testid="ticket-place">
      <h2 id="place-h">{{ t('ticket.address') }}</h2>
      @if (lat() === null || lng() === null) {
        <p class="muted">{{ t('places.nearby.noPoint') }}</p>
      } @else {
        <grc-place-map
          [settings]="settings()"
          [label]="t('places.map.ticketLabel')"
          [point]="point()"
          [markers]="markers()"
          height="260px"
          (markerActivated)="open($event)"
        />
        @if (settings()?.tiles) {
          <p class="muted" data-testid="ticket-place-legend">{{ t('places.map.ticketLegend') }}</p>
        }
        <grc-nearby-list [items]="nearby()" headingId="ticket-nearby-heading" />
      }
    </section>
  `,
})
export class TicketPlace {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  protected readonly t = inject(I18n).t;
  readonly ticketId = input.required<string>();
  readonly lat = input<number | null>(null);
  readonly lng = input<number | null>(null);
  /** the ticket's version: a link or unlink changes the candidates, the map follows */
  readonly version = input<number>(0);
  protected readonly settings = toSignal(inject(PlacesApi).mapSettings('agent'), { initialValue: null });
  protected readonly nearby = signal<NearbyRequest[]>([]);
  protected readonly duplicates = signal<DuplicatesView['candidates']>([]);
  protected readonly point = computed(() => {
    const lat = this.lat(),
      lng = this.lng();
    return lat !== null && lng !== null ? { lat, lng } : null;
  });
  protected readonly markers = computed<MapMarker[]>(() => {
    const dup = this.duplicates().filter((d) => d.lat !== null && d.lng !== null);
    const dupIds = new Set(dup.map((d) => d.id));
    return [
      ...this.nearby()
        .filter((n) => !dupIds.has(n.id))
        .map((n) => ({ id: n.id, lat: n.lat, lng: n.lng, label: `${n.reference} — ${n.subject}`, tone: 'tone-nearby' })),
      ...dup.map((d) => ({
        id: d.id,
        lat: d.lat!,
        lng: d.lng!,
        label: this.t('places.map.duplicate', { label: `${d.reference} — ${d.subject}` }),
        tone: 'tone-duplicate',
      })),
    ];
  });

  constructor() {
    effect(() => {
      const id = this.ticketId();
      this.version();
      if (this.point() === null) return;
      this.api
        .get<NearbyRequest[]>(`/tickets/${id}/nearby`)
        .subscribe({ next: (l) => this.nearby.set(l), error: () => this.nearby.set([]) });
      this.api
        .get<DuplicatesView>(`/tickets/${id}/duplicates`)
        .subscribe({ next: (v) => this.duplicates.set(v.candidates), error: () => this.duplicates.set([]) });
    });
  }

  protected open(id: string): void {
    void this.router.navigate(['/tickets', id]);
  }
}
