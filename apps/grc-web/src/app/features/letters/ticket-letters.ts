import { ChangeDetectionStrategy, Component, effect, inject, input, output, signal } from '@angular/core';
import type { Letter } from '@grc/domain';
import { API, Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

/**
 * The ticket page's letters (replies by post, modules/letters): each letter's state (to send / sent, by whom,
 * when), its PDF, and "mark as sent" — the same routes and permission (`tickets.reply`) as /courrier. Shown only
 * when the request has letters; `version` reloads it after each change of the ticket (an approval writes one).
 */
@Component({
  selector: 'grc-ticket-letters',
  imports: [...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (letters().length) {
      <section class="card" aria-labelledby="tl-letters-h" data-testid="ticket-letters">
        <h2 id="tl-letters-h">{{ t('letters.ofTicket') }}</h2>
        <grc-error-alert [error]="error()" />
        <p class="live" role="status" aria-live="polite" data-testid="ticket-letters-notice">{{ notice() }}</p>
        <ul class="plain-list">
          @for (l of letters(); track l.id) {
            <li data-testid="ticket-letter">
              <p>
                <span [class]="'badge letter-' + l.state" data-testid="ticket-letter-state">{{
                  l.state === 'sent' ? t('letters.stateSent') : t('letters.stateToSend')
                }}</span>
                {{ t('letters.to', { name: l.recipient[0] }) }} ·
                @if (l.sentAt) {
                  <time [attr.datetime]="l.sentAt">{{ i18n.date(l.sentAt) }}</time>
                  @if (l.sentBy) {
                    {{ t('letters.sentBy', { name: l.sentBy.displayName }) }}
                  }
                } @else {
                  {{ t('letters.createdAt') }} <time [attr.datetime]="l.createdAt">{{ i18n.date(l.createdAt) }}</time>
                }
              </p>
              <p class="hint">{{ t('letters.signedBy', { name: l.signatoryName }) }}</p>
              <div class="inline">
                <a
                  class="btn btn-secondary btn-small"
                  [href]="pdfUrl(l)"
                  [attr.download]="'courrier-' + l.reference + '.pdf'"
                  [attr.aria-label]="t('letters.downloadOf', { reference: l.reference })"
                  data-testid="ticket-letter-pdf"
                  >{{ t('letters.download') }}</a
                >
                @if (l.state === 'to_send') {
                  <button
                    type="button"
                    class="btn btn-primary btn-small"
                    [disabled]="busy() === l.id"
                    (click)="markSent(l)"
                    [attr.aria-label]="t('letters.markSentOf', { reference: l.reference })"
                    data-testid="ticket-letter-mark-sent"
                  >
                    {{ t('letters.markSent') }}
                  </button>
                }
              </div>
            </li>
          }
        </ul>
      </section>
    }
  `,
})
export class TicketLetters {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  readonly ticketId = input.required<string>();
  readonly version = input<number>(0);
  /** a letter was marked sent: the ticket changed (timeline, version) */
  readonly changed = output<void>();

  protected readonly letters = signal<Letter[]>([]);
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal<string | null>(null);

  constructor() {
    effect((onCleanup) => {
      const id = this.ticketId();
      this.version();
      const sub = this.api.get<Letter[]>('/letters', { ticketId: id }).subscribe({
        next: (l) => this.letters.set(l),
        error: () => this.letters.set([]),
      });
      onCleanup(() => sub.unsubscribe());
    });
  }

  protected pdfUrl(l: Letter): string {
    return `${API}/letters/${l.id}/pdf`;
  }

  protected markSent(l: Letter): void {
    this.busy.set(l.id);
    this.error.set(null);
    this.api.post<Letter>(`/letters/${l.id}/sent`, {}).subscribe({
      next: (sent) => {
        this.busy.set(null);
        this.letters.update((list) => list.map((x) => (x.id === sent.id ? sent : x)));
        this.notice.set(this.t('letters.marked', { reference: l.reference }));
        this.changed.emit();
      },
      error: (err: unknown) => {
        this.busy.set(null);
        this.error.set(toUiError(err));
        this.changed.emit();
      },
    });
  }
}
