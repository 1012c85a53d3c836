/** The town's own settings (Administration › Commune): GET / PUT /api/v1/town-settings. */

/** Texts citizens read on the public pages, in the town's words (empty: the console's default text). */
export const PUBLIC_TEXT_KEYS = ['formIntro', 'trackingIntro', 'footer'] as const;
export type PublicTextKey = (typeof PUBLIC_TEXT_KEYS)[number];
export type PublicTexts = Record<PublicTextKey, string>;
export const PUBLIC_TEXT_MAX = 2000;

/** Logos: PNG, JPEG or WebP (no SVG: a script could hide in it), at most this size. */
export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type LogoType = (typeof LOGO_TYPES)[number];
export const LOGO_MAX_BYTES = 256 * 1024;

export interface TownSettingsView {
  /** the pack's code; not editable (packs and exports name the town by it) */
  code: string;
  name: string;
  /** IANA time zone of the town: business calendars' default, dates in e-mails and letters, reference years */
  timezone: string;
  locale: 'fr' | 'en';
  /** prefix of the public references (GRC-2026-000123): 2 to 6 uppercase letters; a change applies to new requests */
  referencePrefix: string;
  /** `data:<type>;base64,…`, or null */
  logo: string | null;
  publicTexts: PublicTexts;
  /** From of every e-mail sent to citizens; null: MAIL_FROM (docs/configuration.md) */
  senderAddress: string | null;
  senderName: string | null;
  /** the DPO's contact, edited with the privacy notice (RGPD › Information notice); shown here read-only */
  dpo: { name: string | null; email: string | null; address: string | null };
  version: number;
}

export interface TownSettingsUpdate {
  name: string;
  timezone: string;
  locale: 'fr' | 'en';
  referencePrefix: string;
  /** undefined: unchanged; null: removed; a data URL: replaced */
  logo?: string | null;
  publicTexts: PublicTexts;
  senderAddress: string | null;
  senderName: string | null;
  version: number;
}

/** What the public pages show of the town. */
export interface PublicTown {
  name: string;
  /** GET /api/v1/public/town-logo when true */
  hasLogo: boolean;
  texts: PublicTexts;
}
