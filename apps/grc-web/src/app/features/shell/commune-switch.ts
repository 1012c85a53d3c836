import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n } from '../../core/i18n';

/**
 * The commune the session works for (issue 15), switchable when the agent works for several: PUT
 * /auth/commune, then the console starts again on the inbox (its reference data are the other commune's).
 * Shown as plain text for an agent of one commune.
 */
@Component({
  selector: 'grc-commune-switch',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `@if (auth.me(); as me) {
    @if ((me.communes?.length ?? 0) > 1) {
      <div class="commune-switch">
        <label for="commune-switch">{{ t('shell.commune') }}</label>
        <select id="commune-switch" data-testid="commune-switch" [disabled]="busy()" (change)="switchTo($any($event.target).value)">
          @for (c of me.communes; track c.id) {
            <option [value]="c.id" [selected]="c.id === me.commune?.id">{{ c.name }}</option>
          }
        </select>
        @if (failed()) {
          <span role="alert" class="error">{{ t('shell.communeFailed') }}</span>
        }
      </div>
    } @else if (name()) {
      <p class="commune">{{ t('shell.communeOf', { name: name() }) }}</p>
    }
  }`,
})
export class CommuneSwitch {
  protected readonly auth = inject(Auth);
  private readonly api = inject(Api);
  protected readonly t = inject(I18n).t;
  protected readonly busy = signal(false);
  protected readonly failed = signal(false);
  protected readonly name = computed(() => this.auth.me()?.commune?.name ?? '');

  protected switchTo(communeId: string): void {
    if (communeId === this.auth.me()?.commune?.id) return;
    this.busy.set(true);
    this.failed.set(false);
    this.api.put<unknown>('/auth/commune', { communeId }).subscribe({
      next: () => window.location.assign('/inbox'),
      error: () => {
        this.busy.set(false);
        this.failed.set(true);
      },
    });
  }
}
