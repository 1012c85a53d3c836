import { Injectable, NgZone, inject, signal } from '@angular/core';
import { Observable, share } from 'rxjs';
import { parseLiveEvent, type LiveEvent } from '@grc/domain';
import { API } from './api';

/**
 * What a page hears from a live stream: a ticket event (ids only: the page re-reads through REST), or
 * `resync` when it must re-read everything (the stream's log no longer reaches back, or the stream was
 * refused and this is a polling tick).
 */
export type LiveSignal = LiveEvent | { kind: 'resync' };

/** How often a page re-reads when the stream is refused (503 when the API is full, no EventSource…). */
export const POLL_MS = 30_000;

/**
 * Server-sent events from /api/v1/live/* (same origin: the session cookie goes with them, CSP
 * connect-src 'self'), one EventSource per stream shared by every subscriber of the page. The browser
 * reconnects by itself with Last-Event-ID (the API replays what was missed); when the API refuses the
 * stream (any non-200: full, session ended, ticket gone) the EventSource closes and the page falls back
 * to polling every POLL_MS, trying the stream again at each tick: once it opens, events take over.
 */
@Injectable({ providedIn: 'root' })
export class LiveUpdates {
  private readonly zone = inject(NgZone);
  private readonly streams = new Map<string, Observable<LiveSignal>>();
  /** 'live' while a stream is open, 'polling' after one was refused (until it opens again) */
  readonly mode = signal<'live' | 'polling'>('live');

  /** `inbox`, or `tickets/<id>` */
  watch(path: string): Observable<LiveSignal> {
    let s = this.streams.get(path);
    if (!s) {
      s = new Observable<LiveSignal>((sub) => {
        const emit = (signal: LiveSignal) => this.zone.run(() => sub.next(signal));
        let timer: ReturnType<typeof setInterval> | null = null;
        let es: EventSource | null = null;
        /** Opens the stream; false where there is no EventSource. */
        const open = (): boolean => {
          if (typeof EventSource === 'undefined') return false;
          const source = new EventSource(`${API}/live/${path}`, { withCredentials: true });
          es = source;
          source.onopen = () => {
            this.mode.set('live');
            if (timer) {
              // back from polling: what changed since the last tick is re-read once, then events again
              clearInterval(timer);
              timer = null;
              emit({ kind: 'resync' });
            }
          };
          source.onmessage = (e: MessageEvent<string>) => {
            const event = parseLiveEvent(e.data);
            if (event) emit(event);
          };
          source.addEventListener('reset', () => emit({ kind: 'resync' }));
          source.onerror = () => {
            // CONNECTING: the browser reconnects by itself; CLOSED: the API refused the stream
            if (source.readyState !== EventSource.CLOSED) return;
            source.close();
            if (es === source) es = null;
            if (!timer) {
              emit({ kind: 'resync' });
              poll();
            }
          };
          return true;
        };
        /** Re-reads every POLL_MS, and tries the stream again at each tick (a full process says Retry-After: 30). */
        const poll = () => {
          this.mode.set('polling');
          timer ??= setInterval(() => {
            emit({ kind: 'resync' });
            if (!es) open();
          }, POLL_MS);
        };
        if (!open()) poll();
        return () => {
          es?.close();
          if (timer) clearInterval(timer);
          this.streams.delete(path);
        };
      }).pipe(share());
      this.streams.set(path, s);
    }
    return s;
  }
}
