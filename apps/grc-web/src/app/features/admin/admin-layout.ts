import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { I18n } from '../../core/i18n';

@Component({
  selector: 'grc-admin-layout',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>{{ t('admin.heading') }}</h1>
    <nav class="sub-nav" [attr.aria-label]="t('admin.nav')">
      <ul>
        <li><a routerLink="services" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('admin.departments') }}</a></li>
        <li><a routerLink="agents" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('admin.agents') }}</a></li>
        <li><a routerLink="categories" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('admin.categories') }}</a></li>
        <li><a routerLink="routage" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('admin.routing') }}</a></li>
        <li><a routerLink="delais" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('admin.sla') }}</a></li>
        <li><a routerLink="courriel" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('admin.mail') }}</a></li>
        <li><a routerLink="circuits" routerLinkActive="active" ariaCurrentWhenActive="page">{{ t('admin.workflows') }}</a></li>
      </ul>
    </nav>
    <router-outlet />
  `,
})
export class AdminLayout {
  protected readonly t = inject(I18n).t;
}
