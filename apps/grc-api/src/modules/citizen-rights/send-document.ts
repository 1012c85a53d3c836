import type { Response } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Streams a produced document as a download (never cached: it is a person's data). */
export async function sendDocument(res: Response, type: string, filename: string, body: Readable): Promise<void> {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'private, no-store');
  try {
    await pipeline(body, res);
  } catch (e) {
    // the client went away mid-download (or a file could not be read): the status is already sent
    if (!res.headersSent) throw e;
    res.destroy();
  }
}
