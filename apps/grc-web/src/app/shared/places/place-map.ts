import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import type { MapSettings } from '@grc/domain';
import type * as Lf from 'leaflet';
import { I18n } from '../../core/i18n';
import { escapeHtml, loadLeaflet, type Leaflet } from './leaflet-loader';

export interface MapMarker {
  id: string;
  lat: number;
  lng: number;
  /** the marker's accessible name (title) */
  label: string;
  /** a count shown in the marker (a cluster) */
  count?: number;
  /** css class: status / SLA colour */
  tone?: string;
}
export interface MapView {
  west: number;
  south: number;
  east: number;
  north: number;
  zoom: number;
}

let seq = 0;

/**
 * A Leaflet map on the configured tiles (nothing is drawn, and no tile fetched, when `settings.tiles` is null: the
 * page shows its text alternative only). Keyboard: the map is one focusable element with an accessible name; the
 * arrows pan, + and − zoom (Leaflet's own keyboard handler), and when `editable` Enter or Space places the point at
 * the centre (the crosshair), so a point can be placed without a mouse; a click or a dragged pin does the same.
 * Markers are focusable buttons named by their `label`; Enter or Space on one is a click.
 */
@Component({
  selector: 'grc-place-map',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (settings()?.tiles) {
      <div
        #el
        class="place-map"
        [class.editable]="editable()"
        role="application"
        [attr.aria-label]="label()"
        [attr.aria-describedby]="helpId"
        [style.height]="height()"
        (keydown)="key($event)"
      ></div>
      <p class="hint" [id]="helpId">{{ editable() ? t('places.map.keysEdit') : t('places.map.keys') }}</p>
    }
  `,
})
export class PlaceMap {
  protected readonly t = inject(I18n).t;
  readonly settings = input<MapSettings | null>(null);
  readonly label = input.required<string>();
  readonly point = input<{ lat: number; lng: number } | null>(null);
  readonly editable = input(false);
  readonly markers = input<readonly MapMarker[]>([]);
  readonly height = input('320px');
  readonly zoom = input(17);
  /** the point placed (click, Enter at the centre, dragged pin) */
  readonly placed = output<{ lat: number; lng: number }>();
  readonly markerActivated = output<string>();
  readonly viewChanged = output<MapView>();

  protected readonly helpId = `map-help-${++seq}`;
  private readonly el = viewChild<ElementRef<HTMLElement>>('el');
  private L: Leaflet | null = null;
  private map: Lf.Map | null = null;
  private pin: Lf.Marker | null = null;
  private layer: Lf.LayerGroup | null = null;
  readonly ready = signal(false);

  constructor() {
    effect(() => {
      const el = this.el();
      const settings = this.settings();
      if (!el || !settings?.tiles || this.map) return;
      void this.init(el.nativeElement, settings);
    });
    effect(() => {
      const p = this.point();
      if (this.ready()) untracked(() => this.showPoint(p));
    });
    effect(() => {
      const m = this.markers();
      if (this.ready()) untracked(() => this.showMarkers(m));
    });
    inject(DestroyRef).onDestroy(() => this.map?.remove());
  }

  private async init(el: HTMLElement, settings: MapSettings): Promise<void> {
    const L = (this.L = await loadLeaflet());
    const tiles = settings.tiles!;
    const start = this.point() ?? settings.centre ?? { lat: 46.6, lng: 2.4 };
    const map = (this.map = L.map(el, { keyboard: true, zoomControl: true, attributionControl: true }).setView(
      [start.lat, start.lng],
      this.point() ? this.zoom() : settings.centre ? 15 : 6,
    ));
    map.attributionControl.setPrefix(false);
    L.tileLayer(tiles.url, { attribution: escapeHtml(tiles.attribution), maxZoom: tiles.maxZoom, subdomains: 'abc' }).addTo(map);
    this.layer = L.layerGroup().addTo(map);
    if (this.editable()) map.on('click', (e: Lf.LeafletMouseEvent) => this.place(e.latlng.lat, e.latlng.lng));
    const emit = () => {
      const b = map.getBounds();
      this.viewChanged.emit({ west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth(), zoom: map.getZoom() });
    };
    map.on('moveend', emit);
    this.ready.set(true);
    emit();
  }

  protected key(e: KeyboardEvent): void {
    if (!this.editable() || !this.map || e.target !== this.map.getContainer()) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const c = this.map.getCenter();
      this.place(c.lat, c.lng);
    }
  }

  private place(lat: number, lng: number): void {
    const p = { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
    this.showPoint(p);
    this.placed.emit(p);
  }

  private showPoint(p: { lat: number; lng: number } | null): void {
    const L = this.L,
      map = this.map;
    if (!L || !map) return;
    if (!p) {
      this.pin?.remove();
      this.pin = null;
      return;
    }
    if (!this.pin) {
      this.pin = L.marker([p.lat, p.lng], {
        icon: L.divIcon({ className: 'map-pin', html: '<span aria-hidden="true"></span>', iconSize: [24, 24], iconAnchor: [12, 24] }),
        draggable: this.editable(),
        keyboard: false,
        title: this.t('places.map.point'),
      }).addTo(map);
      this.pin.on('dragend', () => {
        const ll = this.pin!.getLatLng();
        this.place(ll.lat, ll.lng);
      });
    } else this.pin.setLatLng([p.lat, p.lng]);
    if (!map.getBounds().contains([p.lat, p.lng])) map.setView([p.lat, p.lng], Math.max(map.getZoom(), this.zoom()));
  }

  private showMarkers(list: readonly MapMarker[]): void {
    const L = this.L,
      layer = this.layer;
    if (!L || !layer) return;
    layer.clearLayers();
    for (const m of list) {
      const html = m.count && m.count > 1 ? `<span aria-hidden="true">${m.count}</span>` : '<span aria-hidden="true"></span>';
      const size = m.count && m.count > 1 ? Math.min(48, 22 + Math.log10(m.count) * 10) : 16;
      const marker = L.marker([m.lat, m.lng], {
        icon: L.divIcon({ className: `map-dot ${m.tone ?? ''}`, html, iconSize: [size, size] }),
        keyboard: true,
        title: m.label,
        riseOnHover: true,
      });
      marker.on('click', () => this.markerActivated.emit(m.id));
      // Leaflet makes the marker a focusable role="button" but, despite its docs, Enter on it fires no click
      // (1.9: only a 'keydown' reaches the marker): a button opens with Enter or Space
      marker.on('keydown', (e: Lf.LeafletKeyboardEvent) => {
        if (e.originalEvent.key !== 'Enter' && e.originalEvent.key !== ' ') return;
        e.originalEvent.preventDefault();
        e.originalEvent.stopPropagation();
        this.markerActivated.emit(m.id);
      });
      marker.addTo(layer);
    }
  }

  /** Zooms in on a point (a cluster activated). */
  zoomTo(lat: number, lng: number, zoom: number): void {
    this.map?.setView([lat, lng], zoom);
  }
}
