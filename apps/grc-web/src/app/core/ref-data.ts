import { Injectable, inject } from '@angular/core';
import type { Agent, Category, Department } from '@grc/domain';
import { Observable, catchError, map, of, shareReplay } from 'rxjs';
import { Api } from './api';

/** Reference lists (categories, departments, agents), cached for the session; admin screens invalidate them. */
@Injectable({ providedIn: 'root' })
export class RefData {
  private readonly api = inject(Api);
  private cache = new Map<string, Observable<unknown>>();

  private cached<T>(path: string): Observable<T[]> {
    let obs = this.cache.get(path) as Observable<T[]> | undefined;
    if (!obs) {
      obs = this.api.get<T[]>(path).pipe(
        catchError(() => {
          this.cache.delete(path);
          return of([] as T[]);
        }),
        shareReplay(1),
      );
      this.cache.set(path, obs);
    }
    return obs;
  }

  categories(): Observable<Category[]> {
    return this.cached<Category>('/categories');
  }
  departments(): Observable<Department[]> {
    return this.cached<Department>('/departments');
  }
  agents(): Observable<Agent[]> {
    return this.cached<Agent>('/agents');
  }
  /** One agent by id, for a name no picker search has shown (the cached directory; null when unknown). */
  agentNamed(id: string): Observable<Agent | null> {
    return this.agents().pipe(map((list) => list.find((a) => a.id === id) ?? null));
  }
  invalidate(): void {
    this.cache.clear();
  }
}
