import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { isSsoError, type LoginProvider } from '@grc/domain';
import { API, Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';

/**
 * The login page's sign-in through the town's identity providers: one button per enabled provider (a plain
 * link: the browser leaves for the provider and comes back through the API's callback), and the refusal the
 * callback sent back (`/login?sso_error=<code>`), worded.
 */
@Component({
  selector: 'grc-sso-sign-in',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error(); as key) {
      <p class="alert alert-error" role="alert" data-testid="sso-error">{{ t(key) }}</p>
    }
    @if (providers().length) {
      <section class="sso" [attr.aria-label]="t('sso.providersLabel')">
        <p class="sso-or muted" aria-hidden="true">{{ t('sso.or') }}</p>
        <ul class="sso-list">
          @for (p of providers(); track p.slug) {
            <li>
              <a class="btn btn-secondary sso-button" [href]="startUrl(p)" [attr.data-testid]="'sso-' + p.slug">
                {{ t('sso.signInWith', { label: p.label }) }}
              </a>
            </li>
          }
        </ul>
      </section>
    }
  `,
  styles: `
    .sso-or { text-align: center; margin: 1rem 0 0.5rem; }
    .sso-list { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.5rem; }
    .sso-button { display: block; text-align: center; }
  `,
})
export class SsoSignIn {
  private readonly api = inject(Api);
  protected readonly t = inject(I18n).t;
  protected readonly providers = signal<LoginProvider[]>([]);
  protected readonly error = signal<MsgKey | null>(null);

  constructor() {
    const code = inject(ActivatedRoute).snapshot.queryParamMap.get('sso_error');
    if (code) this.error.set(isSsoError(code) ? (`sso.error.${code}` as MsgKey) : 'sso.error.other');
    // no provider listed when the API cannot say: the password form still works
    this.api.get<LoginProvider[]>('/auth/oidc/providers').subscribe({ next: (l) => this.providers.set(l), error: () => undefined });
  }

  protected startUrl(p: LoginProvider): string {
    return `${API}/auth/oidc/${encodeURIComponent(p.slug)}/start`;
  }
}
