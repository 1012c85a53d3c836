import { ChangeDetectionStrategy, Component, effect, inject, input, output, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { DuplicatesView, LinkedTicketRef, TicketDetail } from '@grc/domain';
import type { Subscription } from 'rxjs';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

/**
 * On the ticket page: the master this ticket follows (with unlink), the tickets following it, or the open
 * requests that resemble it (same category, nearby, similar text) with a button to link to one of them.
 * Other departments' tickets are only counted (need-to-know, docs/authorization.md): never a detail.
 */
@Component({
  selector: 'grc-duplicates-panel',
  imports: [RouterLink, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" aria-labelledby="dup-h" data-testid="duplicates-panel">
      <h2 id="dup-h">{{ t('dup.panel') }}</h2>
      <grc-error-alert [error]="error()" />
      <p class="live" role="status" aria-live="polite">{{ notice() }}</p>
      @if (view(); as v) {
        @if (v.master; as m) {
          <p data-testid="dup-master">{{ t('dup.follows', { ref: m.reference }) }}</p>
          <p><a [routerLink]="['/tickets', m.id]">{{ m.reference }} – {{ m.subject }}</a></p>
          <p>{{ t('dup.masterStatus', { status: i18n.status(m.status) }) }}</p>
          <button type="button" class="btn btn-secondary" data-testid="dup-unlink" [disabled]="busy()" (click)="unlink()">{{ t('dup.unlink', { ref: m.reference }) }}</button>
        } @else {
          @if (v.followers.length || v.otherDepartmentFollowers) {
            <h3>{{ t('dup.followers', { count: v.followers.length + v.otherDepartmentFollowers }) }}</h3>
            <p class="hint">{{ t('dup.followersHint') }}</p>
            @if (v.followers.length) {
              <ul class="plain-list" data-testid="dup-followers">
                @for (f of v.followers; track f.id) {
                  <li><a [routerLink]="['/tickets', f.id]">{{ f.reference }}</a> – {{ f.subject }} ({{ i18n.status(f.status) }})</li>
                }
              </ul>
            }
            @if (v.otherDepartmentFollowers) {
              <p data-testid="dup-other-followers">{{ i18n.plural('dup.otherFollowers', v.otherDepartmentFollowers) }}</p>
              <p class="hint">{{ t('dup.otherHint') }}</p>
            }
          } @else {
            <h3>{{ t('dup.candidates') }}</h3>
            <p class="hint">{{ t('dup.candidatesHint') }}</p>
            @if (v.candidates.length) {
              <ul class="plain-list" data-testid="dup-candidates">
                @for (c of v.candidates; track c.id) {
                  <li>
                    <p><a [routerLink]="['/tickets', c.id]">{{ c.reference }}</a> – {{ c.subject }}</p>
                    <p class="hint">
                      {{ t('dup.score', { score: pct(c.score) }) }} ·
                      {{ c.distanceMetres === null ? t('dup.noDistance') : t('dup.distance', { m: c.distanceMetres }) }} ·
                      {{ t('dup.similarity', { pct: pct(c.textSimilarity) }) }} · {{ i18n.status(c.status) }} · {{ i18n.date(c.createdAt) }}
                      @if (c.followerCount) { · {{ t('dup.alreadyFollowed', { count: c.followerCount }) }} }
                    </p>
                    <button type="button" class="btn btn-secondary btn-small" data-testid="dup-link" [disabled]="busy()" (click)="link(c)">{{ t('dup.link', { ref: c.reference }) }}</button>
                  </li>
                }
              </ul>
            } @else if (!v.otherDepartmentCandidates) {
              <p>{{ t('dup.none') }}</p>
            }
            @if (v.otherDepartmentCandidates) {
              <p data-testid="dup-other-candidates">{{ i18n.plural('dup.otherCandidates', v.otherDepartmentCandidates) }}</p>
              <p class="hint">{{ t('dup.otherHint') }}</p>
            }
          }
        }
      } @else if (!error()) {
        <p>{{ t('dup.loading') }}</p>
      }
    </section>
  `,
})
export class DuplicatesPanel {
  readonly ticketId = input.required<string>();
  /** the ticket's version: link/unlink send it, and the panel refreshes when it changes */
  readonly version = input.required<number>();
  /** the ticket after a link or unlink: the page reloads it */
  readonly changed = output<TicketDetail>();

  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly view = signal<DuplicatesView | null>(null);
  protected readonly error = signal<UiError | null>(null);
  protected readonly busy = signal(false);
  protected readonly notice = signal('');
  private sub?: Subscription;

  constructor() {
    effect(() => {
      const id = this.ticketId();
      this.version();
      untracked(() => this.load(id));
    });
  }

  protected pct(n: number): number {
    return Math.round(n * 100);
  }

  private load(id: string): void {
    this.sub?.unsubscribe();
    this.sub = this.api.get<DuplicatesView>(`/tickets/${id}/duplicates`).subscribe({
      next: (v) => this.view.set(v),
      error: (e: unknown) => this.error.set(toUiError(e)),
    });
  }

  protected link(master: LinkedTicketRef): void {
    this.act(
      `/tickets/${this.ticketId()}/link`,
      { masterId: master.id, version: this.version() },
      this.t('dup.linked', { ref: master.reference }),
    );
  }

  protected unlink(): void {
    this.act(`/tickets/${this.ticketId()}/unlink`, { version: this.version() }, this.t('dup.unlinked'));
  }

  private act(path: string, body: unknown, done: string): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.notice.set('');
    this.api.post<TicketDetail>(path, body).subscribe({
      next: (tk) => {
        this.busy.set(false);
        this.notice.set(done);
        this.changed.emit(tk);
      },
      error: (e: unknown) => {
        this.busy.set(false);
        this.error.set(toUiError(e));
      },
    });
  }
}
