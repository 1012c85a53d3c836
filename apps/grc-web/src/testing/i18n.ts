import { inject, provideAppInitializer, type EnvironmentProviders, type Provider } from '@angular/core';
import { TRANSLOCO_TRANSPILER, provideTransloco, type Translation, type TranslocoLoader } from '@jsverse/transloco';
import { of, type Observable } from 'rxjs';
import { I18n, type Lang } from '../app/core/i18n';
import { EN } from '../app/core/i18n.en';
import { FR } from '../app/core/i18n.fr';
import { IcuTranspiler } from '../app/core/i18n-icu';

/** The typed dictionaries themselves (the build's JSON files are generated from them). */
class SourceLoader implements TranslocoLoader {
  getTranslation(lang: string): Observable<Translation> {
    return of(lang === 'en' ? EN : FR);
  }
}

/** The console's i18n for a unit test: the real service, transpiler and dictionaries, in the given language. */
export function provideTestI18n(lang: Lang = 'fr'): (Provider | EnvironmentProviders)[] {
  return [
    provideTransloco({
      config: { availableLangs: ['fr', 'en'], defaultLang: lang, prodMode: true, missingHandler: { logMissingKey: false } },
      loader: SourceLoader,
    }),
    { provide: TRANSLOCO_TRANSPILER, useExisting: IcuTranspiler },
    provideAppInitializer(async () => {
      const i18n = inject(I18n);
      i18n.lang.set(lang);
      await i18n.ready();
    }),
  ];
}
