import { DOCUMENT, Injectable, effect, inject, signal } from '@angular/core';
import type { Channel, Priority, Role, TicketStatus, TimelineEventKind, RequesterKind } from '@grc/domain';
import { EN } from './i18n.en';
import { FR, type MsgKey } from './i18n.fr';

/** The town's time zone (metropolitan France). */
const TOWN_TIME_ZONE = 'Europe/Paris';

export type Lang = 'fr' | 'en';
export type { MsgKey };

const STORAGE_KEY = 'grc.lang';
const DICTS: Record<Lang, Record<MsgKey, string>> = { fr: FR, en: EN };
const LOCALES: Record<Lang, string> = { fr: 'fr-FR', en: 'en-GB' };

function storedLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'en' ? 'en' : 'fr';
  } catch {
    return 'fr';
  }
}

/** Runtime translation: a signal holds the language, so templates reading `t()` re-render on switch. */
@Injectable({ providedIn: 'root' })
export class I18n {
  private readonly doc = inject(DOCUMENT);
  readonly lang = signal<Lang>(storedLang());

  constructor() {
    effect(() => {
      const lang = this.lang();
      this.doc.documentElement.lang = lang;
      try {
        localStorage.setItem(STORAGE_KEY, lang);
      } catch {
        /* private mode: not persisted */
      }
    });
  }

  setLang(lang: Lang): void {
    this.lang.set(lang);
  }

  /** Translate a key, replacing `{name}` placeholders. */
  readonly t = (key: MsgKey, params?: Record<string, string | number>): string => {
    let text = DICTS[this.lang()][key] ?? key;
    if (params) {
      for (const [k, v] of Object.entries(params)) text = text.split(`{${k}}`).join(String(v));
    }
    return text;
  };

  /**
   * A count in the language's plural form: the key's `.one`, `.other`… variant, as Intl.PluralRules names
   * them (French says « 0 autre demande », English "0 other requests"), `.other` when a form is missing;
   * `{count}` is replaced.
   */
  readonly plural = (key: string, count: number, params?: Record<string, string | number>): string => {
    const form = `${key}.${new Intl.PluralRules(LOCALES[this.lang()]).select(count)}`;
    return this.t((form in DICTS[this.lang()] ? form : `${key}.other`) as MsgKey, { count, ...params });
  };

  readonly status = (s: TicketStatus): string => this.t(`status.${s}` as MsgKey);
  readonly priority = (p: Priority): string => this.t(`priority.${p}` as MsgKey);
  readonly channel = (c: Channel): string => this.t(`channel.${c}` as MsgKey);
  readonly role = (r: Role): string => this.t(`role.${r}` as MsgKey);
  readonly kind = (k: RequesterKind): string => this.t(`kind.${k}` as MsgKey);
  readonly eventKind = (k: TimelineEventKind): string => this.t(`timeline.${k}` as MsgKey);

  /** Localised category name. */
  readonly categoryName = (c: { nameFr: string; nameEn: string } | null | undefined): string =>
    c ? (this.lang() === 'en' ? c.nameEn || c.nameFr : c.nameFr) : '';

  // Times are the town hall's, whatever the PC's clock says (a laptop set to UTC, an agent abroad).
  readonly dateTime = (iso: string | null | undefined): string => {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return new Intl.DateTimeFormat(LOCALES[this.lang()], { dateStyle: 'long', timeStyle: 'short', timeZone: TOWN_TIME_ZONE }).format(d);
  };

  readonly date = (iso: string | null | undefined): string => {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return new Intl.DateTimeFormat(LOCALES[this.lang()], { dateStyle: 'short', timeStyle: 'short', timeZone: TOWN_TIME_ZONE }).format(d);
  };

  readonly fileSize = (bytes: number): string => {
    const units = this.lang() === 'fr' ? ['o', 'Ko', 'Mo', 'Go'] : ['B', 'KB', 'MB', 'GB'];
    let n = bytes;
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return `${new Intl.NumberFormat(LOCALES[this.lang()], { maximumFractionDigits: 1 }).format(n)} ${units[i]}`;
  };
}
