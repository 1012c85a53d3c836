import { TestBed } from '@angular/core/testing';
import { IntlMessageFormat } from 'intl-messageformat';
import { provideTestI18n } from '../../testing/i18n';
import { I18n, type MsgKey } from './i18n';
import { EN } from './i18n.en';
import { FR } from './i18n.fr';
import { LANGUAGES, type Lang } from './languages';

/** The names of the arguments an ICU message uses, from its parsed form (nested in plural/select branches too). */
function argumentsOf(message: string, locale: string): Set<string> {
  const names = new Set<string>();
  type El = { type: number; value?: unknown; options?: Record<string, { value: El[] }> };
  const walk = (els: El[]) => {
    for (const el of els) {
      // 1 argument, 2 number, 3 date, 4 time, 5 select, 6 plural (FormatJS's TYPE)
      if (el.type >= 1 && el.type <= 6 && typeof el.value === 'string') names.add(el.value);
      for (const o of Object.values(el.options ?? {})) walk(o.value);
    }
  };
  walk(new IntlMessageFormat(message, locale, undefined, { ignoreTag: true }).getAst() as unknown as El[]);
  return names;
}

/** `{name}` as written (what the former replacement filled), so that an apostrophe quoting a placeholder is caught. */
const written = (message: string) => new Set([...message.matchAll(/\{(\w+)[},]/g)].map((m) => m[1]));

/** every language of core/languages.ts (a new one does not compile here until its dictionary is named) */
const DICTIONARIES: Record<Lang, Record<string, string>> = { fr: FR, en: EN };

describe('dictionaries', () => {
  it('French and English have the same keys', () => {
    expect(Object.keys(EN).sort()).toEqual(Object.keys(FR).sort());
  });

  it.each(LANGUAGES.map((l) => [l.code, DICTIONARIES[l.code]] as const))(
    'every %s message is valid ICU and keeps each of its placeholders',
    (lang, dict) => {
      const broken: string[] = [];
      for (const [key, message] of Object.entries(dict)) {
        try {
          const parsed = argumentsOf(message, lang);
          for (const name of written(message)) if (!parsed.has(name)) broken.push(`${key}: {${name}} is not an argument`);
        } catch (e) {
          broken.push(`${key}: ${(e as Error).message}`);
        }
      }
      expect(broken).toEqual([]);
    },
  );

  it('the two languages of a message take the same parameters', () => {
    const differ = Object.keys(FR).filter((k) => {
      const fr = [...argumentsOf(FR[k as MsgKey], 'fr')].sort().join();
      const en = [...argumentsOf(EN[k as MsgKey], 'en')].sort().join();
      return fr !== en;
    });
    expect(differ).toEqual([]);
  });
});

describe('I18n over Transloco', () => {
  async function i18nIn(lang: 'fr' | 'en'): Promise<I18n> {
    TestBed.configureTestingModule({ providers: provideTestI18n(lang) });
    await TestBed.inject(I18n).ready();
    return TestBed.inject(I18n);
  }

  it('words a key with its parameters, in the active language, and switches', async () => {
    const i18n = await i18nIn('fr');
    expect(i18n.t('common.save')).toBe('Enregistrer');
    i18n.setLang('en');
    await TestBed.inject(I18n).ready();
    await new Promise<void>((r) => queueMicrotask(r));
    expect(i18n.lang()).toBe('en');
    expect(i18n.t('common.save')).toBe('Save');
  });

  it('plurals follow each language (French says 0 and 1 in the singular)', async () => {
    const fr = await i18nIn('fr');
    const key = Object.keys(FR)
      .find((k) => k.endsWith('.one'))!
      .replace(/\.one$/, '');
    const zeroFr = fr.plural(key, 0);
    expect(zeroFr).toBe(fr.t(`${key}.one` as MsgKey, { count: 0 }));
    TestBed.resetTestingModule();
    const en = await i18nIn('en');
    expect(en.plural(key, 0)).toBe(en.t(`${key}.other` as MsgKey, { count: 0 }));
  });

  it('formats an ICU plural and falls back to plain replacement when a parameter is missing', async () => {
    const i18n = await i18nIn('fr');
    const transloco = (i18n as unknown as { transloco: { setTranslationKey(k: string, v: string, o: { lang: string }): void } }).transloco;
    transloco.setTranslationKey('test.count', '{count, plural, one {# demande} other {# demandes}} pour {who}', { lang: 'fr' });
    expect(i18n.t('test.count' as MsgKey, { count: 0, who: 'Karim' })).toBe('0 demande pour Karim');
    expect(i18n.t('test.count' as MsgKey, { count: 2, who: 'Karim' })).toBe('2 demandes pour Karim');
    transloco.setTranslationKey('test.missing', 'Échéance {date}', { lang: 'fr' });
    expect(i18n.t('test.missing' as MsgKey)).toBe('Échéance {date}');
  });
});
