import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EntityManager } from 'typeorm';
import { ProblemException, type FieldError } from '../../common/problem';
import { ALLOWED_TYPES, checkAttachment, safeFilename } from '../tickets/attachment-types';
import type { UploadedFile } from '../tickets/attachments.service';
import type { NewEvent } from '../tickets/ticket-change.hooks';

export const PUBLIC_MAX_FILES = 5;
export const ACCEPT = [...Object.keys(ALLOWED_TYPES), ...Object.values(ALLOWED_TYPES).flatMap((t) => t.extensions.map((e) => `.${e}`))];

export interface CheckedFile {
  filename: string;
  mimeType: string;
  size: number;
  buffer: Buffer;
  sha256: string;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

/**
 * The checks of the agents' uploads (declared type in the list, extension and detected content agreeing) applied
 * to every file a citizen sends, with one clear message per refused file. Too large → 413, wrong type → 415.
 */
export async function checkFiles(files: UploadedFile[], maxBytes: number, field = 'files'): Promise<CheckedFile[]> {
  if (files.length > PUBLIC_MAX_FILES) {
    throw new ProblemException(400, 'Requête invalide', `${PUBLIC_MAX_FILES} fichiers au plus.`, [
      { field, message: `${PUBLIC_MAX_FILES} fichiers au plus.`, code: 'file.too_many' },
    ]);
  }
  const tooLarge: FieldError[] = [];
  const refused: FieldError[] = [];
  const out: CheckedFile[] = [];
  for (const f of files) {
    // multer decodes the name as latin1; browsers send UTF-8
    const filename = safeFilename(Buffer.from(f.originalname, 'latin1').toString('utf8'));
    if (f.size > maxBytes) {
      tooLarge.push({ field, code: 'file.too_large', message: `« ${filename} » dépasse la taille maximale de ${mb(maxBytes)} Mo.` });
      continue;
    }
    if (f.size === 0) {
      refused.push({ field, code: 'file.empty', message: `« ${filename} » est vide.` });
      continue;
    }
    const reason = await checkAttachment(filename, f.mimetype, f.buffer);
    if (reason) {
      refused.push({ field, code: 'file.type', message: `« ${filename} » : ${reason}` });
      continue;
    }
    out.push({
      filename,
      mimeType: f.mimetype,
      size: f.size,
      buffer: f.buffer,
      sha256: createHash('sha256').update(f.buffer).digest('hex'),
    });
  }
  if (tooLarge.length)
    throw new ProblemException(413, 'Fichier trop volumineux', tooLarge.map((e) => e.message).join(' '), [...tooLarge, ...refused]);
  if (refused.length) throw new ProblemException(415, 'Type de fichier refusé', refused.map((e) => e.message).join(' '), refused);
  return out;
}

/** Writes the files (content-addressed folders, random names), returns their keys and a clean-up for failures. */
export async function storeFiles(dataDir: string, files: CheckedFile[]): Promise<{ keys: string[]; remove: () => Promise<void> }> {
  const keys: string[] = [];
  const remove = async () => {
    for (const k of keys) await rm(join(dataDir, k), { force: true });
  };
  try {
    for (const f of files) {
      const key = join('attachments', f.sha256.slice(0, 2), randomUUID());
      await mkdir(dirname(join(dataDir, key)), { recursive: true });
      await writeFile(join(dataDir, key), f.buffer, { mode: 0o640 });
      keys.push(key);
    }
  } catch (e) {
    await remove();
    throw e;
  }
  return { keys, remove };
}

/** The attachment rows; returns their timeline events, for the ticket's change to write (no agent: uploaded by the citizen). */
export async function insertAttachments(m: EntityManager, ticketId: string, files: CheckedFile[], keys: string[]): Promise<NewEvent[]> {
  const events: NewEvent[] = [];
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const [row] = await m.query(
      `INSERT INTO attachments (ticket_id, filename, mime_type, size, sha256, storage_key, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, NULL) RETURNING id`,
      [ticketId, f.filename, f.mimeType, f.size, f.sha256, keys[i]],
    );
    events.push({
      kind: 'attachment_added',
      data: { attachmentId: row.id, filename: f.filename, size: f.size, mimeType: f.mimeType, source: 'citizen' },
    });
  }
  return events;
}
