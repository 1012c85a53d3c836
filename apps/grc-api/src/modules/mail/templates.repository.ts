import { preparedQuery } from '../../common/prepared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { MailEvent, MailLocale } from '@grc/domain';
import { returning } from '../../common/returning';

export interface ReplyTemplateRow {
  id: string;
  name: string;
  body: string;
  active: boolean;
  department_id: string | null;
  category_id: string | null;
  updated_at: Date;
}

/** What a reply template is saved with. */
export interface ReplyTemplateWrite {
  name: string;
  body: string;
  active: boolean;
  departmentId: string | null;
  categoryId: string | null;
}
type ReplyBefore = { name: string; body: string; active: boolean; department_id: string | null; category_id: string | null };

/** Every query on `mail_templates` (the admin's versions of the built-in e-mails) and `mail_reply_templates`. */
@Injectable()
export class MailTemplatesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Every template an admin wrote (the others are the built-in ones). */
  list(
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ event: MailEvent; locale: MailLocale; subject: string; body: string; updated_at: Date }>> {
    return m.query(`SELECT event, locale, subject, body, updated_at FROM mail_templates`);
  }

  /** The admin's template for the event and language; null: the built-in one applies. */
  async find(m: EntityManager, event: MailEvent, locale: MailLocale): Promise<{ subject: string; body: string } | null> {
    // prepared: every e-mail the product writes looks for its template
    const [row] = await preparedQuery<{ subject: string; body: string }>(
      m,
      `SELECT subject, body FROM mail_templates WHERE event = $1 AND locale = $2`,
      [event, locale],
    );
    return row ?? null;
  }

  async upsert(
    m: EntityManager,
    event: MailEvent,
    locale: MailLocale,
    input: { subject: string; body: string },
    by: string | null,
  ): Promise<void> {
    await m.query(
      `INSERT INTO mail_templates (event, locale, subject, body, updated_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (commune_id, event, locale) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body, updated_at = now(), updated_by = EXCLUDED.updated_by`,
      [event, locale, input.subject, input.body, by],
    );
  }

  // — reply templates

  replyTemplates(onlyActive: boolean, m: EntityManager = this.db.manager): Promise<ReplyTemplateRow[]> {
    return m.query(
      `SELECT id, name, body, active, department_id, category_id, updated_at FROM mail_reply_templates ${onlyActive ? 'WHERE active' : ''} ORDER BY name`,
    );
  }

  /** Whether another reply template (not `exceptId`) has this name, case aside. */
  async isReplyNameTaken(m: EntityManager, name: string, exceptId: string | null): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT id FROM mail_reply_templates WHERE lower(name) = lower($1) AND ($2::uuid IS NULL OR id <> $2)`,
      [name, exceptId],
    );
    return rows.length > 0;
  }

  async lockReply(m: EntityManager, id: string): Promise<ReplyBefore | null> {
    const [row] = await m.query(
      `SELECT name, body, active, department_id, category_id FROM mail_reply_templates WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row ?? null;
  }

  async updateReply(m: EntityManager, id: string, input: ReplyTemplateWrite): Promise<ReplyTemplateRow> {
    const [row] = await returning<ReplyTemplateRow>(
      m,
      `UPDATE mail_reply_templates SET name = $2, body = $3, active = $4, department_id = $5, category_id = $6, updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, input.name, input.body, input.active, input.departmentId, input.categoryId],
    );
    return row!;
  }

  async insertReply(m: EntityManager, input: ReplyTemplateWrite): Promise<ReplyTemplateRow> {
    const [row] = await m.query(
      `INSERT INTO mail_reply_templates (name, body, active, department_id, category_id) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [input.name, input.body, input.active, input.departmentId, input.categoryId],
    );
    return row;
  }

  /** Deletes it; its name, or null when there was none. */
  async deleteReply(m: EntityManager, id: string): Promise<string | null> {
    const [row] = await returning<{ name: string }>(m, `DELETE FROM mail_reply_templates WHERE id = $1 RETURNING name`, [id]);
    return row?.name ?? null;
  }

  async replyBody(id: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const [t] = await m.query(`SELECT body FROM mail_reply_templates WHERE id = $1`, [id]);
    return t?.body ?? null;
  }
}
