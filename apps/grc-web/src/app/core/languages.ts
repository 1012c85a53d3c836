/**
 * The console's languages (docs/console.md, "Adding a language"). Each one is a dictionary file
 * `core/i18n.<code>.ts` exporting `<CODE>: Record<MsgKey, string>` (French, `i18n.fr.ts`, is the reference) and
 * its line here: the build writes `/i18n/<code>.json` from the file (scripts/i18n-json.mjs reads this list),
 * Transloco offers it, the language switch shows it, dates and numbers follow its `locale`.
 */
export const LANGUAGES = [
  { code: 'fr', locale: 'fr-FR', short: 'FR', name: 'Français' },
  { code: 'en', locale: 'en-GB', short: 'EN', name: 'English' },
] as const;

export type Lang = (typeof LANGUAGES)[number]['code'];
export const LANG_CODES: readonly Lang[] = LANGUAGES.map((l) => l.code);
export const isLang = (v: unknown): v is Lang => (LANG_CODES as readonly unknown[]).includes(v);
