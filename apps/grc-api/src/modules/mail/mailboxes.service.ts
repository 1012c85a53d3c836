import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Mailbox, MailboxInput, QuarantinedMail } from '@grc/domain';
import { badRequest, conflict, notFound } from '../../common/problem';
import { AuditService, auditActor, type Changes } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { returning } from './sql';
import { SecretBox } from '../../common/secret-box';
import { GRC_CONFIG, GrcConfig } from '../../config/config';

const COLUMNS = `m.id, m.name, m.host, m.port, m.secure, m.username, (m.password IS NOT NULL AND m.password <> '') AS has_password, m.folder,
  m.processed_folder, m.category_id, m.department_id, m.poll_interval_seconds, m.active, m.last_poll_at, m.last_error,
  (SELECT count(*)::int FROM mail_imported i WHERE i.mailbox_id = m.id AND i.outcome IN ('ticket', 'reply')) AS imported_count`;

const toMailbox = (r: Record<string, unknown>): Mailbox => ({
  id: r['id'] as string,
  name: r['name'] as string,
  host: r['host'] as string,
  port: r['port'] as number,
  secure: r['secure'] as boolean,
  username: r['username'] as string,
  hasPassword: r['has_password'] as boolean,
  folder: r['folder'] as string,
  processedFolder: (r['processed_folder'] as string | null) ?? null,
  categoryId: r['category_id'] as string,
  departmentId: (r['department_id'] as string | null) ?? null,
  pollIntervalSeconds: r['poll_interval_seconds'] as number,
  active: r['active'] as boolean,
  lastPollAt: r['last_poll_at'] ? new Date(r['last_poll_at'] as Date).toISOString() : null,
  lastError: (r['last_error'] as string | null) ?? null,
  importedCount: (r['imported_count'] as number) ?? 0,
});

