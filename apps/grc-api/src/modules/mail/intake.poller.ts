import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { MailboxObject } from 'imapflow';
import { MAIL_CONFIG, MailConfig } from './mail.config';
import { MailIntakeService, type ImportOutcome } from './intake.service';
import { MailboxesRepository } from './mailboxes.repository';
import { SecretBox } from '../../common/secret-box';
import { imapflow } from '../../common/on-demand';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { forEachCommune } from '../../database/tenancy';

export interface PollResult {
  busy?: boolean;
  error?: string;
  seen: number;
  outcomes: Record<ImportOutcome['outcome'], number>;
}

export interface PollOptions {
  /** test seam: called after a batch was imported, before the IMAP flags and last_uid are written (a crash there) */
  afterImport?: (uids: number[]) => void | Promise<void>;
  batchSize?: number;
}

/** How long a poll holds its mailbox (several workers never poll the same mailbox together). */
const LEASE = `interval '15 minutes'`;

/**
 * Worker role: reads each active mailbox every `poll_interval_seconds` over IMAP (imapflow). UID-based:
 * UIDVALIDITY and the last UID done are stored; messages are fetched by batches, each imported in its
 * own transaction (MailIntakeService), then flagged \Seen (or moved to the processed folder) and last_uid
 * advanced. A crash between the import and the flags re-fetches the batch: mail_imported skips it.
 */
@Injectable()
export class MailIntakePoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('MailIntakePoller');
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private ticking: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(MAIL_CONFIG) private readonly mail: MailConfig,
    private readonly intake: MailIntakeService,
    @Inject(GRC_CONFIG) config: GrcConfig,
    private readonly mailboxes: MailboxesRepository,
  ) {
    this.secrets = new SecretBox(config.dataDir);
  }

  private readonly secrets: SecretBox;

  onApplicationBootstrap(): void {
    if (!this.mail.intakeTickMs) return;
    const tick = () => {
      if (this.stopped) return;
      this.ticking = this.pollDue()
        .catch((e) => this.log.warn(`intake tick failed: ${(e as Error).message}`))
        .finally(() => {
          this.ticking = null;
          if (!this.stopped) this.timer = setTimeout(tick, this.mail.intakeTickMs);
        });
    };
    this.timer = setTimeout(tick, Math.min(1_000, this.mail.intakeTickMs));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ticking) await Promise.race([this.ticking, new Promise((r) => setTimeout(r, 10_000).unref())]);
  }

  /** Polls every active mailbox whose interval has elapsed. */
  async pollDue(): Promise<void> {
    // each commune's mailboxes as that commune (the requests they open are its own)
    await forEachCommune(this.db, async () => {
      const due = await this.mailboxes.due();
      for (const id of due) {
        if (this.stopped) return;
        await this.poll(id);
      }
    });
  }

  async poll(mailboxId: string, opts: PollOptions = {}): Promise<PollResult> {
    const result: PollResult = { seen: 0, outcomes: { ticket: 0, reply: 0, ignored: 0, quarantined: 0, duplicate: 0 } };
    const box = await this.mailboxes.lease(mailboxId, LEASE);
    if (!box) return { ...result, busy: true };
    const { ImapFlow } = imapflow();
    const client = new ImapFlow({
      host: box.host,
      port: box.port,
      secure: box.secure,
      auth: { user: box.username, pass: this.secrets.open(box.password) ?? '' },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 120_000,
      tls: { rejectUnauthorized: this.mail.imapRejectUnauthorized },
    });
    client.on('error', (e: Error) => this.log.warn(`${box.name}: ${e.message}`));
    let error: string | null = null;
    try {
      await client.connect();
      if (box.processed_folder) await client.mailboxCreate(box.processed_folder).catch(() => undefined);
      const lock = await client.getMailboxLock(box.folder);
      try {
        const mb = client.mailbox as MailboxObject;
        const validity = String(mb.uidValidity);
        let lastUid = Number(box.last_uid);
        if (box.uid_validity !== validity) {
          // a new UIDVALIDITY renumbers the folder: start over (mail_imported keeps duplicates out)
          lastUid = 0;
          await this.mailboxes.resetUids(box.id, validity);
        }
        if (mb.exists > 0) {
          const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
          const uids = (found || []).filter((u) => u > lastUid).sort((a, b) => a - b);
          const size = opts.batchSize ?? 100;
          for (let i = 0; i < uids.length && !this.stopped; i += size) {
            const batch = uids.slice(i, i + size);
            const sizes = new Map<number, number>();
            for await (const msg of client.fetch(batch, { uid: true, size: true }, { uid: true })) sizes.set(msg.uid, msg.size ?? 0);
            const small = batch.filter((u) => (sizes.get(u) ?? 0) <= this.mail.maxMessageBytes);
            const sources = new Map<number, Buffer>();
            if (small.length) {
              for await (const msg of client.fetch(small, { uid: true, source: true }, { uid: true }))
                if (msg.source) sources.set(msg.uid, msg.source);
            }
            for (const uid of batch.filter((u) => !small.includes(u))) {
              // too big to import: keep its first bytes in the quarantine
              for await (const msg of client.fetch(
                [uid],
                { uid: true, source: { start: 0, maxLength: this.mail.quarantineMaxBytes } },
                { uid: true },
              )) {
                if (msg.source) sources.set(uid, msg.source);
              }
            }
            for (const uid of batch) {
              const raw = sources.get(uid);
              if (!raw) continue; // expunged meanwhile
              const r = await this.intake.importMessage(box, uid, raw, sizes.get(uid) ?? raw.length);
              result.outcomes[r.outcome]++;
              result.seen++;
            }
            if (opts.afterImport) await opts.afterImport(batch);
            if (box.processed_folder) await client.messageMove(batch, box.processed_folder, { uid: true });
            else await client.messageFlagsAdd(batch, ['\\Seen'], { uid: true });
            await this.mailboxes.advanceLastUid(box.id, batch[batch.length - 1]!);
          }
        }
      } finally {
        lock.release();
      }
    } catch (e) {
      error = (e as Error & { responseText?: string }).responseText ?? (e as Error).message;
      this.log.warn(`${box.name}: poll failed: ${error}`);
    } finally {
      await client.logout().catch(() => client.close());
      await this.mailboxes.release(box.id, error?.slice(0, 1000) ?? null);
    }
    return error ? { ...result, error } : result;
  }
}
