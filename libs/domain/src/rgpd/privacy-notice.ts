import { zodFieldCode } from '../validation/zod-field-codes';
import { z } from 'zod';

/**
 * The information notice (RGPD art. 13) the town gives whoever files a request, and the facts the access
 * letter (art. 15) repeats: data as codes and parameters, worded by the console and the letter.
 */

/** Why the town processes requesters' data (the processing register's purposes). */
export const PRIVACY_PURPOSES = ['handle_requests', 'inform_requester', 'statistics', 'improve_service'] as const;
export type PrivacyPurpose = (typeof PRIVACY_PURPOSES)[number];

/** Art. 6.1 legal bases a town uses for its requests. */
export const LEGAL_BASES = ['public_task', 'legal_obligation', 'consent'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** The rights the notice lists (articles 15 to 21). */
export const CITIZEN_RIGHTS = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability'] as const;
export type CitizenRight = (typeof CITIZEN_RIGHTS)[number];

/** Which rights apply under a legal basis: no portability under a public task or a legal obligation (art. 20), no objection under a legal obligation (art. 21). */
export const rightsUnder = (basis: LegalBasis): CitizenRight[] =>
  CITIZEN_RIGHTS.filter((r) => {
    if (r === 'portability') return basis === 'consent';
    if (r === 'objection') return basis === 'public_task';
    return true;
  });

/** The town's privacy settings (one row, edited by the admin). */
export interface PrivacySettings {
  /** the data controller: the town, represented by its mayor */
  controllerName: string;
  controllerAddress: string;
  controllerEmail: string | null;
  dpoName: string | null;
  dpoEmail: string | null;
  dpoAddress: string | null;
  purposes: PrivacyPurpose[];
  legalBasis: LegalBasis;
  /** the supervisory authority where to complain: the CNIL for a French town */
  authorityName: string;
  authorityAddress: string;
  authorityUrl: string;
  updatedAt: string | null;
  version: number;
}

export type PrivacySettingsInput = Omit<PrivacySettings, 'updatedAt' | 'version'>;

/** The CNIL, the French supervisory authority (its postal address and its complaint page). */
export const CNIL = {
  authorityName: 'CNIL',
  authorityAddress: '3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07',
  authorityUrl: 'https://www.cnil.fr/fr/plaintes',
} as const;

/** How long a category's requesters are kept, once the retention rules exist (branch retention). */
export interface NoticeRetention {
  categoryCode: string;
  nameFr: string;
  nameEn: string;
  /** months after the request is closed; null: the town's default */
  months: number | null;
  /** what happens then */
  outcome: 'anonymise' | 'delete';
}

/** GET /api/v1/public/privacy-notice: everything the notice says, as data. */
export interface PrivacyNotice {
  townName: string;
  controller: { name: string; address: string; email: string | null };
  /** null: the town has not named its DPO yet (the notice says to write to the controller) */
  dpo: { name: string | null; email: string | null; address: string | null } | null;
  purposes: PrivacyPurpose[];
  legalBasis: LegalBasis;
  rights: CitizenRight[];
  authority: { name: string; address: string; url: string };
  /** who receives the data: the town's departments handling the request (codes for the console to word) */
  recipients: Array<'town_departments'>;
  /**
   * Retention per category. null until the town's retention rules exist (the retention engine is a
   * separate module): the notice then says the periods are available from the DPO, never a made-up value.
   */
  retention: NoticeRetention[] | null;
}

const text = (max: number) => z.string().trim().min(1, 'Obligatoire.').max(max, `${max} caractères au plus.`);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `${max} caractères au plus.`)
    .nullable()
    .transform((v) => (v ? v : null));
const email = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? null : typeof v === 'string' ? v.trim() : v),
  z.string().max(254, '254 caractères au plus.').email('Adresse e-mail invalide.').nullable(),
);

export const privacySettingsSchema = z.object({
  controllerName: text(200),
  controllerAddress: text(500),
  controllerEmail: email,
  dpoName: optionalText(200),
  dpoEmail: email,
  dpoAddress: optionalText(500),
  purposes: z
    .array(z.enum(PRIVACY_PURPOSES))
    .min(1, 'Au moins une finalité.')
    .transform((p) => PRIVACY_PURPOSES.filter((x) => p.includes(x))),
  legalBasis: z.enum(LEGAL_BASES),
  authorityName: text(200),
  authorityAddress: text(500),
  authorityUrl: z
    .string()
    .trim()
    .max(300)
    .url('Adresse web invalide.')
    .refine((u) => /^https?:\/\//.test(u), { message: 'Adresse web invalide.', params: { code: 'url' } }),
});

export type PrivacyField = keyof PrivacySettingsInput;

/** Field errors (a code and its parameters for the console, the French sentence for logs) or the normalised settings. */
export function validatePrivacySettings(
  input: unknown,
):
  | { ok: true; value: PrivacySettingsInput }
  | { ok: false; errors: Array<{ field: string; message: string; code: string; params?: Record<string, string | number> }> } {
  const r = privacySettingsSchema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, errors: r.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message, ...zodFieldCode(i) })) };
}

/** Settings of a town that has not filled them in: the controller is the town, the authority the CNIL, no DPO yet. */
export const defaultPrivacySettings = (townName: string): PrivacySettings => ({
  controllerName: townName || 'La commune',
  controllerAddress: 'Hôtel de ville',
  controllerEmail: null,
  dpoName: null,
  dpoEmail: null,
  dpoAddress: null,
  purposes: ['handle_requests', 'inform_requester', 'statistics'],
  legalBasis: 'public_task',
  ...CNIL,
  updatedAt: null,
  version: 0,
});

/** The notice's data from the settings and the retention rules (null when they do not exist yet). */
export const privacyNotice = (townName: string, s: PrivacySettings, retention: NoticeRetention[] | null): PrivacyNotice => ({
  townName,
  controller: { name: s.controllerName, address: s.controllerAddress, email: s.controllerEmail },
  dpo: s.dpoEmail || s.dpoName || s.dpoAddress ? { name: s.dpoName, email: s.dpoEmail, address: s.dpoAddress } : null,
  purposes: s.purposes,
  legalBasis: s.legalBasis,
  rights: rightsUnder(s.legalBasis),
  authority: { name: s.authorityName, address: s.authorityAddress, url: s.authorityUrl },
  recipients: ['town_departments'],
  retention,
});
