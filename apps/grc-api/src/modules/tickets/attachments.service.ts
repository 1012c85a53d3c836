import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DataSource } from 'typeorm';
import type { TicketDetail } from '@grc/domain';
import { badRequest, notFound, ProblemException } from '../../common/problem';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { actorId, type Actor } from '../auth/authenticated-agent';
import { AuditService, auditActor } from '../audit/audit.service';
import { checkAttachment, safeFilename } from './attachment-types';
import { TicketsService } from './tickets.service';

export interface UploadedFile {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** Files on disk under the data folder (content-addressed names), metadata and history in PostgreSQL. */
@Injectable()
export class AttachmentsService {
  private readonly log = new Logger('Attachments');
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    private readonly tickets: TicketsService,
    private readonly audit: AuditService,
  ) {}

  async add(actor: Actor, ticketId: string, version: number, file: UploadedFile | undefined): Promise<TicketDetail> {
    if (!file) throw badRequest('Aucun fichier reçu.', [{ field: 'file', message: 'Joignez un fichier.' }]);
    if (file.size > this.config.maxUploadBytes) {
      throw new ProblemException(
        413,
        'Fichier trop volumineux',
        `Le fichier dépasse ${Math.round(this.config.maxUploadBytes / 1048576)} Mo.`,
        [{ field: 'file', message: 'Fichier trop volumineux.' }],
      );
    }
    if (file.size === 0) throw badRequest('Le fichier est vide.', [{ field: 'file', message: 'Fichier vide.' }]);
    // multer decodes the name as latin1; browsers send UTF-8
    const filename = safeFilename(Buffer.from(file.originalname, 'latin1').toString('utf8'));
    const reason = await checkAttachment(filename, file.mimetype, file.buffer);
    if (reason) throw new ProblemException(415, 'Type de fichier refusé', reason, [{ field: 'file', message: reason }]);

    const sha256 = createHash('sha256').update(file.buffer).digest('hex');
    const storageKey = join('attachments', sha256.slice(0, 2), `${randomUUID()}`);
    const path = join(this.config.dataDir, storageKey);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.buffer, { mode: 0o640 });
    try {
      return await this.tickets.mutate(actor, ticketId, version, async (m) => {
        const [row] = await m.query(
          `INSERT INTO attachments (ticket_id, filename, mime_type, size, sha256, storage_key, uploaded_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [ticketId, filename, file.mimetype, file.size, sha256, storageKey, actorId(actor)],
        );
        return {
          set: {},
          events: [{ kind: 'attachment_added', data: { attachmentId: row.id, filename, size: file.size, mimeType: file.mimetype } }],
          action: 'ticket.attachment',
        };
      });
    } catch (e) {
      await rm(path, { force: true }); // the transaction failed: no orphan file
      throw e;
    }
  }

  /**
   * The stored file, opened: the caller streams it. Opened here (not by Express's `send`, which refuses any
   * path through a dot-folder such as the quick start's `.data`) so that every data folder works.
   */
  async open(actor: Actor, ticketId: string, attachmentId: string): Promise<StoredFile> {
    await this.tickets.assertVisible(actor.agent, ticketId);
    const [a] = await this.db.query(`SELECT filename, mime_type, size, storage_key FROM attachments WHERE id = $1 AND ticket_id = $2`, [
      attachmentId,
      ticketId,
    ]);
    if (!a) throw notFound('Pièce jointe');
    await this.audit.recordRead(auditActor(actor), 'ticket.attachment.read', ticketId, { attachmentId });
    try {
      const handle = await open(join(this.config.dataDir, a.storage_key), 'r');
      return { handle, filename: a.filename, mimeType: a.mime_type, size: Number(a.size) };
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
  handle: FileHandle;
  filename: string;
  mimeType: string;
  size: number;
}
