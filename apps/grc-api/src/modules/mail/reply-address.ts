import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { plusAddress, replyTag, REPLY_TOKEN_LENGTH } from '@grc/domain';
import { SecretBox } from '../../common/secret-box';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { MAIL_CONFIG, MailConfig } from './mail.config';

/**
 * The per-ticket reply address `town+GRC-2026-000123.<token>@domain`: the token is an HMAC of the reference
 * under the app's secret (GRC_SECRET_KEY or <data dir>/secret.key, common/secret-box.ts), so only an e-mail we
 * sent carries it, and a reply to it threads whoever sends it (threading rules: libs/domain mail/threading.ts).
 * API and worker must share the secret, as they already do for the mailbox passwords.
 */
@Injectable()
export class ReplyAddresses {
  private readonly secrets: SecretBox;

  constructor(
    @Inject(GRC_CONFIG) config: GrcConfig,
    @Inject(MAIL_CONFIG) private readonly mail: MailConfig,
  ) {
    this.secrets = new SecretBox(config.dataDir);
  }

  token(reference: string): string {
    return this.secrets.mac('reply-address', reference).toString('hex').slice(0, REPLY_TOKEN_LENGTH);
  }

  address(reference: string): string {
    return plusAddress(this.mail.fromAddress, replyTag(reference, this.token(reference)));
  }

  /** Constant-time: a wrong token tells nothing about the right one. */
  valid(reference: string, token: string): boolean {
    const expected = Buffer.from(this.token(reference));
    const given = Buffer.from(token.toLowerCase());
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