/** IMAP mailboxes (admins). The password is write-only: never returned, audited as changed/unchanged only. */
@Injectable()
export class MailboxesService {
  private readonly secrets: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    @Inject(GRC_CONFIG) config: GrcConfig,
  ) {
    this.secrets = new SecretBox(config.dataDir);
  }

  async list(): Promise<Mailbox[]> {
    return (await this.db.query(`SELECT ${COLUMNS} FROM mail_mailboxes m ORDER BY m.name`)).map(toMailbox);
  }

  async get(id: string): Promise<Mailbox> {
    const [r] = await this.db.query(`SELECT ${COLUMNS} FROM mail_mailboxes m WHERE m.id = $1`, [id]);
    if (!r) throw notFound('Boîte aux lettres');
    return toMailbox(r);
  }

  async save(actor: Actor, id: string | null, dto: MailboxInput): Promise<Mailbox> {
    const savedId = await this.db.transaction(async (m) => {
      const [cat] = await m.query(`SELECT id FROM categories WHERE id = $1 AND active`, [dto.categoryId]);
      if (!cat)
        throw badRequest('Catégorie inconnue ou désactivée.', [{ field: 'categoryId', message: 'Catégorie inconnue ou désactivée.' }]);
      if (dto.departmentId) {
        const [d] = await m.query(`SELECT id FROM departments WHERE id = $1 AND active`, [dto.departmentId]);
        if (!d) throw badRequest('Service inconnu ou désactivé.', [{ field: 'departmentId', message: 'Service inconnu ou désactivé.' }]);
      }
      const [dup] = await m.query(`SELECT id FROM mail_mailboxes WHERE lower(name) = lower($1) AND ($2::uuid IS NULL OR id <> $2)`, [
        dto.name.trim(),
        id,
      ]);
      if (dup) throw conflict('Une boîte porte déjà ce nom.', [{ field: 'name', message: 'Nom déjà utilisé.' }]);
      const values = [
        dto.name.trim(),
        dto.host.trim(),
        dto.port,
        dto.secure,
        dto.username.trim(),
        dto.folder.trim() || 'INBOX',
        dto.processedFolder?.trim() || null,
        dto.categoryId,
        dto.departmentId ?? null,
        dto.pollIntervalSeconds,
        dto.active,
      ];
      // stored sealed (AES-256-GCM): the poller needs it back, a database dump must not give it away
      const newPassword = dto.password ? this.secrets.seal(dto.password) : null;
      let before: Record<string, unknown> | null = null;
      let rowId: string;
      if (id) {
        [before] = await m.query(`SELECT * FROM mail_mailboxes WHERE id = $1 FOR UPDATE`, [id]);
        if (!before) throw notFound('Boîte aux lettres');
        // another server or account: the UIDs of the old one mean nothing there
        const moved = before['host'] !== values[1] || before['username'] !== values[4] || before['folder'] !== values[5];
        await m.query(
          `UPDATE mail_mailboxes SET name = $2, host = $3, port = $4, secure = $5, username = $6, folder = $7, processed_folder = $8,
             category_id = $9, department_id = $10, poll_interval_seconds = $11, active = $12, password = coalesce($13, password),
             uid_validity = CASE WHEN $14 THEN NULL ELSE uid_validity END, last_uid = CASE WHEN $14 THEN 0 ELSE last_uid END, updated_at = now()
           WHERE id = $1`,
          [id, ...values, newPassword, moved],
        );
        rowId = id;
      } else {
        if (!newPassword)
          throw badRequest('Le mot de passe est obligatoire.', [{ field: 'password', message: 'Mot de passe obligatoire.' }]);
        const [row] = await m.query(
          `INSERT INTO mail_mailboxes (name, host, port, secure, username, folder, processed_folder, category_id, department_id, poll_interval_seconds, active, password)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
          [...values, newPassword],
        );
        rowId = row.id;
      }
      const fields: Array<[string, string, unknown]> = [
        ['name', 'name', values[0]],
        ['host', 'host', values[1]],
        ['port', 'port', values[2]],
        ['secure', 'secure', values[3]],
        ['username', 'username', values[4]],
        ['folder', 'folder', values[5]],
        ['processedFolder', 'processed_folder', values[6]],
        ['categoryId', 'category_id', values[7]],
        ['departmentId', 'department_id', values[8]],
        ['pollIntervalSeconds', 'poll_interval_seconds', values[9]],
        ['active', 'active', values[10]],
      ];
      const changes: Changes = {};
      for (const [k, col, v] of fields) if (!before || before[col] !== v) changes[k] = { before: before?.[col] ?? null, after: v };
      if (newPassword) changes['password'] = { before: before ? '(secret)' : null, after: '(secret changé)' };
      await this.audit.record(m, auditActor(actor), id ? 'mail.mailbox.update' : 'mail.mailbox.create', 'mail_mailbox', rowId, changes);
      return rowId;
    });
    return this.get(savedId);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const [row] = await returning<{ name: string }>(m, `DELETE FROM mail_mailboxes WHERE id = $1 RETURNING name`, [id]);
      if (!row) throw notFound('Boîte aux lettres');
      await this.audit.record(m, auditActor(actor), 'mail.mailbox.delete', 'mail_mailbox', id, { name: { before: row.name, after: null } });
    });
  }

  /** Asks the worker to poll at its next tick. */
  async pollSoon(id: string): Promise<Mailbox> {
    const rows = await returning(this.db, `UPDATE mail_mailboxes SET last_poll_at = NULL WHERE id = $1 RETURNING id`, [id]);
    if (!rows.length) throw notFound('Boîte aux lettres');
    return this.get(id);
  }

  async quarantine(): Promise<QuarantinedMail[]> {
    const rows = await this.db.query(
      `SELECT q.id, q.mailbox_id, b.name AS mailbox_name, q.uid, q.message_key, q.from_address, q.subject, q.reason, q.size, q.truncated, q.created_at
       FROM mail_quarantine q LEFT JOIN mail_mailboxes b ON b.id = q.mailbox_id ORDER BY q.created_at DESC LIMIT 500`,
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r['id'] as string,
      mailboxId: (r['mailbox_id'] as string | null) ?? null,
      mailboxName: (r['mailbox_name'] as string | null) ?? null,
      uid: r['uid'] === null ? null : Number(r['uid']),
      messageId: (r['message_key'] as string | null) ?? null,
      fromAddress: (r['from_address'] as string | null) ?? null,
      subject: (r['subject'] as string | null) ?? null,
      reason: r['reason'] as string,
      size: r['size'] as number,
      truncated: r['truncated'] as boolean,
      createdAt: new Date(r['created_at'] as Date).toISOString(),
    }));
  }

  async quarantineRaw(id: string): Promise<Buffer> {
    const [r] = await this.db.query(`SELECT raw FROM mail_quarantine WHERE id = $1`, [id]);
    if (!r) throw notFound('Message en quarantaine');
    return r.raw as Buffer;
  }

  async deleteQuarantined(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const [row] = await returning<{ reason: string }>(m, `DELETE FROM mail_quarantine WHERE id = $1 RETURNING reason`, [id]);
      if (!row) throw notFound('Message en quarantaine');
      await this.audit.record(m, auditActor(actor), 'mail.quarantine.delete', 'mail_quarantine', id, {
        reason: { before: row.reason, after: null },
      });
    });
  }
}
