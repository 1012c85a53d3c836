import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { GrcConfig } from '../../config/config';

/**
 * Where the attachments' bytes live (their metadata and history are rows: `attachments`, the timeline).
 * Every channel stores through this seam (agents' uploads, the public form and tracking page, e-mail
 * intake) and downloads read through it, so that another store (object storage) is one new class and
 * one value of GRC_ATTACHMENT_STORE, without touching the services. A key is opaque to the callers:
 * they keep it in `attachments.storage_key` and give it back.
 */
export interface AttachmentStore {
  /** Keeps the bytes; answers the key to give back to open/delete. `sha256` (hex) is the content's hash. */
  put(content: Buffer, sha256: string): Promise<string>;
  /** The stored bytes as a stream (the caller pipes it, and destroys it on failure); throws when they are not there. */
  open(key: string): Promise<Readable>;
  /** Forgets the bytes (a failed transaction's files, an erasure); nothing when they are already gone. */
  delete(key: string): Promise<void>;
  /**
   * Every key stored before `before` (the retention purge's sweep: bytes whose row is gone — a crash between an
   * erasure's commit and its files' removal — are found and removed; younger ones may belong to an upload whose
   * row is not committed yet).
   */
  keysBefore(before: Date): AsyncIterable<string>;
}

export const ATTACHMENT_STORE = Symbol('ATTACHMENT_STORE');

/**
 * The files under the data folder (GRC_DATA_DIR): `attachments/<first two hex of the sha256>/<random uuid>`,
 * mode 0640. Opened by this process (not by Express's `send`, which refuses any path through a dot-folder
 * such as the quick start's `.data`), so that every data folder works.
 */
export class FilesystemAttachmentStore implements AttachmentStore {
  private readonly root: string;
  constructor(dataDir: string) {
    this.root = resolve(dataDir);
  }

  async put(content: Buffer, sha256: string): Promise<string> {
    const key = join('attachments', sha256.slice(0, 2), randomUUID());
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, { mode: 0o640 });
    return key;
  }

  async open(key: string): Promise<Readable> {
    const handle = await open(this.path(key), 'r');
    return handle.createReadStream(); // closes the file when it ends or is destroyed
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async *keysBefore(before: Date): AsyncIterable<string> {
    const top = join(this.root, 'attachments');
    const shards = await readdir(top).catch(() => [] as string[]);
    for (const shard of shards.sort()) {
      const names = await readdir(join(top, shard)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const info = await stat(join(top, shard, name)).catch(() => null);
        if (info?.isFile() && info.mtime < before) yield join('attachments', shard, name);
      }
    }
  }

  /** A key never leaves the data folder (keys come from our rows, but a restored row is still data). */
  private path(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`attachment key outside the data folder: ${key}`);
    return path;
  }
}

/** The store GRC_ATTACHMENT_STORE names (config.attachmentStore). */
export function attachmentStoreFor(config: Pick<GrcConfig, 'attachmentStore' | 'dataDir'>): AttachmentStore {
  switch (config.attachmentStore) {
    case 'filesystem':
      return new FilesystemAttachmentStore(config.dataDir);
  }
}
