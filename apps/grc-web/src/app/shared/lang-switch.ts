import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { I18n } from '../core/i18n';
import { LANGUAGES } from '../core/languages';

@Component({
  selector: 'grc-lang-switch',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="lang-switch" role="group" [attr.aria-label]="i18n.t('lang.label')">
    @for (l of langs; track l.code) {
      <button type="button" class="btn-link" [attr.lang]="l.code" [attr.aria-pressed]="i18n.lang() === l.code" (click)="i18n.setLang(l.code)">
        <span aria-hidden="true">{{ l.short }}</span><span class="sr-only">{{ l.name }}</span>
      </button>
    }
  </div>`,
})
export class LangSwitch {
  protected readonly i18n = inject(I18n);
  /** every language of core/languages.ts */
  protected readonly langs = LANGUAGES;
}
