import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { API } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n } from '../../core/i18n';

@Component({
  selector: 'grc-admin-layout',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './admin-layout.html',
})
export class AdminLayout {
  protected readonly t = inject(I18n).t;
  protected readonly API = API;
  /** a métropole's session: its administrators manage its communes (Administration › Communes) */
  private readonly auth = inject(Auth);
  protected readonly metropole = computed(() => this.auth.me()?.commune?.kind === 'metropole');
}
