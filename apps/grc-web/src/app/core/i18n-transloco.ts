import { HttpClient } from '@angular/common/http';
import { Injectable, inject, provideAppInitializer, type EnvironmentProviders, type Provider } from '@angular/core';
import { TRANSLOCO_TRANSPILER, provideTransloco, type Translation, type TranslocoLoader } from '@jsverse/transloco';
import type { Observable } from 'rxjs';
import { I18n, storedLang } from './i18n';
import { IcuTranspiler } from './i18n-icu';
import { LANG_CODES } from './languages';

/**
 * The active language's dictionary, one JSON file per language (`/i18n/<lang>.json`), generated at build time
 * from the typed TypeScript dictionaries (`i18n.<lang>.ts` and the feature files they spread) by
 * `apps/grc-web/scripts/i18n-json.mjs` (nx target `grc-web:i18n`, run before every build): the browser
 * downloads only the language it shows. Adding a language: docs/console.md#adding-a-language.
 */
@Injectable({ providedIn: 'root' })
export class DictionaryLoader implements TranslocoLoader {
  private readonly http = inject(HttpClient);
  getTranslation(lang: string): Observable<Translation> {
    return this.http.get<Translation>(`i18n/${encodeURIComponent(lang)}.json`);
  }
}

/** Transloco configured for the console: fr/en, the lazy loader, the ICU transpiler, the first language loaded before start. */
export function provideI18n(): (Provider | EnvironmentProviders)[] {
  return [
    provideTransloco({
      config: {
        availableLangs: [...LANG_CODES],
        defaultLang: storedLang(),
        reRenderOnLangChange: true,
        prodMode: true,
        missingHandler: { logMissingKey: false },
      },
      loader: DictionaryLoader,
    }),
    { provide: TRANSLOCO_TRANSPILER, useExisting: IcuTranspiler },
    provideAppInitializer(() => inject(I18n).ready()),
  ];
}
