import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import type { PrivacyNotice } from '@grc/domain';
import { catchError, map, of } from 'rxjs';
import { I18n, type MsgKey } from '../../core/i18n';
import { PublicApi } from './public-api';

/**
 * The information notice (RGPD art. 13) of the citizen pages, from the town's settings
 * (GET /public/privacy-notice): controller, purposes, legal basis, recipients, retention, rights, DPO, CNIL.
 * A region with its own heading, so a screen reader lists it and the form's pointer can link to it.
 */
@Component({
  selector: 'grc-privacy-notice',
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: `
    :host { display: block; }
    .privacy-notice { border-top: 1px solid var(--c-border, #ccc); margin-top: 1rem; padding-top: 0.5rem; }
    .privacy-notice h2 { font-size: 1.1rem; }
    .privacy-notice h3 { font-size: 1rem; margin: 0.75rem 0 0.25rem; }
    .privacy-notice ul { margin: 0; padding-left: 1.25rem; }
    .privacy-notice p { margin: 0.25rem 0; }
  `,
  template: `
    <section class="privacy-notice" id="privacy-notice" aria-labelledby="privacy-heading">
      <h2 id="privacy-heading">{{ t('privacy.heading') }}</h2>
      @if (notice(); as n) {
        @if (n === 'error') {
          <p>{{ t('privacy.unavailable') }}</p>
        } @else {
          <p>
            {{
              t('privacy.intro', {
                controller: n.controller.name,
                address: n.controller.address,
                email: n.controller.email ? ', ' + n.controller.email : '',
              })
            }}
          </p>
          <h3>{{ t('privacy.purposes') }}</h3>
          <ul>
            @for (p of n.purposes; track p) {
              <li>{{ t(key('privacy.purpose.' + p)) }}</li>
            }
          </ul>
          <h3>{{ t('privacy.basis') }}</h3>
          <p>{{ t(key('privacy.basis.' + n.legalBasis)) }}</p>
          <h3>{{ t('privacy.recipients') }}</h3>
          @for (r of n.recipients; track r) {
            <p>{{ t(key('privacy.recipient.' + r)) }}</p>
          }
          <h3>{{ t('privacy.retention') }}</h3>
          @if (n.retention && n.retention.length > 0) {
            <ul>
              @for (r of n.retention; track r.categoryCode) {
                <li>
                  {{
                    t('privacy.retention.rule', {
                      category: lang() === 'en' ? r.nameEn : r.nameFr,
                      months: r.months ?? t('privacy.retention.default'),
                      outcome: t(key('privacy.retention.' + r.outcome)),
                    })
                  }}
                </li>
              }
            </ul>
          } @else {
            <p>{{ t('privacy.retention.unknown') }}</p>
          }
          <h3>{{ t('privacy.rights') }}</h3>
          <ul>
            @for (r of n.rights; track r) {
              <li>{{ t(key('privacy.right.' + r)) }}</li>
            }
          </ul>
          <h3>{{ t('privacy.contact') }}</h3>
          @if (n.dpo; as dpo) {
            <p>
              {{ t('privacy.dpo', { name: dpo.name ? ' (' + dpo.name + ')' : '', contact: dpoContact(dpo) }) }}
            </p>
          } @else {
            <p>{{ t('privacy.noDpo', { controller: n.controller.name, address: n.controller.address }) }}</p>
          }
          <p>
            {{ t('privacy.complaint', { authority: n.authority.name, address: n.authority.address }) }}
            <a [href]="n.authority.url" rel="noopener" target="_blank">{{ t('privacy.complaintLink', { authority: n.authority.name }) }}</a>
          </p>
        }
      }
    </section>
  `,
})
export class PrivacyNoticeView {
  private readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly lang = this.i18n.lang;
  protected readonly notice = toSignal(
    inject(PublicApi)
      .privacyNotice()
      .pipe(
        map((n): PrivacyNotice | 'error' => n),
        catchError(() => of('error' as const)),
      ),
    { initialValue: null },
  );
  /** The notice's codes name their own keys (privacy.purpose.<code>…). */
  protected key = (k: string): MsgKey => k as MsgKey;
  protected dpoContact = (dpo: NonNullable<PrivacyNotice['dpo']>): string => [dpo.email, dpo.address].filter(Boolean).join(', ');
}
