import { join } from 'node:path';

/**
 * What citizens send: photos, scans, PDFs, office documents. The declared type must be in this list,
 * the extension must agree with it, and the content — as recognised by `file-type` (magic numbers,
 * and for zip-based documents the archive's own declaration: `[Content_Types].xml` for OOXML, the
 * `mimetype` entry for OpenDocument) — must be of that type. So a script renamed photo.jpg, or any zip
 * renamed .docx, is refused.
 */
export const ALLOWED_TYPES: Record<string, { extensions: string[]; detectedAs?: string[] }> = {
  'application/pdf': { extensions: ['pdf'] },
  'image/jpeg': { extensions: ['jpg', 'jpeg'] },
  'image/png': { extensions: ['png'] },
  'image/gif': { extensions: ['gif'] },
  'image/webp': { extensions: ['webp'] },
  'text/plain': { extensions: ['txt'] },
  'application/vnd.oasis.opendocument.text': { extensions: ['odt'] },
  'application/vnd.oasis.opendocument.spreadsheet': { extensions: ['ods'] },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { extensions: ['docx'] },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { extensions: ['xlsx'] },
  // Word 97-2003 files are OLE compound files; file-type names the container, not its application
  'application/msword': { extensions: ['doc'], detectedAs: ['application/x-cfb'] },
};

export const ALLOWED_EXTENSIONS = Object.values(ALLOWED_TYPES).flatMap((t) => t.extensions);

type FileTypeModule = typeof import('file-type');
let fileType: FileTypeModule | undefined;
/**
 * file-type is ESM-only and this build is CommonJS (webpack, ts-jest). Node's own `require` loads ES
 * modules synchronously (Node ≥ 20.19, 22.12), so it is taken from the real `node:module`
 * (process.getBuiltinModule: neither webpack nor Jest's module registry, whose `require` cannot, stand in
 * between); resolved from this file, i.e. the repository's node_modules.
 */
function detector(): FileTypeModule {
  if (!fileType) {
    const from = typeof __filename === 'string' && __filename.startsWith('/') ? __filename : join(process.cwd(), 'index.js');
    fileType = process.getBuiltinModule('node:module').createRequire(from)('file-type') as FileTypeModule;
  }
  return fileType;
}

/** The content's type as file-type recognises it (undefined: no known signature, e.g. text). */
export async function detectType(content: Buffer): Promise<string | undefined> {
  return (await detector().fileTypeFromBuffer(content))?.mime;
}

/** null when acceptable, else the reason in French. Reads the whole content (zip entries may be anywhere). */
export async function checkAttachment(filename: string, mimeType: string, content: Buffer): Promise<string | null> {
  const type = ALLOWED_TYPES[mimeType];
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  if (!type) return `Type de fichier non accepté (${mimeType}). Formats acceptés : ${ALLOWED_EXTENSIONS.join(', ')}.`;
  if (!type.extensions.includes(ext)) return `L’extension « .${ext} » ne correspond pas au type ${mimeType}.`;
  const detected = await detectType(content);
  if (mimeType === 'text/plain') {
    if (detected || content.includes(0)) return 'Ce fichier texte contient des données binaires.';
    return null;
  }
  if (!detected || !(detected === mimeType || type.detectedAs?.includes(detected))) {
    return 'Le contenu du fichier ne correspond pas à son type déclaré.';
  }
  return null;
}

/** A file name safe to store and to send back in Content-Disposition. */
export const safeFilename = (name: string): string =>
  name
    .normalize('NFC')
    .replace(/[\\/"<>|:*?]|\p{Cc}/gu, '_')
    .replace(/^\.+/, '_')
    .slice(0, 200) || 'fichier';
