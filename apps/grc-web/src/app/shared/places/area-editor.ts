import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  effect,
  inject,
  input,
  output,
  untracked,
  viewChild,
} from '@angular/core';
import type { MapSettings } from '@grc/domain';
import type * as Lf from 'leaflet';
import { I18n } from '../../core/i18n';
import { escapeHtml, loadGeoman, type Leaflet } from './leaflet-loader';

type Ring = Array<[number, number]>;

/**
 * A routing area drawn and edited on the map with Geoman (@geoman-io/leaflet-geoman-free): draw a polygon, move or
 * add vertices, remove it. Every change goes out as the rule's open ring of [longitude, latitude] points — the same
 * text the form's field holds, which stays the way to do it without a map (and what a screen reader user edits).
 * Nothing is drawn when no tiles are configured.
 */
@Component({
  selector: 'grc-area-editor',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (settings()?.tiles) {
      <div #el class="place-map" role="application" [attr.aria-label]="t('areas.mapLabel')" aria-describedby="area-editor-hint" style="height: 360px"></div>
      <p class="hint" id="area-editor-hint">{{ t('areas.mapHint') }}</p>
    }
  `,
})
export class AreaEditor {
  private readonly i18n = inject(I18n);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly t = this.i18n.t;
  readonly settings = input<MapSettings | null>(null);
  readonly area = input<ReadonlyArray<readonly [number, number]> | null>(null);
  readonly changed = output<Ring | null>();
  private readonly el = viewChild<ElementRef<HTMLElement>>('el');
  private L: Leaflet | null = null;
  private map: Lf.Map | null = null;
  private polygon: Lf.Polygon | null = null;
  /** the last ring this editor emitted: the input echoing it back is not redrawn */
  private emitted: string | null = null;

  constructor() {
    effect(() => {
      const el = this.el();
      const s = this.settings();
      if (el && s?.tiles && !this.map) void this.init(el.nativeElement, s);
    });
    effect(() => {
      const a = this.area();
      untracked(() => {
        if (this.map && JSON.stringify(a ?? null) !== this.emitted) this.draw(a);
      });
    });
    inject(DestroyRef).onDestroy(() => this.map?.remove());
  }

  private async init(el: HTMLElement, s: MapSettings): Promise<void> {
    const L = (this.L = await loadGeoman());
    const centre = s.centre ?? { lat: 46.6, lng: 2.4 };
    const map = (this.map = L.map(el, { keyboard: true }).setView([centre.lat, centre.lng], s.centre ? 14 : 6));
    map.attributionControl.setPrefix(false);
    L.tileLayer(s.tiles!.url, { attribution: escapeHtml(s.tiles!.attribution), maxZoom: s.tiles!.maxZoom, subdomains: 'abc' }).addTo(map);
    map.pm.setLang(this.i18n.lang());
    map.pm.addControls({
      position: 'topleft',
      drawMarker: false,
      drawCircleMarker: false,
      drawPolyline: false,
      drawRectangle: true,
      drawCircle: false,
      drawText: false,
      cutPolygon: false,
      rotateMode: false,
    });
    map.on('pm:create', (e: { layer: Lf.Layer }) => {
      // one area per rule: the new drawing replaces the old one
      if (this.polygon) map.removeLayer(this.polygon);
      this.polygon = e.layer as Lf.Polygon;
      this.watch(this.polygon);
      this.emit();
    });
    map.on('pm:remove', () => {
      this.polygon = null;
      this.emit();
    });
    this.draw(this.area());
    // Geoman's toolbar links and vertex handles have no accessible name: give them one (axe, RGAA), as they appear
    const label = () => {
      el.querySelectorAll<HTMLElement>('.leaflet-buttons-control-button:not([aria-label])').forEach((a) => {
        const title = a.closest<HTMLElement>('[title]')?.title;
        if (title) a.setAttribute('aria-label', title);
      });
      el.querySelectorAll<HTMLElement>('.marker-icon:not([aria-label])').forEach((m) =>
        m.setAttribute('aria-label', this.t(m.classList.contains('marker-icon-middle') ? 'areas.midpoint' : 'areas.vertex')),
      );
    };
    const observer = new MutationObserver(label);
    observer.observe(el, { childList: true, subtree: true });
    label();
    this.destroyRef.onDestroy(() => observer.disconnect());
  }

  private draw(area: ReadonlyArray<readonly [number, number]> | null): void {
    const L = this.L,
      map = this.map;
    if (!L || !map) return;
    if (this.polygon) map.removeLayer(this.polygon);
    this.polygon = null;
    if (!area || area.length < 3) return;
    this.polygon = L.polygon(area.map(([lng, lat]) => [lat, lng] as [number, number])).addTo(map);
    this.watch(this.polygon);
    map.fitBounds(this.polygon.getBounds(), { padding: [20, 20] });
  }

  private watch(p: Lf.Polygon): void {
    p.on('pm:edit pm:markerdragend pm:vertexadded pm:vertexremoved', () => this.emit());
    p.pm.enable({ allowSelfIntersection: false });
  }

  private emit(): void {
    const ring: Ring | null = this.polygon
      ? ((this.polygon.getLatLngs()[0] as Lf.LatLng[]).map((ll) => [
          Math.round(ll.lng * 1e6) / 1e6,
          Math.round(ll.lat * 1e6) / 1e6,
        ]) as Ring)
      : null;
    this.emitted = JSON.stringify(ring);
    this.changed.emit(ring);
  }
}
