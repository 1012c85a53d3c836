import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { Worker } from 'bullmq';
import type { Transporter } from 'nodemailer';
import { fillLink, linkPlaceholder } from '@grc/domain';
import { SecretBox } from '../../common/secret-box';
import { nodemailer } from '../../common/on-demand';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { forEachCommune } from '../../database/tenancy';
import { QUEUES } from '../worker/queues';
import { MAIL_CONFIG, MailConfig } from './mail.config';
import { TownSettingsRepository } from '../town/town-settings.repository';
import { OutboxRepository, type OutboxRow } from './outbox.repository';

/** How long a claimed row stays ours before another sender may take it (a crash mid-send). */
const LEASE = `interval '5 minutes'`;
const BATCH = 20;

/** nodemailer options from SMTP_URL: smtp://user:pass@host:port (STARTTLS when offered), smtps:// (TLS); ?ignoreTLS=true, ?rejectUnauthorized=false */
export function smtpOptions(url: string) {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: Number(u.port) || (secure ? 465 : 587),
    secure,
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    ignoreTLS: u.searchParams.get('ignoreTLS') === 'true',
    requireTLS: u.searchParams.get('requireTLS') === 'true',
    tls: { rejectUnauthorized: u.searchParams.get('rejectUnauthorized') !== 'false' },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

/**
 * Worker role: sends the outbox over SMTP. Rows are claimed with FOR UPDATE SKIP LOCKED (several
 * workers never send the same row), sent, then marked sent or failed with an exponential backoff.
 * Woken by a BullMQ job after each change and by a periodic sweep, so it works without Redis.
 * Permanent refusals (5xx) and the last attempt fail for good.
 */
@Injectable()
export class MailSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('MailSender');
  private transport: Transporter | null = null;
  private worker: Worker | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;
  private readonly secrets: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    @Inject(MAIL_CONFIG) private readonly mail: MailConfig,
    private readonly outbox: OutboxRepository,
    private readonly town: TownSettingsRepository,
    @Optional() private readonly metrics?: MetricsRegistry,
  ) {
    this.secrets = new SecretBox(config.dataDir);
  }

  onApplicationBootstrap(): void {
    if (!this.mail.smtpUrl) {
      this.log.log('SMTP_URL is not set: e-mails stay in the outbox');
      return;
    }
    this.transport = nodemailer().createTransport(smtpOptions(this.mail.smtpUrl));
    this.worker = new Worker(
      QUEUES.mailOutbox,
      async () => {
        await this.sweep();
      },
      {
        connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
        prefix: this.config.queuePrefix,
        concurrency: 1,
      },
    );
    this.worker.on('error', () => undefined);
    this.metrics?.observeWorker(QUEUES.mailOutbox, this.worker);
    const tick = () => {
      if (this.stopped) return;
      void this.sweep().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.mail.sweepMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Sends every due row; concurrent calls coalesce. Resolves to the number of rows handled. */
  sweep(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      try {
        do {
          this.again = false;
          for (;;) {
            const n = await this.sendBatch();
            total += n;
            if (n < BATCH || this.stopped) break;
          }
        } while (this.again && !this.stopped);
      } catch (e) {
        this.log.warn(`outbox sweep failed: ${(e as Error).message}`);
      } finally {
        this.running = null;
      }
      return total;
    })();
    return this.running;
  }

  /** One batch of each commune's outbox, as that commune (its rows, its sender). */
  private async sendBatch(): Promise<number> {
    if (!this.transport) return 0;
    let n = 0;
    await forEachCommune(this.db, async () => {
      n += await this.sendBatchHere();
    });
    return n;
  }

  private async sendBatchHere(): Promise<number> {
    if (!this.transport) return 0;
    const rows = await this.outbox.claim(BATCH, LEASE);
    if (!rows.length) return 0;
    // the town's own sender (Administration › Commune), else MAIL_FROM
    const sender = await this.town.sender();
    const from =
      sender ??
      (this.mail.fromName ? { name: this.mail.fromName, address: this.mail.fromAddress } : { name: '', address: this.mail.fromAddress });
    await Promise.all(rows.map((r) => this.sendOne(r, from)));
    return rows.length;
  }

  private async sendOne(r: OutboxRow, from: { name: string; address: string }): Promise<void> {
    try {
      // the tracking link exists in clear only in this process's memory while the e-mail is sent
      const link = r.sealed_link ? this.secrets.open(r.sealed_link) : null;
      const body = link ? fillLink({ subject: r.subject, text: r.text, html: r.html }, linkPlaceholder(r.id), link) : r;
      await this.transport!.sendMail({
        from: from.name ? from : from.address,
        to: r.to_address,
        replyTo: r.reply_to ?? undefined,
        subject: body.subject,
        text: body.text,
        html: body.html ?? undefined,
        messageId: r.message_id,
        inReplyTo: r.in_reply_to ?? undefined,
        references: r.references ?? undefined,
        headers: {
          'X-GRC-Outbox': r.id,
          'X-Loop': this.mail.fromAddress,
          // acknowledgements and status notices are automatic (RFC 3834): auto-responders must not answer them
          ...(r.kind === 'reply' ? {} : { 'Auto-Submitted': 'auto-generated' }),
        },
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      await this.outbox.markSent(r.id);
    } catch (e) {
      const err = e as Error & { responseCode?: number };
      const permanent = (err.responseCode ?? 0) >= 500;
      const last = permanent || r.attempts >= this.mail.maxAttempts;
      const delay = Math.min(this.mail.retryMaxMs, this.mail.retryBaseMs * 2 ** (r.attempts - 1));
      await this.outbox.markFailed(r.id, `${err.responseCode ? `${err.responseCode} ` : ''}${err.message}`.slice(0, 1000), last, delay);
      if (last) this.log.warn(`e-mail ${r.id} failed for good after ${r.attempts} attempt(s): ${err.message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const w = this.worker;
    this.worker = null;
    if (w) await Promise.race([w.close(), new Promise((r) => setTimeout(r, 5_000).unref())]).catch(() => undefined);
    if (this.running) await Promise.race([this.running, new Promise((r) => setTimeout(r, 5_000).unref())]);
    this.transport?.close();
  }
}
