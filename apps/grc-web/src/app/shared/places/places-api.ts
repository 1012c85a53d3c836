import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { AddressSuggestion, MapSettings } from '@grc/domain';
import { Observable, catchError, map, of, shareReplay } from 'rxjs';
import { API } from '../../core/api';

/** Where the address field and the map read from: the agents' routes, or the public form's (rate-limited, no account). */
export type PlacesSide = 'agent' | 'public';

const base = (side: PlacesSide) => (side === 'public' ? `${API}/public/places` : `${API}/places`);

/** Address search, reverse geocoding and the map's settings (modules/places). */
@Injectable({ providedIn: 'root' })
export class PlacesApi {
  private readonly http = inject(HttpClient);
  private readonly settings$: Partial<Record<PlacesSide, Observable<MapSettings>>> = {};

  search(side: PlacesSide, q: string): Observable<AddressSuggestion[]> {
    return this.http.get<AddressSuggestion[]>(`${base(side)}/search`, { params: new HttpParams().set('q', q) });
  }

  reverse(side: PlacesSide, lat: number, lng: number): Observable<AddressSuggestion | null> {
    return this.http
      .get<AddressSuggestion | Record<string, never> | null>(`${base(side)}/reverse`, {
        params: new HttpParams().set('lat', lat).set('lng', lng),
      })
      .pipe(
        // the API answers null (an empty body) far from every address
        map((v) => (v && 'id' in v ? (v as AddressSuggestion) : null)),
        catchError(() => of(null)),
      );
  }

  /** The tile source (null: no map) and where the map opens; fetched once per visit; a failure means no map. */
  mapSettings(side: PlacesSide): Observable<MapSettings> {
    return (this.settings$[side] ??= this.http.get<MapSettings>(`${base(side)}/map-settings`).pipe(
      catchError(() => of<MapSettings>({ tiles: null, centre: null })),
      shareReplay(1),
    ));
  }
}

/** "120 m", "1,2 km" */
export function formatDistance(metres: number, lang: 'fr' | 'en'): string {
  const locale = lang === 'fr' ? 'fr-FR' : 'en-GB';
  return metres < 1000
    ? `${new Intl.NumberFormat(locale).format(Math.round(metres))} m`
    : `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(metres / 1000)} km`;
}
