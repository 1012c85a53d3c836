import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal } from '@angular/core';
import { countdownMinutes, type TicketSlaClockDto, type TicketSlaDto } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { slaHistoryText } from './sla-timeline';

/** Re-render the countdown every 20 s; announce to screen readers at most once a minute. */
const TICK_MS = 20_000;
const ANNOUNCE_MS = 60_000;

/**
 * A ticket's SLA: each clock's deadline (Europe/Paris), a live countdown of the business time left
 * (counted in the browser with each clock's calendar — a circuit step's may be another department's —
 * so closed hours do not tick), paused state,
 * escalation steps and the history of why the deadline moved.
 */
@Component({
  selector: 'grc-sla-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './sla-panel.html',
})
export class SlaPanel {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  /** the ticket; `version` reloads the panel after each change of the ticket */
  readonly ticketId = input.required<string>();
  readonly version = input<number>(0);

  protected readonly sla = signal<TicketSlaDto | null>(null);
  protected readonly error = signal(false);
  private readonly now = signal(Date.now());
  private readonly announceAt = signal(Date.now());

  /** One sentence per running clock, refreshed at most once a minute (not every tick). */
  protected readonly announcement = computed(() => {
    this.announceAt();
    const s = this.sla();
    if (!s) return '';
    return s.clocks
      .filter((c) => c.status === 'running' && c.deadline)
      .map((c) => this.t('sla.announce', { target: this.clockTitle(c), state: this.countdownAt(c, this.announceAt()) }))
      .join(' ');
  });

  constructor() {
    effect((onCleanup) => {
      const id = this.ticketId();
      this.version();
      const sub = this.api.get<TicketSlaDto>(`/tickets/${id}/sla`).subscribe({
        next: (s) => {
          this.sla.set(s);
          this.error.set(false);
        },
        error: () => this.error.set(true),
      });
      onCleanup(() => sub.unsubscribe());
    });
    const tick = setInterval(() => this.now.set(Date.now()), TICK_MS);
    const announce = setInterval(() => this.announceAt.set(Date.now()), ANNOUNCE_MS);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(tick);
      clearInterval(announce);
    });
  }

  protected countdown(c: TicketSlaClockDto): string {
    return this.countdownAt(c, this.now());
  }

  private countdownAt(c: TicketSlaClockDto, at: number): string {
    const s = this.sla();
    const minutes = s ? countdownMinutes(s, c, new Date(at)) : null;
    if (minutes === null) return '';
    const text = this.duration(Math.abs(minutes));
    return minutes >= 0 ? this.t('sla.remaining', { time: text }) : this.t('sla.overdue', { time: text });
  }

  private duration(minutes: number): string {
    const m = Math.floor(minutes);
    const h = Math.floor(m / 60);
    const r = m % 60;
    return h ? `${h} h ${String(r).padStart(2, '0')}` : `${r} min`;
  }

  protected isBreached(c: TicketSlaClockDto): boolean {
    return c.breached || (c.status === 'running' && !!c.deadline && new Date(c.deadline).getTime() < this.now());
  }
  protected targetKey(c: TicketSlaClockDto): MsgKey {
    return (c.target === 'firstResponse' || c.target === 'resolution' ? `sla.target.${c.target}` : 'sla.heading') as MsgKey;
  }
  /** First response, resolution, or the circuit step's label. */
  protected clockTitle(c: TicketSlaClockDto): string {
    return c.target.startsWith('step:')
      ? this.t('sla.target.step', { label: c.stepLabel ?? c.target.slice(5) })
      : this.t(this.targetKey(c));
  }
  protected statusKey(c: TicketSlaClockDto): MsgKey {
    return `sla.status.${c.status}` as MsgKey;
  }
  protected outcomeKey(c: TicketSlaClockDto): MsgKey {
    return `sla.outcome.${c.outcome}` as MsgKey;
  }
  protected escState(e: TicketSlaClockDto['escalations'][number]): string {
    const date = e.state === 'fired' ? e.firedAt : e.dueAt;
    return this.t(`sla.escState.${e.state}` as MsgKey, { date: date ? this.i18n.date(date) : '' });
  }
  protected historyText(h: TicketSlaClockDto['history'][number]): string {
    return slaHistoryText(h, this.i18n);
  }
  protected round(n: number): number {
    return Math.round(n);
  }
}
