import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { StoredFile } from './attachments.service';

/**
 * Streams a stored attachment as a download: its stored type, never rendered by the browser (attachment
 * disposition, nosniff from http-app), and a sandbox CSP in case it is opened anyway (an SVG or HTML
 * inside would run no script and reach nothing).
 */
export async function sendAttachment(res: Response, file: StoredFile): Promise<void> {
  res.setHeader('Content-Type', file.mimeType);
  res.setHeader('Content-Length', String(file.size));
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cache-Control', 'private, no-store');
  try {
    await pipeline(file.stream, res);
  } catch (e) {
    // the client went away mid-download (or the store failed): the status is already sent, nothing to answer
    if (!res.headersSent) throw e;
    res.destroy();
  } finally {
    file.stream.destroy(); // (pipeline destroys it on failure; a no-op once it ended)
  }
}
