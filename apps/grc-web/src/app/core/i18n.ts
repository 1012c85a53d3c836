import { DOCUMENT, Injectable, effect, inject, signal } from '@angular/core';
import { TranslocoService } from '@jsverse/transloco';
import {
  TICKET_COUNT_CAP,
  type Channel,
  type Priority,
  type Role,
  type TicketStatus,
  type TimelineEventKind,
  type RequesterKind,
} from '@grc/domain';
import { firstValueFrom } from 'rxjs';
import type { MsgKey } from './i18n.fr';
import { IcuTranspiler } from './i18n-icu';
import { LANGUAGES, isLang, type Lang } from './languages';
import { useProblemWording } from './problem';

/** The town's time zone (metropolitan France). */
const TOWN_TIME_ZONE = 'Europe/Paris';

export type { Lang };
export type { MsgKey };

const STORAGE_KEY = 'grc.lang';
const LOCALES = Object.fromEntries(LANGUAGES.map((l) => [l.code, l.locale])) as Record<Lang, string>;

export function storedLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return isLang(v) ? v : 'fr';
  } catch {
    return 'fr';
  }
}

/**
 * Runtime translation over Transloco (docs/console.md#languages): a signal holds the language, so templates
 * reading `t()` re-render on switch; only the active language's dictionary is downloaded (provideI18n's
 * loader), before the first page is shown and before a switch takes effect. Messages are ICU
 * (intl-messageformat): `{name}` placeholders, `{count, plural, one {…} other {…}}`, `{n, number}`.
 */
@Injectable({ providedIn: 'root' })
export class I18n {
  private readonly doc = inject(DOCUMENT);
  private readonly transloco = inject(TranslocoService);
  private readonly icu = inject(IcuTranspiler);
  readonly lang = signal<Lang>(storedLang());

  constructor() {
    useProblemWording({ lang: () => this.lang(), has: (k) => this.has(k), t: (k, p) => this.t(k as MsgKey, p) });
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

  /** Loads the active language's dictionary (the app initializer waits for it). */
  async ready(): Promise<void> {
    await this.use(this.lang());
  }

  /** Switches once the language's dictionary is there, so no page shows keys in between. */
  setLang(lang: Lang): void {
    void this.use(lang).then(() => this.lang.set(lang));
  }

  private async use(lang: Lang): Promise<void> {
    await firstValueFrom(this.transloco.load(lang));
    this.icu.locale = LOCALES[lang];
    this.transloco.setActiveLang(lang);
  }

  /** The active language's dictionary has this key (a code from the API the console knows how to word). */
  readonly has = (key: string): boolean => this.transloco.getTranslation(this.lang())[key] !== undefined;

  /** Translate a key, replacing `{name}` placeholders (an ICU message: plurals, numbers). */
  readonly t = (key: MsgKey, params?: Record<string, string | number>): string => this.transloco.translate(key, params, this.lang());

  /**
   * A count in the language's plural form: the key's `.one`, `.other`… variant, as Intl.PluralRules names
   * them (French says « 0 autre demande », English "0 other requests"), `.other` when a form is missing;
   * `{count}` is replaced. New messages may rather say `{count, plural, one {…} other {…}}` in one key.
   */
  readonly plural = (key: string, count: number, params?: Record<string, string | number>): string => {
    const lang = this.lang();
    const form = `${key}.${new Intl.PluralRules(LOCALES[lang]).select(count)}`;
    const dict = this.transloco.getTranslation(lang);
    return this.t((form in dict ? form : `${key}.other`) as MsgKey, { count, ...params });
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

  readonly number = (n: number): string => new Intl.NumberFormat(LOCALES[this.lang()]).format(n);
  /** a count's figure (GET /tickets/count), "10,000+" at its cap */
  readonly countFigure = (n: number): string => (n >= TICKET_COUNT_CAP ? `${this.number(TICKET_COUNT_CAP)}+` : this.number(n));

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
