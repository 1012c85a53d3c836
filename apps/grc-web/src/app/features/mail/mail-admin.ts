import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import {
  MAIL_EVENTS,
  MAIL_LOCALES,
  type Mailbox,
  type MailboxInput,
  type MailEvent,
  type MailTemplate,
  type QuarantinedMail,
  type RenderedMail,
  type ReplyTemplate,
} from '@grc/domain';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { quarantineReason } from './quarantine-words';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

interface Named {
  id: string;
  name?: string;
  nameFr?: string;
  active?: boolean;
}
const emptyBox = (): MailboxInput => ({
  name: '',
  host: '',
  port: 993,
  secure: true,
  username: '',
  password: '',
  folder: 'INBOX',
  processedFolder: null,
  categoryId: '',
  departmentId: null,
  pollIntervalSeconds: 60,
  active: true,
});

/**
 * Admin page of the e-mail channel: IMAP mailboxes (password write-only), automatic e-mail templates
 * per event and language (variables listed, preview rendered by the API: the HTML preview is shown as
 * escaped source text, never injected), agents' reply templates, and the quarantine.
 */
@Component({
  selector: 'grc-mail-admin',
  imports: [FormsModule, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './mail-admin.html',
})
export class MailAdmin {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly mailboxes = signal<Mailbox[]>([]);
  protected readonly templates = signal<MailTemplate[]>([]);
  protected readonly replyTemplates = signal<ReplyTemplate[]>([]);
  protected readonly quarantine = signal<QuarantinedMail[]>([]);
  protected readonly categories = signal<Named[]>([]);
  protected readonly departments = signal<Named[]>([]);
  protected readonly box = signal<MailboxInput | null>(null);
  protected readonly boxId = signal<string | null>(null);
  protected readonly rendered = signal<RenderedMail | null>(null);
  protected readonly previewOf = signal('');
  protected newReply: { name: string; body: string; departmentId: string | null; categoryId: string | null } = {
    name: '',
    body: '',
    departmentId: null,
    categoryId: null,
  };
  protected readonly replyVars = ['citizenName', 'reference', 'subject', 'agentName', 'townName', 'category', 'department', 'status']
    .map((v) => `{{${v}}}`)
    .join(' ');
  protected readonly textFields: Array<{ key: keyof MailboxInput; label: MsgKey; type: string }> = [
    { key: 'name', label: 'mail.name', type: 'text' },
    { key: 'host', label: 'mail.host', type: 'text' },
    { key: 'port', label: 'mail.port', type: 'number' },
    { key: 'username', label: 'mail.username', type: 'text' },
    { key: 'password', label: 'mail.password', type: 'password' },
    { key: 'folder', label: 'mail.folder', type: 'text' },
    { key: 'processedFolder', label: 'mail.processedFolder', type: 'text' },
    { key: 'pollIntervalSeconds', label: 'mail.interval', type: 'number' },
  ];
  protected t = (k: MsgKey, p?: Record<string, string | number>) => this.i18n.t(k, p);
  protected readonly reasonOf = (q: QuarantinedMail) => quarantineReason(q, this.i18n);
  protected eventKey = (e: MailEvent) => `mail.event.${e}` as MsgKey;
  protected vars = (tpl: MailTemplate) => tpl.variables.map((v) => `{{${v}}}`).join(' ');

  constructor() {
    this.load();
    this.api.get<Named[]>('/categories').subscribe({ next: (l) => this.categories.set(l.filter((c) => c.active !== false)) });
    this.api.get<Named[]>('/departments').subscribe({ next: (l) => this.departments.set(l) });
  }

  private load(): void {
    const fail = (e: unknown) => this.error.set(toUiError(e));
    this.api.get<Mailbox[]>('/mail/mailboxes').subscribe({ next: (l) => this.mailboxes.set(l), error: fail });
    this.api.get<MailTemplate[]>('/mail/templates').subscribe({
      next: (l) =>
        this.templates.set(
          l.sort(
            (a, b) =>
              MAIL_EVENTS.indexOf(a.event) - MAIL_EVENTS.indexOf(b.event) ||
              MAIL_LOCALES.indexOf(a.locale) - MAIL_LOCALES.indexOf(b.locale),
          ),
        ),
      error: fail,
    });
    this.api.get<ReplyTemplate[]>('/mail/reply-templates').subscribe({ next: (l) => this.replyTemplates.set(l), error: fail });
    this.api.get<QuarantinedMail[]>('/mail/quarantine').subscribe({ next: (l) => this.quarantine.set(l), error: fail });
  }

  private done = () => {
    this.error.set(null);
    this.notice.set(this.t('mail.saved'));
    this.load();
  };
  private failed = (e: unknown) => this.error.set(toUiError(e));

  protected newBox(): void {
    this.boxId.set(null);
    this.box.set({ ...emptyBox(), categoryId: this.categories()[0]?.id ?? '' });
  }
  protected editBox(b: Mailbox): void {
    this.boxId.set(b.id);
    this.box.set({
      name: b.name,
      host: b.host,
      port: b.port,
      secure: b.secure,
      username: b.username,
      password: '',
      folder: b.folder,
      processedFolder: b.processedFolder,
      categoryId: b.categoryId,
      departmentId: b.departmentId,
      pollIntervalSeconds: b.pollIntervalSeconds,
      active: b.active,
    });
  }
  protected saveBox(): void {
    const d = this.box();
    if (!d) return;
    const body: MailboxInput = {
      ...d,
      port: Number(d.port),
      pollIntervalSeconds: Number(d.pollIntervalSeconds),
      processedFolder: d.processedFolder || null,
    };
    if (!body.password) delete body.password;
    const id = this.boxId();
    (id ? this.api.put<Mailbox>(`/mail/mailboxes/${id}`, body) : this.api.post<Mailbox>('/mail/mailboxes', body)).subscribe({
      next: () => {
        this.box.set(null);
        this.done();
      },
      error: this.failed,
    });
  }
  protected pollNow(b: Mailbox): void {
    this.api.post(`/mail/mailboxes/${b.id}/poll`, {}).subscribe({ next: this.done, error: this.failed });
  }
  protected deleteBox(b: Mailbox): void {
    this.api.delete(`/mail/mailboxes/${b.id}`).subscribe({ next: this.done, error: this.failed });
  }

  protected saveTemplate(tpl: MailTemplate): void {
    this.api
      .put(`/mail/templates/${tpl.event}/${tpl.locale}`, { subject: tpl.subject, body: tpl.body })
      .subscribe({ next: this.done, error: this.failed });
  }
  protected preview(tpl: MailTemplate): void {
    this.api.post<RenderedMail>('/mail/templates/preview', { event: tpl.event, subject: tpl.subject, body: tpl.body }).subscribe({
      next: (r) => {
        this.previewOf.set(tpl.event + tpl.locale);
        this.rendered.set(r);
        this.error.set(null);
      },
      error: this.failed,
    });
  }

  protected saveReply(rt: ReplyTemplate): void {
    this.api
      .put(`/mail/reply-templates/${rt.id}`, {
        name: rt.name,
        body: rt.body,
        active: rt.active,
        departmentId: rt.departmentId,
        categoryId: rt.categoryId,
      })
      .subscribe({ next: this.done, error: this.failed });
  }
  protected addReply(): void {
    this.api.post('/mail/reply-templates', this.newReply).subscribe({
      next: () => {
        this.newReply = { name: '', body: '', departmentId: null, categoryId: null };
        this.done();
      },
      error: this.failed,
    });
  }
  /** What a template is written for, in words (its department and/or category), for its summary line. */
  protected scopeOf(rt: ReplyTemplate): string {
    const dep = rt.departmentId ? this.departments().find((d) => d.id === rt.departmentId)?.name : null;
    const c = rt.categoryId ? this.categories().find((x) => x.id === rt.categoryId) : null;
    const cat = c ? this.i18n.categoryName({ nameFr: c.nameFr ?? '', nameEn: (c as { nameEn?: string }).nameEn ?? '' }) : null;
    return [dep, cat].filter(Boolean).join(' · ');
  }
  protected deleteReply(rt: ReplyTemplate): void {
    this.api.delete(`/mail/reply-templates/${rt.id}`).subscribe({ next: this.done, error: this.failed });
  }
  protected deleteQuarantined(q: QuarantinedMail): void {
    this.api.delete(`/mail/quarantine/${q.id}`).subscribe({ next: this.done, error: this.failed });
  }
}
