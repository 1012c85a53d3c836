import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { catchError, of, type Subscription } from 'rxjs';
import type { PresenceState, TicketPresence } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { LiveUpdates } from '../../core/live';

/** Heartbeats are sent this often; the API forgets an entry after 45 s without one. */
const BEAT_MS = 15_000;

/**
 * Who else has the ticket open and who is writing (PUT /live/tickets/:id/presence every 15 s and when the
 * agent starts or stops writing), refreshed when the ticket's stream says presence changed. When the
 * agent starts writing while someone else answers, the warning comes first (role="alert").
 */
@Component({
  selector: 'grc-presence',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (others().length) {
      <section class="presence card" aria-labelledby="presence-h" data-testid="presence">
        <h2 id="presence-h" class="small-heading">{{ t('presence.heading') }}</h2>
        <ul>
          @for (e of others(); track e.agentId) {
            <li [class.writing]="e.state !== 'viewing'" data-testid="presence-entry">{{ t(stateKey(e.state), { name: e.displayName }) }}</li>
          }
        </ul>
      </section>
    }
    @if (warning(); as w) {
      <div class="alert alert-warning" role="alert" data-testid="presence-warning">
        <p>{{ t(warningKey(w.state), { name: w.displayName }) }}</p>
        <button type="button" class="btn btn-secondary" (click)="warning.set(null)">{{ t('presence.dismiss') }}</button>
      </div>
    }
  `,
})
export class PresencePanel {
  readonly ticketId = input.required<string>();
  /** what the agent is doing on the ticket */
  readonly state = input<PresenceState>('viewing');

  private readonly api = inject(Api);
  private readonly live = inject(LiveUpdates);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly t = inject(I18n).t;
  protected readonly others = signal<TicketPresence['entries']>([]);
  protected readonly warning = signal<TicketPresence['warning']>(null);
  private beat?: Subscription;
  private streamSub?: Subscription;
  private timer: ReturnType<typeof setInterval> | null = null;
  private current: string | null = null;

  constructor() {
    effect(() => {
      const id = this.ticketId();
      untracked(() => this.follow(id));
    });
    effect(() => {
      const state = this.state();
      untracked(() => this.send(state, true));
    });
    this.destroyRef.onDestroy(() => this.leave());
  }

  protected stateKey(s: PresenceState): MsgKey {
    return `presence.${s}` as MsgKey;
  }
  protected warningKey(s: PresenceState): MsgKey {
    return `presence.warning.${s}` as MsgKey;
  }

  private follow(id: string): void {
    if (this.current && this.current !== id) this.leave();
    this.current = id;
    this.send(this.state(), false);
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.send(this.state(), false), BEAT_MS);
    this.streamSub?.unsubscribe();
    this.streamSub = this.live
      .watch(`tickets/${id}`)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((e) => {
        if (e.kind === 'presence' || e.kind === 'resync') this.refresh();
      });
  }

  private send(state: PresenceState, announce: boolean): void {
    const id = this.current;
    if (!id) return;
    this.beat?.unsubscribe();
    this.beat = this.api
      .put<TicketPresence>(`/live/tickets/${id}/presence`, { state })
      .pipe(catchError(() => of(null)))
      .subscribe((p) => {
        if (!p) return;
        this.others.set(p.entries.filter((e) => !e.me));
        // the warning only when the agent starts writing, not on every heartbeat
        if (announce && state !== 'viewing') this.warning.set(p.warning);
        if (state === 'viewing') this.warning.set(null);
      });
  }

  private refresh(): void {
    const id = this.current;
    if (!id) return;
    this.api
      .get<TicketPresence>(`/live/tickets/${id}/presence`)
      .pipe(catchError(() => of(null)))
      .subscribe((p) => p && this.others.set(p.entries.filter((e) => !e.me)));
  }

  private leave(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.beat?.unsubscribe();
    const id = this.current;
    if (id)
      this.api
        .delete(`/live/tickets/${id}/presence`)
        .pipe(catchError(() => of(null)))
        .subscribe();
  }
}
