/**
 * Sorting words people read: the language's own collation (French: "Éclairage" before "Nid-de-poule",
 * accents after the letters, "Rue 9" before "Rue 10"), never code-point order (`<`, a bare localeCompare()).
 */
const collators = new Map<string, Intl.Collator>();

export function collator(lang = 'fr'): Intl.Collator {
  let c = collators.get(lang);
  if (!c) collators.set(lang, (c = new Intl.Collator(lang, { numeric: true, sensitivity: 'base' })));
  return c;
}

/** `list` sorted by the text `key` gives, in `lang` (a copy). */
export const sortByText = <T>(list: readonly T[], key: (x: T) => string, lang = 'fr'): T[] => {
  const c = collator(lang);
  return [...list].sort((a, b) => c.compare(key(a), key(b)));
};
