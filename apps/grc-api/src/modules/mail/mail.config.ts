import { parseMailbox } from '@grc/domain';

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

const int = (v: string | undefined, fallback: number): number => {
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
};

export function loadMailConfig(env: NodeJS.ProcessEnv = process.env, maxUploadBytes = 10 * 1024 * 1024): MailConfig {
  const from = parseMailbox(env['MAIL_FROM'] ?? 'GRC <mairie@grc.invalid>');
  if (!from) throw new Error('MAIL_FROM must be one address, e.g. "Mairie de Saint-Aubin <mairie@saint-aubin.fr>"');
  return {
    smtpUrl: env['SMTP_URL']?.trim() || null,
    fromAddress: from.address,
    fromName: from.name,
    domain: (env['MAIL_DOMAIN'] ?? from.address.slice(from.address.lastIndexOf('@') + 1)).toLowerCase(),
    retryBaseMs: int(env['MAIL_RETRY_BASE_MS'], 30_000),
    retryMaxMs: int(env['MAIL_RETRY_MAX_MS'], 3_600_000),
    maxAttempts: Math.max(1, int(env['MAIL_MAX_ATTEMPTS'], 8)),
    sweepMs: Math.max(100, int(env['MAIL_SWEEP_MS'], 5_000)),
    intakeTickMs: int(env['MAIL_INTAKE_TICK_MS'], 5_000),
    quarantineMaxBytes: int(env['MAIL_QUARANTINE_MAX_BYTES'], 5 * 1024 * 1024),
    maxMessageBytes: int(env['MAIL_MAX_MESSAGE_BYTES'], Math.max(25 * 1024 * 1024, maxUploadBytes * 3)),
    imapRejectUnauthorized: env['MAIL_IMAP_REJECT_UNAUTHORIZED'] !== 'false',
  };
}
