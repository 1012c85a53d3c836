import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { loadConfig } from '../../config/config';
import { attachmentStoreFor, FilesystemAttachmentStore } from './attachment-store';
import { sha256Hex } from './attachments.service';

describe('AttachmentStore (filesystem)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'grc-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts bytes under attachments/<2 hex of the hash>/, opens them as a stream, deletes them', async () => {
    const store = new FilesystemAttachmentStore(join(dir, '.data')); // a dot-folder, as the quick start's
    const content = Buffer.from('Bonjour, voici la photo.');
    const key = await store.put(content, sha256Hex(content));
    expect(key).toMatch(new RegExp(`^attachments/${sha256Hex(content).slice(0, 2)}/[0-9a-f-]{36}$`));
    expect(statSync(join(dir, '.data', key)).mode & 0o777).toBe(0o640);
    expect(await text(await store.open(key))).toBe('Bonjour, voici la photo.');
    await store.delete(key);
    await expect(store.open(key)).rejects.toThrow(/ENOENT/);
    await store.delete(key); // already gone: nothing
  });

  it('never reads or deletes outside its folder, whatever the key', async () => {
    const store = new FilesystemAttachmentStore(dir);
    await expect(store.open('../etc/passwd')).rejects.toThrow(/outside the data folder/);
    await expect(store.delete('/etc/passwd')).rejects.toThrow(/outside the data folder/);
  });

  it('is chosen by GRC_ATTACHMENT_STORE (filesystem by default); an unknown store stops the start-up', () => {
    expect(attachmentStoreFor(loadConfig({ GRC_DATA_DIR: dir }))).toBeInstanceOf(FilesystemAttachmentStore);
    expect(loadConfig({ GRC_ATTACHMENT_STORE: 'filesystem' }).attachmentStore).toBe('filesystem');
    expect(() => loadConfig({ GRC_ATTACHMENT_STORE: 's3' })).toThrow(/GRC_ATTACHMENT_STORE="s3": must be one of filesystem/);
  });
});
