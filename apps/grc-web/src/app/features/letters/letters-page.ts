import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { Letter, LetterState } from '@grc/domain';
import { API, Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

/**
 * "Courrier à envoyer": the replies by post of the agent's departments, once validated (modules/letters).
 * Each letter: its PDF to print, then "mark as sent" (a change of the ticket: on its timeline, audited).
 * A table with a caption and headers; each action's accessible name says which letter it acts on.
 */
@Component({
  selector: 'grc-letters-page',
  imports: [RouterLink, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './letters-page.html',
  styles: [
    `
      button[aria-pressed='true'] {
        background: var(--c-primary);
        color: #fff;
      }
      .letter-actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
      }
    `,
  ],
})
export class LettersPage implements OnInit {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly state = signal<LetterState>('to_send');
  protected readonly letters = signal<Letter[] | null>(null);
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal<string | null>(null);

  ngOnInit(): void {
    this.load();
  }

  protected show(state: LetterState): void {
    if (state === this.state()) return;
    this.state.set(state);
    this.notice.set('');
    this.load();
  }

  private load(): void {
    this.letters.set(null);
    this.api.get<Letter[]>('/letters', { state: this.state() }).subscribe({
      next: (l) => this.letters.set(l),
      error: (err: unknown) => this.error.set(toUiError(err)),
    });
  }

  protected pdfUrl(l: Letter): string {
    return `${API}/letters/${l.id}/pdf`;
  }

  protected markSent(l: Letter): void {
    this.busy.set(l.id);
    this.error.set(null);
    this.api.post<Letter>(`/letters/${l.id}/sent`, {}).subscribe({
      next: () => {
        this.busy.set(null);
        this.letters.update((list) => (list ?? []).filter((x) => x.id !== l.id));
        this.notice.set(this.t('letters.marked', { reference: l.reference }));
      },
      error: (err: unknown) => {
        this.busy.set(null);
        this.error.set(toUiError(err));
        this.load();
      },
    });
  }
}
