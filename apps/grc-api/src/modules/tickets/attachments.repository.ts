import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** An attachment's row as stored (the bytes are in the AttachmentStore under `storageKey`). */
export interface NewAttachment {
  ticketId: string;
  filename: string;
  mimeType: string;
  size: number;
  sha256: string;
  storageKey: string;
  /** the agent who uploaded it; null for a citizen (public form, tracking page, e-mail) */
  uploadedBy: string | null;
}

export interface AttachmentRow {
  filename: string;
  mimeType: string;
  size: number;
  storageKey: string;
}

/** Every query on `attachments`: the rows of every channel's files, the download's lookup, the tracking page's list. */
@Injectable()
export class AttachmentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The row, in the caller's transaction (the ticket's change that lists it on the timeline); returns its id. */
  async insert(m: EntityManager, a: NewAttachment): Promise<string> {
    const [row]: Array<{ id: string }> = await m.query(
      `INSERT INTO attachments (ticket_id, filename, mime_type, size, sha256, storage_key, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [a.ticketId, a.filename, a.mimeType, a.size, a.sha256, a.storageKey, a.uploadedBy],
    );
    return row!.id;
  }

  /** One attachment of one ticket (another ticket's id finds nothing). */
  async find(ticketId: string, attachmentId: string, m: EntityManager = this.db.manager): Promise<AttachmentRow | null> {
    const [a]: Array<{ filename: string; mime_type: string; size: string; storage_key: string }> = await m.query(
      `SELECT filename, mime_type, size, storage_key FROM attachments WHERE id = $1 AND ticket_id = $2`,
      [attachmentId, ticketId],
    );
    return a ? { filename: a.filename, mimeType: a.mime_type, size: Number(a.size), storageKey: a.storage_key } : null;
  }

  /** A ticket's files, oldest first (name and size only: the tracking page). */
  listNames(ticketId: string, m: EntityManager = this.db.manager): Promise<Array<{ filename: string; size: number }>> {
    return m.query(`SELECT filename, size FROM attachments WHERE ticket_id = $1 ORDER BY created_at`, [ticketId]);
  }

  /** Of these storage keys, those an attachment row still names (the others' bytes are orphans). */
  async keptKeys(keys: readonly string[], m: EntityManager = this.db.manager): Promise<Set<string>> {
    if (!keys.length) return new Set();
    const rows: Array<{ storage_key: string }> = await m.query(`SELECT storage_key FROM attachments WHERE storage_key = ANY($1::text[])`, [
      keys,
    ]);
    return new Set(rows.map((r) => r.storage_key));
  }
}
