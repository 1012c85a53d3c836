import type { QuarantineReasonCode, QuarantinedMail } from '@grc/domain';
import type { I18n, MsgKey } from '../../core/i18n';

/**
 * The quarantine's reasons worded from their code (libs/domain QUARANTINE_REASON_CODES); the API sends no
 * sentence. A technical detail (a parser's or the database's error, the refused address) is shown beside, as
 * written (`translate="no"`).
 */
export const QUARANTINE_WORDS_FR = {
  'quarantine.mail.too_large': 'Message trop volumineux ({mb} Mo).',
  'quarantine.mail.unreadable': 'Message illisible.',
  'quarantine.mail.no_sender': 'Expéditeur absent ou illisible (From).',
  'quarantine.mail.bad_sender': 'Adresse d’expéditeur invalide.',
  'quarantine.mail.import_failed': 'Import impossible (erreur lors de l’enregistrement).',
} as const satisfies Record<`quarantine.${QuarantineReasonCode}`, string>;

export const QUARANTINE_WORDS_EN: Record<keyof typeof QUARANTINE_WORDS_FR, string> = {
  'quarantine.mail.too_large': 'Message too large ({mb} MB).',
  'quarantine.mail.unreadable': 'Unreadable message.',
  'quarantine.mail.no_sender': 'Missing or unreadable sender (From).',
  'quarantine.mail.bad_sender': 'Invalid sender address.',
  'quarantine.mail.import_failed': 'Import failed (error while saving it).',
};

/** The codes this console words (a spec compares them with QUARANTINE_REASON_CODES both ways). */
export const WORDED_QUARANTINE_CODES = Object.keys(QUARANTINE_WORDS_FR).map((k) => k.slice('quarantine.'.length));

/** The reason in the agent's language, and its technical detail (null: none). An unknown code reads as an import failure. */
export function quarantineReason(
  q: Pick<QuarantinedMail, 'reasonCode' | 'reasonParams'>,
  i18n: I18n,
): { text: string; detail: string | null } {
  const code = WORDED_QUARANTINE_CODES.includes(q.reasonCode) ? q.reasonCode : 'mail.import_failed';
  const p = q.reasonParams ?? {};
  const text = i18n.t(`quarantine.${code}` as MsgKey, { mb: p['mb'] ?? '?' });
  const detail = p['error'] ?? p['address'];
  return { text, detail: detail === undefined || detail === '' ? null : String(detail) };
}
