import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { QuarantineReasonCodes1763800003900 } from '../src/database/migrations/1763800003900-quarantine-reason-codes';

/**
 * Migration 1763800003900 gives the quarantine's rows written before it their reason's code, from the sentences
 * the e-mail intake used to store (the console words the code; the API no longer sends the sentence). Run in a
 * transaction on this file's database, rolled back: the columns removed (down), old rows written, up again.
 */
describe('quarantine reasons as codes (migration 1763800003900)', () => {
  let c: Client;
  const runner = () => ({ query: async (sql: string, params?: unknown[]) => (await c.query(sql, params)).rows }) as unknown as QueryRunner;

  beforeAll(async () => {
    c = new Client({ connectionString: process.env['DATABASE_URL'] });
    await c.connect();
  });
  afterAll(() => c.end());

  it('derives each old row’s code and parameters from its text', async () => {
    const migration = new QuarantineReasonCodes1763800003900();
    await c.query('BEGIN');
    try {
      await c.query(`SELECT set_config('grc.commune', (SELECT id::text FROM communes WHERE is_default), true)`);
      await migration.down(runner());
      const texts = [
        'Message trop volumineux (42 Mo).',
        'Message illisible : Unexpected end of input',
        'Message illisible.',
        'Expéditeur absent ou illisible (From).',
        'Adresse d’expéditeur invalide : pas une adresse.',
        'Import impossible : duplicate key value violates unique constraint',
        'une raison écrite à la main',
      ];
      for (const [i, t] of texts.entries())
        await c.query(`INSERT INTO mail_quarantine (reason, size, raw, subject) VALUES ($1, 1, '\\x00', $2)`, [t, `q-${i}`]);
      await migration.up(runner());
      const rows = await c.query(
        `SELECT subject, reason_code, reason_params FROM mail_quarantine WHERE subject LIKE 'q-%' ORDER BY subject`,
      );
      expect(rows.rows.map((r) => [r.reason_code, r.reason_params])).toEqual([
        ['mail.too_large', { mb: 42 }],
        ['mail.unreadable', { error: 'Unexpected end of input' }],
        ['mail.unreadable', { error: '' }],
        ['mail.no_sender', {}],
        ['mail.bad_sender', { address: 'pas une adresse' }],
        ['mail.import_failed', { error: 'duplicate key value violates unique constraint' }],
        ['mail.import_failed', { error: 'une raison écrite à la main' }],
      ]);
    } finally {
      await c.query('ROLLBACK');
    }
  });
});
