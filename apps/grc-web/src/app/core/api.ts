import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';

export const API = '/api/v1';

type Params = Record<string, string | number | boolean | readonly string[] | null | undefined>;

function toParams(params?: Params): HttpParams {
  let p = new HttpParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === null || v === undefined || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) p = p.set(k, v.join(','));
    } else p = p.set(k, String(v));
  }
  return p;
}

/** Thin typed wrapper over HttpClient for `/api/v1`; headers and credentials are added by the interceptor. */
@Injectable({ providedIn: 'root' })
export class Api {
  private readonly http = inject(HttpClient);

  get<T>(path: string, params?: Params): Observable<T> {
    return this.http.get<T>(API + path, { params: toParams(params) });
  }
  getWithHeaders<T>(path: string, params?: Params) {
    return this.http.get<T>(API + path, { params: toParams(params), observe: 'response' });
  }
  post<T>(path: string, body: unknown): Observable<T> {
    return this.http.post<T>(API + path, body);
  }
  put<T>(path: string, body: unknown): Observable<T> {
    return this.http.put<T>(API + path, body);
  }
  patch<T>(path: string, body: unknown): Observable<T> {
    return this.http.patch<T>(API + path, body);
  }
  delete<T>(path: string): Observable<T> {
    return this.http.delete<T>(API + path);
  }
}
