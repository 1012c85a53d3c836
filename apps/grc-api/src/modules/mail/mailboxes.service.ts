import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { QUARANTINE_REASON_CODES, type Mailbox, type MailboxInput, type QuarantineReasonCode, type QuarantinedMail } from '@grc/domain';
import { badRequest, conflict, notFound } from '../../common/problem';
import { AuditService, auditActor, type Changes } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { CategoriesRepository } from '../reference/categories.repository';
import { DepartmentsRepository } from '../reference/departments.repository';
import { MailIntakeRepository } from './intake.repository';
import { MailboxesRepository, type MailboxValues } from './mailboxes.repository';
import { SecretBox } from '../../common/secret-box';
import { GRC_CONFIG, GrcConfig } from '../../config/config';

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
    private readonly rows: MailboxesRepository,
    private readonly intake: MailIntakeRepository,
    private readonly categories: CategoriesRepository,
    private readonly departments: DepartmentsRepository,
  ) {
    this.secrets = new SecretBox(config.dataDir);
  }

  async list(): Promise<Mailbox[]> {
    return (await this.rows.list()).map(toMailbox);
  }

  async get(id: string): Promise<Mailbox> {
    const r = await this.rows.find(id);
    if (!r) throw notFound('Boîte aux lettres');
    return toMailbox(r);
  }

  async save(actor: Actor, id: string | null, dto: MailboxInput): Promise<Mailbox> {
    const savedId = await this.db.transaction(async (m) => {
      if (!(await this.categories.isActive(dto.categoryId, m)))
        throw badRequest('Catégorie inconnue ou désactivée.', [
          { field: 'categoryId', message: 'Catégorie inconnue ou désactivée.', code: 'category_unknown_or_inactive' },
        ]);
      if (dto.departmentId) {
        if (!(await this.departments.isActive(dto.departmentId, m)))
          throw badRequest('Service inconnu ou désactivé.', [
            { field: 'departmentId', message: 'Service inconnu ou désactivé.', code: 'department_unknown_or_inactive' },
          ]);
      }
      if (await this.rows.isNameTaken(m, dto.name.trim(), id))
        throw conflict('Une boîte porte déjà ce nom.', [{ field: 'name', message: 'Nom déjà utilisé.', code: 'name_taken' }]);
      const values: MailboxValues = [
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
        before = await this.rows.lock(m, id);
        if (!before) throw notFound('Boîte aux lettres');
        // another server or account: the UIDs of the old one mean nothing there
        const moved = before['host'] !== values[1] || before['username'] !== values[4] || before['folder'] !== values[5];
        await this.rows.update(m, id, values, newPassword, moved);
        rowId = id;
      } else {
        if (!newPassword)
          throw badRequest('Le mot de passe est obligatoire.', [
            { field: 'password', message: 'Mot de passe obligatoire.', code: 'required' },
          ]);
        rowId = await this.rows.insert(m, values, newPassword);
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
      const name = await this.rows.delete(m, id);
      if (name === null) throw notFound('Boîte aux lettres');
      await this.audit.record(m, auditActor(actor), 'mail.mailbox.delete', 'mail_mailbox', id, { name: { before: name, after: null } });
    });
  }

  /** Asks the worker to poll at its next tick. */
  async pollSoon(id: string): Promise<Mailbox> {
    if (!(await this.rows.pollSoon(id))) throw notFound('Boîte aux lettres');
    return this.get(id);
  }

  async quarantine(): Promise<QuarantinedMail[]> {
    const rows = await this.intake.quarantined();
    return rows.map((r) => ({
      id: r.id,
      mailboxId: r.mailbox_id ?? null,
      mailboxName: r.mailbox_name ?? null,
      uid: r.uid === null ? null : Number(r.uid),
      messageId: r.message_key ?? null,
      fromAddress: r.from_address ?? null,
      subject: r.subject ?? null,
      reasonCode: (QUARANTINE_REASON_CODES as readonly string[]).includes(r.reason_code)
        ? (r.reason_code as QuarantineReasonCode)
        : 'mail.import_failed',
      reasonParams: r.reason_params ?? {},
      size: r.size,
      truncated: r.truncated,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  async quarantineRaw(id: string): Promise<Buffer> {
    const raw = await this.intake.quarantinedRaw(id);
    if (!raw) throw notFound('Message en quarantaine');
    return raw;
  }

  async deleteQuarantined(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const reason = await this.intake.deleteQuarantined(m, id);
      if (reason === null) throw notFound('Message en quarantaine');
      await this.audit.record(m, auditActor(actor), 'mail.quarantine.delete', 'mail_quarantine', id, {
        reason: { before: reason, after: null },
      });
    });
  }
}
