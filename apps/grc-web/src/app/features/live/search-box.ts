import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { I18n } from '../../core/i18n';

/** The one search box of the header, whatever page is open: reference, citizen or text (features/live/search-page). */
@Component({
  selector: 'grc-search-box',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form role="search" class="global-search" (ngSubmit)="go()">
      <label for="global-search" class="sr-only">{{ t('search.label') }}</label>
      <input
        id="global-search"
        name="q"
        type="search"
        data-testid="global-search"
        [placeholder]="t('search.placeholder')"
        [(ngModel)]="q"
        maxlength="200"
      />
      <button type="submit" class="btn btn-secondary btn-small">{{ t('search.submit') }}</button>
    </form>
  `,
})
export class SearchBox {
  private readonly router = inject(Router);
  protected readonly t = inject(I18n).t;
  protected q = '';

  protected go(): void {
    const q = this.q.trim();
    if (q) void this.router.navigate(['/recherche'], { queryParams: { q } });
  }
}
