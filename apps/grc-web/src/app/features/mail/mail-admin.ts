import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import {
  MAIL_EVENTS, MAIL_LOCALES,
  type Mailbox, type MailboxInput, type MailEvent, type MailTemplate, type QuarantinedMail, type RenderedMail, type ReplyTemplate,
} from '@grc/domain';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

interface Named { id: string; name?: string; nameFr?: string; active?: boolean }
const emptyBox = (): MailboxInput => ({
  name: '', host: '', port: 993, secure: true, username: '', password: '', folder: 'INBOX', processedFolder: null,
  categoryId: '', departmentId: null, pollIntervalSeconds: 60, active: true,
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
  template: `
    <h2>{{ t('admin.mail') }}</h2>
    <grc-error-alert [error]="error()" />
    <p class="live" role="status" aria-live="polite">{{ notice() }}</p>

    <section class="card" aria-labelledby="mb-h">
      <h3 id="mb-h">{{ t('mail.mailboxes') }}</h3>
      <p class="muted">{{ t('mail.mailboxesHint') }}</p>
      <div class="table-wrap"><table class="data">
        <caption class="sr-only">{{ t('mail.mailboxes') }}</caption>
        <thead><tr><th scope="col">{{ t('mail.name') }}</th><th scope="col">{{ t('mail.host') }}</th><th scope="col">{{ t('mail.username') }}</th>
          <th scope="col">{{ t('mail.lastPoll') }}</th><th scope="col">{{ t('common.actions') }}</th></tr></thead>
        <tbody>
          @for (b of mailboxes(); track b.id) {
            <tr>
              <th scope="row">{{ b.name }} @if (!b.active) { <span class="muted">({{ t('common.inactive') }})</span> }</th>
              <td class="mono">{{ b.host }}:{{ b.port }} · {{ b.folder }}</td>
              <td>{{ b.username }}</td>
              <td>{{ b.lastPollAt ? i18n.dateTime(b.lastPollAt) : '—' }} · {{ t('mail.imported', { count: b.importedCount }) }}
                @if (b.lastError) { <br /><small class="danger">{{ b.lastError }}</small> }</td>
              <td>
                <button type="button" class="btn btn-secondary btn-small" (click)="editBox(b)">{{ t('mail.edit') }}<span class="sr-only"> {{ b.name }}</span></button>
                <button type="button" class="btn btn-secondary btn-small" (click)="pollNow(b)">{{ t('mail.pollNow') }}</button>
                <button type="button" class="btn btn-secondary btn-small" (click)="deleteBox(b)">{{ t('mail.delete') }}</button>
              </td>
            </tr>
          } @empty { <tr><td colspan="5">{{ t('admin.empty') }}</td></tr> }
        </tbody>
      </table></div>
      @if (box(); as d) {
        <form (ngSubmit)="saveBox()" novalidate class="mail-form">
          @for (f of textFields; track f.key) {
            <div class="field">
              <label [for]="'mb-' + f.key">{{ t(f.label) }}</label>
              <input [id]="'mb-' + f.key" [name]="f.key" [type]="f.type" [attr.autocomplete]="f.key === 'password' ? 'new-password' : null"
                [(ngModel)]="$any(d)[f.key]" grcField="{{ f.key }}" [grcErrors]="error()" />
              @if (f.key === 'password' && boxId()) { <p class="muted">{{ t('mail.passwordKept') }}</p> }
              <grc-field-error [errors]="error()" [field]="f.key" [controlId]="'mb-' + f.key" />
            </div>
          }
          <div class="field"><label><input type="checkbox" name="secure" [(ngModel)]="d.secure" /> {{ t('mail.secure') }}</label></div>
          <div class="field"><label><input type="checkbox" name="active" [(ngModel)]="d.active" /> {{ t('mail.active') }}</label></div>
          <div class="field">
            <label for="mb-cat">{{ t('mail.category') }}</label>
            <select id="mb-cat" name="categoryId" [(ngModel)]="d.categoryId">
              @for (c of categories(); track c.id) { <option [value]="c.id">{{ c.nameFr }}</option> }
            </select>
            <grc-field-error [errors]="error()" field="categoryId" controlId="mb-cat" />
          </div>
          <div class="field">
            <label for="mb-dep">{{ t('mail.department') }}</label>
            <select id="mb-dep" name="departmentId" [(ngModel)]="d.departmentId">
              <option [ngValue]="null">—</option>
              @for (x of departments(); track x.id) { <option [ngValue]="x.id">{{ x.name }}</option> }
            </select>
          </div>
          <button type="submit" class="btn btn-primary">{{ t('mail.save') }}</button>
          <button type="button" class="btn btn-secondary" (click)="box.set(null)">{{ t('mail.cancel') }}</button>
        </form>
      } @else {
        <p><button type="button" class="btn btn-primary" (click)="newBox()">{{ t('mail.add') }}</button></p>
      }
    </section>

    <section class="card" aria-labelledby="tpl-h">
      <h3 id="tpl-h">{{ t('mail.templates') }}</h3>
      @for (tpl of templates(); track tpl.event + tpl.locale) {
        <details>
          <summary>{{ t(eventKey(tpl.event)) }} — {{ tpl.locale.toUpperCase() }}</summary>
          <form (ngSubmit)="saveTemplate(tpl)" novalidate>
            <div class="field">
              <label [for]="'tpl-s-' + tpl.event + tpl.locale">{{ t('mail.subject') }}</label>
              <input [id]="'tpl-s-' + tpl.event + tpl.locale" name="subject" [(ngModel)]="tpl.subject" />
            </div>
            <div class="field">
              <label [for]="'tpl-b-' + tpl.event + tpl.locale">{{ t('mail.body') }}</label>
              <textarea [id]="'tpl-b-' + tpl.event + tpl.locale" name="body" rows="8" [(ngModel)]="tpl.body"></textarea>
              <p class="muted">{{ t('mail.variables', { list: vars(tpl) }) }}</p>
            </div>
            <button type="submit" class="btn btn-primary">{{ t('mail.save') }}</button>
            <button type="button" class="btn btn-secondary" (click)="preview(tpl)">{{ t('mail.preview') }}</button>
          </form>
          @if (previewOf() === tpl.event + tpl.locale && rendered(); as r) {
            <div class="card mail-preview">
              <p><strong>{{ r.subject }}</strong></p>
              <pre>{{ r.text }}</pre>
            </div>
          }
        </details>
      }
    </section>

    <section class="card" aria-labelledby="rt-h">
      <h3 id="rt-h">{{ t('mail.replyTemplates') }}</h3>
      <p class="muted">{{ t('mail.variables', { list: replyVars }) }}</p>
      @for (rt of replyTemplates(); track rt.id) {
        <details>
          <summary>{{ rt.name }} @if (!rt.active) { <span class="muted">({{ t('common.inactive') }})</span> }</summary>
          <form (ngSubmit)="saveReply(rt)" novalidate>
            <div class="field"><label [for]="'rt-n-' + rt.id">{{ t('mail.name') }}</label><input [id]="'rt-n-' + rt.id" name="name" [(ngModel)]="rt.name" /></div>
            <div class="field"><label [for]="'rt-b-' + rt.id">{{ t('mail.body') }}</label><textarea [id]="'rt-b-' + rt.id" name="body" rows="6" [(ngModel)]="rt.body"></textarea></div>
            <div class="field"><label><input type="checkbox" name="active" [(ngModel)]="rt.active" /> {{ t('mail.active') }}</label></div>
            <button type="submit" class="btn btn-primary">{{ t('mail.save') }}</button>
            <button type="button" class="btn btn-secondary" (click)="deleteReply(rt)">{{ t('mail.delete') }}</button>
          </form>
        </details>
      }
      <form (ngSubmit)="addReply()" novalidate>
        <div class="field"><label for="rt-new-n">{{ t('mail.name') }}</label><input id="rt-new-n" name="name" [(ngModel)]="newReply.name" /></div>
        <div class="field"><label for="rt-new-b">{{ t('mail.body') }}</label><textarea id="rt-new-b" name="body" rows="4" [(ngModel)]="newReply.body"></textarea></div>
        <button type="submit" class="btn btn-primary">{{ t('mail.add') }}</button>
      </form>
    </section>

    <section class="card" aria-labelledby="q-h">
      <h3 id="q-h">{{ t('mail.quarantine') }}</h3>
      <p class="muted">{{ t('mail.quarantineHint') }}</p>
      <div class="table-wrap"><table class="data">
        <caption class="sr-only">{{ t('mail.quarantine') }}</caption>
        <thead><tr><th scope="col">{{ t('mail.lastPoll') }}</th><th scope="col">{{ t('mail.subject') }}</th><th scope="col">{{ t('mail.reason') }}</th><th scope="col">{{ t('common.actions') }}</th></tr></thead>
        <tbody>
          @for (q of quarantine(); track q.id) {
            <tr>
              <td>{{ i18n.dateTime(q.createdAt) }} · {{ q.mailboxName ?? '—' }}</td>
              <td>{{ q.subject ?? '—' }}<br /><small class="muted">{{ q.fromAddress ?? '' }}</small></td>
              <td>{{ q.reason }}</td>
              <td>
                <a class="btn btn-secondary btn-small" [href]="'/api/v1/mail/quarantine/' + q.id + '/raw'" download>{{ t('mail.download') }}</a>
                <button type="button" class="btn btn-secondary btn-small" (click)="deleteQuarantined(q)">{{ t('mail.delete') }}</button>
              </td>
            </tr>
          } @empty { <tr><td colspan="4">{{ t('mail.quarantineEmpty') }}</td></tr> }
        </tbody>
      </table></div>
    </section>
  `,
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
  protected newReply = { name: '', body: '' };
  protected readonly replyVars = ['citizenName', 'reference', 'subject', 'agentName', 'townName', 'category', 'department', 'status'].map((v) => `{{${v}}}`).join(' ');
  protected readonly textFields: Array<{ key: keyof MailboxInput; label: MsgKey; type: string }> = [
    { key: 'name', label: 'mail.name', type: 'text' }, { key: 'host', label: 'mail.host', type: 'text' },
    { key: 'port', label: 'mail.port', type: 'number' }, { key: 'username', label: 'mail.username', type: 'text' },
    { key: 'password', label: 'mail.password', type: 'password' }, { key: 'folder', label: 'mail.folder', type: 'text' },
    { key: 'processedFolder', label: 'mail.processedFolder', type: 'text' }, { key: 'pollIntervalSeconds', label: 'mail.interval', type: 'number' },
  ];
  protected t = (k: MsgKey, p?: Record<string, string | number>) => this.i18n.t(k, p);
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
      next: (l) => this.templates.set(l.sort((a, b) => MAIL_EVENTS.indexOf(a.event) - MAIL_EVENTS.indexOf(b.event) || MAIL_LOCALES.indexOf(a.locale) - MAIL_LOCALES.indexOf(b.locale))),
      error: fail,
    });
    this.api.get<ReplyTemplate[]>('/mail/reply-templates').subscribe({ next: (l) => this.replyTemplates.set(l), error: fail });
    this.api.get<QuarantinedMail[]>('/mail/quarantine').subscribe({ next: (l) => this.quarantine.set(l), error: fail });
  }

  private done = () => { this.error.set(null); this.notice.set(this.t('mail.saved')); this.load(); };
  private failed = (e: unknown) => this.error.set(toUiError(e));

  protected newBox(): void { this.boxId.set(null); this.box.set({ ...emptyBox(), categoryId: this.categories()[0]?.id ?? '' }); }
  protected editBox(b: Mailbox): void {
    this.boxId.set(b.id);
    this.box.set({ name: b.name, host: b.host, port: b.port, secure: b.secure, username: b.username, password: '', folder: b.folder,
      processedFolder: b.processedFolder, categoryId: b.categoryId, departmentId: b.departmentId, pollIntervalSeconds: b.pollIntervalSeconds, active: b.active });
  }
  protected saveBox(): void {
    const d = this.box();
    if (!d) return;
    const body: MailboxInput = { ...d, port: Number(d.port), pollIntervalSeconds: Number(d.pollIntervalSeconds), processedFolder: d.processedFolder || null };
    if (!body.password) delete body.password;
    const id = this.boxId();
    (id ? this.api.put<Mailbox>(`/mail/mailboxes/${id}`, body) : this.api.post<Mailbox>('/mail/mailboxes', body))
      .subscribe({ next: () => { this.box.set(null); this.done(); }, error: this.failed });
  }
  protected pollNow(b: Mailbox): void { this.api.post(`/mail/mailboxes/${b.id}/poll`, {}).subscribe({ next: this.done, error: this.failed }); }
  protected deleteBox(b: Mailbox): void { this.api.delete(`/mail/mailboxes/${b.id}`).subscribe({ next: this.done, error: this.failed }); }

  protected saveTemplate(tpl: MailTemplate): void {
    this.api.put(`/mail/templates/${tpl.event}/${tpl.locale}`, { subject: tpl.subject, body: tpl.body }).subscribe({ next: this.done, error: this.failed });
  }
  protected preview(tpl: MailTemplate): void {
    this.api.post<RenderedMail>('/mail/templates/preview', { event: tpl.event, subject: tpl.subject, body: tpl.body }).subscribe({
      next: (r) => { this.previewOf.set(tpl.event + tpl.locale); this.rendered.set(r); this.error.set(null); }, error: this.failed,
    });
  }

  protected saveReply(rt: ReplyTemplate): void {
    this.api.put(`/mail/reply-templates/${rt.id}`, { name: rt.name, body: rt.body, active: rt.active }).subscribe({ next: this.done, error: this.failed });
  }
  protected addReply(): void {
    this.api.post('/mail/reply-templates', this.newReply).subscribe({ next: () => { this.newReply = { name: '', body: '' }; this.done(); }, error: this.failed });
  }
  protected deleteReply(rt: ReplyTemplate): void { this.api.delete(`/mail/reply-templates/${rt.id}`).subscribe({ next: this.done, error: this.failed }); }
  protected deleteQuarantined(q: QuarantinedMail): void { this.api.delete(`/mail/quarantine/${q.id}`).subscribe({ next: this.done, error: this.failed }); }
}
