import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readEnvironment } from '../config/environment';

/**
 * Secrets the app must read back (a mailbox's IMAP password) are stored encrypted with AES-256-GCM,
 * so a database dump or backup does not give away the town's mail accounts. The key comes from
 * GRC_SECRET_KEY (32 bytes, base64) or, failing that, from `<data dir>/secret.key`, created on first
 * use with mode 0600: keep it out of database backups, and in the same place as the uploads.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(dataDir: string, envKey = readEnvironment().GRC_SECRET_KEY) {
    this.key = envKey ? Buffer.from(envKey, 'base64') : SecretBox.keyFile(join(dataDir, 'secret.key'));
    if (this.key.length !== 32) throw new Error('GRC_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32)');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  /**
   * HMAC-SHA256 of `value` under a key derived from the app's secret for one `purpose` (signed reply
   * addresses, …): one secret to keep, but a MAC made for one use is never valid for another.
   */
  mac(purpose: string, value: string): Buffer {
    const subkey = createHmac('sha256', this.key).update(`grc-mac:${purpose}`, 'utf8').digest();
    return createHmac('sha256', subkey).update(value, 'utf8').digest();
  }

  /** A value written before encryption existed (no `v1:` prefix) is returned as it is. */
  open(sealed: string | null): string | null {
    if (sealed === null || !sealed.startsWith('v1:')) return sealed;
    const [, iv, tag, data] = sealed.split(':') as [string, string, string, string];
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      // GCM's own message ("unable to authenticate data") would tell an administrator nothing
      throw new Error(
        'a stored secret cannot be decrypted with this key: GRC_SECRET_KEY (or <data dir>/secret.key) changed since it was saved; enter the password again in the administration',
      );
    }
  }

  private static keyFile(path: string): Buffer {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  }
}
