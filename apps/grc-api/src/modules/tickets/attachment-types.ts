/**
 * What citizens send: photos, scans, PDFs, office documents. The declared type must be in this list
 * and the first bytes must agree with it, so a script renamed photo.jpg is refused.
 */
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];
export const ALLOWED_TYPES: Record<string, { extensions: string[]; magic: number[][] | null }> = {
  'application/pdf': { extensions: ['pdf'], magic: [[0x25, 0x50, 0x44, 0x46]] },
  'image/jpeg': { extensions: ['jpg', 'jpeg'], magic: [[0xff, 0xd8, 0xff]] },
  'image/png': { extensions: ['png'], magic: [[0x89, 0x50, 0x4e, 0x47]] },
  'image/gif': { extensions: ['gif'], magic: [[0x47, 0x49, 0x46, 0x38]] },
  'image/webp': { extensions: ['webp'], magic: [[0x52, 0x49, 0x46, 0x46]] },
  'text/plain': { extensions: ['txt'], magic: null },
  'application/vnd.oasis.opendocument.text': { extensions: ['odt'], magic: [ZIP] },
  'application/vnd.oasis.opendocument.spreadsheet': { extensions: ['ods'], magic: [ZIP] },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { extensions: ['docx'], magic: [ZIP] },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { extensions: ['xlsx'], magic: [ZIP] },
  'application/msword': { extensions: ['doc'], magic: [OLE] },
};

export const ALLOWED_EXTENSIONS = Object.values(ALLOWED_TYPES).flatMap((t) => t.extensions);

/** null when acceptable, else the reason in French. */
export function checkAttachment(filename: string, mimeType: string, head: Buffer): string | null {
  const type = ALLOWED_TYPES[mimeType];
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  if (!type) return `Type de fichier non accepté (${mimeType}). Formats acceptés : ${ALLOWED_EXTENSIONS.join(', ')}.`;
  if (!type.extensions.includes(ext)) return `L’extension « .${ext} » ne correspond pas au type ${mimeType}.`;
  if (type.magic && !type.magic.some((sig) => sig.every((b, i) => head[i] === b))) {
    return 'Le contenu du fichier ne correspond pas à son type déclaré.';
  }
  if (mimeType === 'text/plain' && head.includes(0)) return 'Ce fichier texte contient des données binaires.';
  return null;
}

/** A file name safe to store and to send back in Content-Disposition. */
export const safeFilename = (name: string): string =>
  name.normalize('NFC').replace(/[\\/"<>|:*?]|\p{Cc}/gu, '_').replace(/^\.+/, '_').slice(0, 200) || 'fichier';
