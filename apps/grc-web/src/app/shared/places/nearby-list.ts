import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { NearbyRequest, TicketStatus } from '@grc/domain';
import { I18n } from '../../core/i18n';
import { formatDistance } from './places-api';

/** The open requests near a point, as a list with distances: the map's accessible alternative (and more). */
@Component({
  selector: 'grc-nearby-list',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h3 [id]="headingId()">{{ i18n.t('places.nearby.heading') }}</h3>
    @if (items().length === 0) {
      <p class="muted">{{ i18n.t('places.nearby.none') }}</p>
    } @else {
      <p class="muted">{{ countText() }}</p>
      <ul class="nearby-list" [attr.aria-labelledby]="headingId()">
        @for (n of items(); track n.id) {
          <li>
            <a [routerLink]="['/tickets', n.id]">{{ n.reference }}</a> — {{ n.subject }}
            <span class="muted">({{ i18n.status($any(n.status)) }}{{ n.address ? ', ' + n.address : '' }})</span> —
            <strong>{{ distance(n.distanceMetres) }}</strong>
          </li>
        }
      </ul>
    }
  `,
})
export class NearbyList {
  protected readonly i18n = inject(I18n);
  readonly items = input<readonly NearbyRequest[]>([]);
  readonly headingId = input('nearby-heading');
  protected readonly countText = computed(() => this.i18n.plural('places.nearby.count', this.items().length));
  protected distance(m: number): string {
    return formatDistance(m, this.i18n.lang());
  }
  protected status(s: string): string {
    return this.i18n.status(s as TicketStatus);
  }
}
