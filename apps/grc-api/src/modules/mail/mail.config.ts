import { parseMailbox } from '@grc/domain';
import { readEnvironment } from '../../config/environment';

/** E-mail settings read from the environment (docs/mail.md). */
export interface MailConfig {
  /** smtp://user:pass@host:port or smtps://…; null: nothing is sent (rows wait in the outbox) */
  smtpUrl: string | null;
  /** the town's address: From of every e-mail, base of the per-ticket reply addresses */
  fromAddress: string;
  fromName: string | null;
  /** domain of our Message-IDs */
  domain: string;
  /** first retry after this many ms, doubled at each attempt */
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  /** the sender's periodic sweep (independent of Redis) */
  sweepMs: number;
  /** how often the intake looks for mailboxes to poll; 0 disables the intake */
  intakeTickMs: number;
  /** malformed messages: raw kept in the quarantine up to this size */
  quarantineMaxBytes: number;
  /** messages bigger than this are quarantined without import */
  maxMessageBytes: number;
  /** IMAP over TLS: accept self-signed certificates (tests, internal servers) */
  imapRejectUnauthorized: boolean;
}

export const MAIL_CONFIG = Symbol('MAIL_CONFIG');

export function loadMailConfig(env: NodeJS.ProcessEnv = process.env, maxUploadBytes = 10 * 1024 * 1024): MailConfig {
  const e = readEnvironment(env);
  const from = parseMailbox(e.MAIL_FROM);
  if (!from) throw new Error('MAIL_FROM must be one address, e.g. "Mairie de Saint-Aubin <mairie@saint-aubin.fr>"');
  return {
    smtpUrl: e.SMTP_URL ?? null,
    fromAddress: from.address,
    fromName: from.name,
    domain: (e.MAIL_DOMAIN ?? from.address.slice(from.address.lastIndexOf('@') + 1)).toLowerCase(),
    retryBaseMs: e.MAIL_RETRY_BASE_MS,
    retryMaxMs: e.MAIL_RETRY_MAX_MS,
    maxAttempts: e.MAIL_MAX_ATTEMPTS,
    sweepMs: e.MAIL_SWEEP_MS,
    intakeTickMs: e.MAIL_INTAKE_TICK_MS,
    quarantineMaxBytes: e.MAIL_QUARANTINE_MAX_BYTES,
    maxMessageBytes: e.MAIL_MAX_MESSAGE_BYTES ?? Math.max(25 * 1024 * 1024, maxUploadBytes * 3),
    imapRejectUnauthorized: e.MAIL_IMAP_REJECT_UNAUTHORIZED,
  };
}
