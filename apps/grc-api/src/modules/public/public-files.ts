import { ProblemException, type FieldError } from '../../common/problem';
import { ALLOWED_TYPES, checkAttachment, safeFilename } from '../tickets/attachment-types';
import { sha256Hex, type CheckedFile, type UploadedFile } from '../tickets/attachments.service';

export const PUBLIC_MAX_FILES = 5;
export const ACCEPT = [...Object.keys(ALLOWED_TYPES), ...Object.values(ALLOWED_TYPES).flatMap((t) => t.extensions.map((e) => `.${e}`))];

export type { CheckedFile };

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
      sha256: sha256Hex(f.buffer),
    });
  }
  if (tooLarge.length)
    throw new ProblemException(413, 'Fichier trop volumineux', tooLarge.map((e) => e.message).join(' '), [...tooLarge, ...refused]);
  if (refused.length) throw new ProblemException(415, 'Type de fichier refusé', refused.map((e) => e.message).join(' '), refused);
  return out;
}
