import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'grc-secret-'));

  it('seals and opens, with a fresh IV each time, and keeps its key file private', () => {
    const box = new SecretBox(dir, undefined);
    const a = box.seal('mot de passe IMAP é');
    const b = box.seal('mot de passe IMAP é');
    expect(a).not.toBe(b);
    expect(a).not.toContain('IMAP');
    expect(box.open(a)).toBe('mot de passe IMAP é');
    expect(new SecretBox(dir, undefined).open(b)).toBe('mot de passe IMAP é'); // same key file
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('refuses a tampered value and passes legacy clear values through', () => {
    const box = new SecretBox(dir, undefined);
    const sealed = box.seal('secret');
    const parts = sealed.split(':');
    parts[3] = Buffer.from('autre').toString('base64');
    expect(() => box.open(parts.join(':'))).toThrow();
    expect(box.open('ancien-mot-de-passe')).toBe('ancien-mot-de-passe');
    expect(box.open(null)).toBeNull();
  });

  it('takes GRC_SECRET_KEY when given, and refuses a key of the wrong size', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(new SecretBox(dir, key).open(new SecretBox(dir, key).seal('x'))).toBe('x');
    expect(() => new SecretBox(dir, Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
    // a value sealed under another key: a message an administrator can act on
    expect(() => new SecretBox(dir, Buffer.alloc(32, 8).toString('base64')).open(new SecretBox(dir, key).seal('x'))).toThrow(
      /GRC_SECRET_KEY .*changed/,
    );
  });
});
