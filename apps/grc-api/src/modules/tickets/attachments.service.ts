import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { EntityManager } from 'typeorm';
import type { TicketDetail } from '@grc/domain';
import { badRequest, notFound, ProblemException } from '../../common/problem';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { actorId, type Actor } from '../auth/authenticated-agent';
import { AuditService, auditActor } from '../audit/audit.service';
import { ATTACHMENT_STORE, type AttachmentStore } from './attachment-store';
import { checkAttachment, safeFilename } from './attachment-types';
import { AttachmentsRepository } from './attachments.repository';
import type { NewEvent } from './ticket-change.hooks';
import { TicketsService } from './tickets.service';

export interface UploadedFile {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** A file that passed the checks, ready to store. */
export interface CheckedFile {
  filename: string;
  mimeType: string;
  size: number;
  buffer: Buffer;
  sha256: string;
}

/** Files stored before their ticket's transaction: their keys, and the clean-up when that transaction fails. */
export interface StoredFiles {
  keys: string[];
  remove: () => Promise<void>;
}

export const sha256Hex = (content: Buffer) => createHash('sha256').update(content).digest('hex');

/**
 * The one attachment store of every channel: bytes in the configured AttachmentStore (attachment-store.ts),
 * metadata in `attachments` (AttachmentsRepository), history on the ticket's timeline. The bytes are stored
 * first, then the rows in the ticket's change; a failed change removes the bytes (no orphan file).
 */
@Injectable()
export class AttachmentsService {
  private readonly log = new Logger('Attachments');
  constructor(
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    @Inject(ATTACHMENT_STORE) private readonly store: AttachmentStore,
    private readonly rows: AttachmentsRepository,
    private readonly tickets: TicketsService,
    private readonly audit: AuditService,
  ) {}

  async add(actor: Actor, ticketId: string, version: number, file: UploadedFile | undefined): Promise<TicketDetail> {
    if (!file) throw badRequest('Aucun fichier reçu.', [{ field: 'file', message: 'Joignez un fichier.', code: 'file.required' }]);
    if (file.size > this.config.maxUploadBytes) {
      throw new ProblemException(
        413,
        'Fichier trop volumineux',
        `Le fichier dépasse ${Math.round(this.config.maxUploadBytes / 1048576)} Mo.`,
        [
          {
            field: 'file',
            message: 'Fichier trop volumineux.',
            code: 'file.too_large',
            params: { maxMb: Math.round(this.config.maxUploadBytes / 1048576) },
          },
        ],
      );
    }
    if (file.size === 0) throw badRequest('Le fichier est vide.', [{ field: 'file', message: 'Fichier vide.', code: 'file.empty' }]);
    // multer decodes the name as latin1; browsers send UTF-8
    const filename = safeFilename(Buffer.from(file.originalname, 'latin1').toString('utf8'));
    const reason = await checkAttachment(filename, file.mimetype, file.buffer);
    if (reason)
      throw new ProblemException(415, 'Type de fichier refusé', reason, [
        { field: 'file', message: reason, code: 'file.type', params: { type: file.mimetype } },
      ]);

    const checked: CheckedFile = {
      filename,
      mimeType: file.mimetype,
      size: file.size,
      buffer: file.buffer,
      sha256: sha256Hex(file.buffer),
    };
    const stored = await this.storeAll([checked]);
    try {
      return await this.tickets.mutate(actor, ticketId, version, async (m) => ({
        set: {},
        events: await this.recordAll(m, ticketId, [checked], stored.keys, actorId(actor), null),
        action: 'ticket.attachment',
      }));
    } catch (e) {
      await stored.remove(); // the transaction failed: no orphan file
      throw e;
    }
  }

  /** Stores the files' bytes (all or none); `remove` forgets them when the ticket's transaction fails. */
  async storeAll(files: readonly CheckedFile[]): Promise<StoredFiles> {
    const keys: string[] = [];
    const remove = async () => {
      for (const k of keys) await this.store.delete(k);
    };
    try {
      for (const f of files) keys.push(await this.store.put(f.buffer, f.sha256));
    } catch (e) {
      await remove();
      throw e;
    }
    return { keys, remove };
  }

  /**
   * The rows of stored files, in the ticket's transaction; returns their timeline events for the ticket's
   * change to write. `uploadedBy` null: a citizen's (`source`: citizen, email).
   */
  async recordAll(
    m: EntityManager,
    ticketId: string,
    files: readonly CheckedFile[],
    keys: readonly string[],
    uploadedBy: string | null,
    source: 'citizen' | 'email' | null,
  ): Promise<NewEvent[]> {
    const events: NewEvent[] = [];
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      const attachmentId = await this.rows.insert(m, {
        ticketId,
        filename: f.filename,
        mimeType: f.mimeType,
        size: f.size,
        sha256: f.sha256,
        storageKey: keys[i]!,
        uploadedBy,
      });
      const data: Record<string, unknown> = { attachmentId, filename: f.filename, size: f.size, mimeType: f.mimeType };
      if (source) data['source'] = source;
      events.push({ kind: 'attachment_added', data });
    }
    return events;
  }

  /** The stored file, opened: the caller streams it (attachment-download.ts). */
  async open(actor: Actor, ticketId: string, attachmentId: string): Promise<StoredFile> {
    await this.tickets.assertVisible(actor.agent, ticketId);
    const a = await this.rows.find(ticketId, attachmentId);
    if (!a) throw notFound('Pièce jointe');
    await this.audit.recordRead(auditActor(actor), 'ticket.attachment.read', ticketId, { attachmentId });
    try {
      return { stream: await this.store.open(a.storageKey), filename: a.filename, mimeType: a.mimeType, size: a.size };
    } catch (e) {
      // the row exists but not the file: a restore without GRC_DATA_DIR, or a wrong GRC_DATA_DIR
      this.log.error(`attachment ${attachmentId}: ${(e as Error).message}`);
      throw new ProblemException(
        404,
        'Pièce jointe indisponible',
        'Le fichier de cette pièce jointe est introuvable sur le serveur. Prévenez l’administrateur.',
      );
    }
  }
}

export interface StoredFile {
  stream: Readable;
  filename: string;
  mimeType: string;
  size: number;
}
