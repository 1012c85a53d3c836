import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  checkTemplate,
  DEFAULT_MAIL_TEMPLATES,
  MAIL_EVENT_VARIABLES,
  MAIL_EVENTS,
  MAIL_LOCALES,
  rankTemplates,
  REPLY_TEMPLATE_VARIABLES,
  renderMail,
  renderTemplate,
  type MailEvent,
  type MailLocale,
  type MailTemplate,
  type RenderedMail,
  type ReplyTemplate,
  type ReplyTemplateInput,
} from '@grc/domain';
import { badRequest, conflict, notFound } from '../../common/problem';
import { AuditService, auditActor } from '../audit/audit.service';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { TicketsService } from '../tickets/tickets.service';
import { CategoriesRepository } from '../reference/categories.repository';
import { DepartmentsRepository } from '../reference/departments.repository';
import { MailTemplatesRepository, type ReplyTemplateRow } from './templates.repository';

const toReplyTemplate = (r: ReplyTemplateRow): ReplyTemplate => ({
  id: r.id,
  name: r.name,
  body: r.body,
  active: r.active,
  departmentId: r.department_id,
  categoryId: r.category_id,
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** Sample values for previews: hostile on purpose, so an admin sees they stay text. */
export const PREVIEW_VARIABLES: Record<string, string> = {
  reference: 'GRC-2026-000123',
  subject: 'Nid de poule rue des Lilas',
  citizenName: 'Marie Dupont',
  townName: 'Mairie de Saint-Aubin',
  category: 'Nid de poule',
  department: 'Voirie',
  status: 'résolue',
  previousStatus: 'en cours de traitement',
  trackingUrl: 'https://www.saint-aubin.fr/suivi?ref=GRC-2026-000123&k=…',
  message: 'Bonjour,\n\nLe trou a été rebouché ce matin.',
  agentName: 'Julie Lefebvre',
  comment: 'Intervention réalisée le 3 mars.',
};

@Injectable()
export class MailTemplatesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly rows: MailTemplatesRepository,
    private readonly departments: DepartmentsRepository,
    private readonly categories: CategoriesRepository,
    private readonly tickets: TicketsService,
  ) {}

  async list(): Promise<MailTemplate[]> {
    const rows = await this.rows.list();
    return MAIL_EVENTS.flatMap((event) =>
      MAIL_LOCALES.map((locale) => {
        const row = rows.find((r) => r.event === event && r.locale === locale);
        const t = row ?? DEFAULT_MAIL_TEMPLATES[event][locale];
        return {
          event,
          locale,
          subject: t.subject,
          body: t.body,
          variables: [...MAIL_EVENT_VARIABLES[event]],
          updatedAt: row ? new Date(row.updated_at).toISOString() : null,
        };
      }),
    );
  }

  /** The template in force (the admin's, else the built-in one), in the caller's transaction. */
  async get(m: EntityManager, event: MailEvent, locale: MailLocale): Promise<{ subject: string; body: string }> {
    return this.resolve(await this.rows.find(m, event, locale), event, locale);
  }

  /** The town's template when it wrote one (`row`, read by the caller), else the built-in one of the language. */
  resolve(row: { subject: string; body: string } | null, event: MailEvent, locale: MailLocale): { subject: string; body: string } {
    return row ?? DEFAULT_MAIL_TEMPLATES[event][locale] ?? DEFAULT_MAIL_TEMPLATES[event].fr;
  }

  async update(actor: Actor, event: MailEvent, locale: MailLocale, input: { subject: string; body: string }): Promise<MailTemplate> {
    this.check(event, input);
    await this.db.transaction(async (m) => {
      const before = await this.get(m, event, locale);
      await this.rows.upsert(m, event, locale, input, actor.system ? null : actor.agent.id);
      await this.audit.record(m, auditActor(actor), 'mail.template.update', 'mail_template', `${event}.${locale}`, {
        subject: { before: before.subject, after: input.subject },
        body: { before: before.body, after: input.body },
      });
    });
    return (await this.list()).find((t) => t.event === event && t.locale === locale)!;
  }

  preview(event: MailEvent, input: { subject: string; body: string }): RenderedMail {
    this.check(event, input);
    return renderMail(input, { ...PREVIEW_VARIABLES, subject: PREVIEW_VARIABLES['subject'] + ' <b>&</b>' });
  }

  private check(event: MailEvent, input: { subject: string; body: string }): void {
    const problems = [
      ...checkTemplate(input.subject, MAIL_EVENT_VARIABLES[event]).map((p) => ({ field: 'subject', ...p })),
      ...checkTemplate(input.body, MAIL_EVENT_VARIABLES[event]).map((p) => ({ field: 'body', ...p })),
    ];
    if (problems.length) throw badRequest(problems.map((p) => p.message).join(' '), problems);
  }

  // — reply templates ('modèles de réponse') —

  /**
   * The reply templates (the active ones, all of them for an administrator); for a ticket the agent sees, ranked:
   * those written for its category and department first, then the general ones, the other services' last.
   */
  async replyTemplates(agent: AuthenticatedAgent, ticketId?: string): Promise<ReplyTemplate[]> {
    const scope = ticketId ? await this.tickets.scopeOf(agent, ticketId) : null;
    const list = (await this.rows.replyTemplates(agent.role !== 'admin' || scope !== null)).map(toReplyTemplate);
    return scope ? rankTemplates(list, scope) : list;
  }

  async saveReplyTemplate(actor: Actor, id: string | null, input: ReplyTemplateInput): Promise<ReplyTemplate> {
    const problems = checkTemplate(input.body, REPLY_TEMPLATE_VARIABLES);
    if (problems.length)
      throw badRequest(
        problems.map((p) => p.message).join(' '),
        problems.map((p) => ({ field: 'body', ...p })),
      );
    const write = {
      name: input.name.trim(),
      body: input.body,
      active: input.active ?? true,
      departmentId: input.departmentId ?? null,
      categoryId: input.categoryId ?? null,
    };
    const saved = await this.db.transaction(async (m) => {
      if (write.departmentId && !(await this.departments.isActive(write.departmentId, m)))
        throw badRequest('Service inconnu ou désactivé.', [
          { field: 'departmentId', message: 'Service inconnu ou désactivé.', code: 'department_unknown_or_inactive' },
        ]);
      if (write.categoryId && !(await this.categories.isActive(write.categoryId, m)))
        throw badRequest('Catégorie inconnue ou désactivée.', [
          { field: 'categoryId', message: 'Catégorie inconnue ou désactivée.', code: 'category_unknown_or_inactive' },
        ]);
      if (await this.rows.isReplyNameTaken(m, write.name, id))
        throw conflict('Un modèle de réponse porte déjà ce nom.', [{ field: 'name', message: 'Nom déjà utilisé.', code: 'name_taken' }]);
      let row;
      let before: Awaited<ReturnType<MailTemplatesRepository['lockReply']>> = null;
      if (id) {
        before = await this.rows.lockReply(m, id);
        if (!before) throw notFound('Modèle de réponse');
        row = await this.rows.updateReply(m, id, write);
      } else {
        row = await this.rows.insertReply(m, write);
      }
      await this.audit.record(
        m,
        auditActor(actor),
        id ? 'mail.reply_template.update' : 'mail.reply_template.create',
        'mail_reply_template',
        row.id,
        {
          name: { before: before?.name ?? null, after: row.name },
          body: { before: before?.body ?? null, after: row.body },
          active: { before: before?.active ?? null, after: row.active },
          departmentId: { before: before?.department_id ?? null, after: row.department_id },
          categoryId: { before: before?.category_id ?? null, after: row.category_id },
        },
      );
      return row;
    });
    return toReplyTemplate(saved);
  }

  async deleteReplyTemplate(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const name = await this.rows.deleteReply(m, id);
      if (name === null) throw notFound('Modèle de réponse');
      await this.audit.record(m, auditActor(actor), 'mail.reply_template.delete', 'mail_reply_template', id, {
        name: { before: name, after: null },
      });
    });
  }

  /** The template's text with the ticket's values (plain text: the composer shows it as text). */
  async renderReplyTemplate(id: string, vars: Record<string, string>): Promise<{ text: string }> {
    const body = await this.rows.replyBody(id);
    if (body === null) throw notFound('Modèle de réponse');
    return {
      text: renderTemplate(body, vars)
        .replace(/\n{3,}/g, '\n\n')
        .trim(),
    };
  }
}
