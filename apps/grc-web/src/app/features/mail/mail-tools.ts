import { ChangeDetectionStrategy, Component, computed, effect, inject, input, output, signal } from '@angular/core';
import type { ReplyTemplate } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';

/**
 * The "modèle de réponse" picker of the composer and of the circuit's draft panel: lists the active reply templates — those written
 * for the ticket's category and department first (the API ranks them for the ticket: `fit`), then the general ones, then the
 * other services' — asks the API to fill
 * one with the ticket's values and emits the composer's new text (the agent reviews it before sending).
 * Text only: the result goes into a textarea, never into HTML.
 */
@Component({
  selector: 'grc-mail-tools',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './mail-tools.html',
})
export class MailTools {
  readonly ticketId = input.required<string>();
  /** the select's id (two pickers on one page: the composer's and the circuit's draft) */
  readonly controlId = input('reply-template');
  /** the composer's current text */
  readonly current = input<string>('');
  /** the composer's new text */
  readonly insert = output<string>();
  private readonly api = inject(Api);
  private readonly i18n = inject(I18n);
  protected readonly templates = signal<ReplyTemplate[]>([]);
  protected readonly notice = signal('');
  /** the picker's groups, in the API's order: for this request, general, other services' (empty groups left out) */
  protected readonly groups = computed(() => {
    const fitting = (x: ReplyTemplate) => x.fit === 'exact' || x.fit === 'category' || x.fit === 'department';
    const all = this.templates();
    return [
      { key: 'mail.templatesFitting' as const, list: all.filter(fitting) },
      { key: 'mail.templatesGeneral' as const, list: all.filter((x) => !fitting(x) && x.fit !== 'other') },
      { key: 'mail.templatesOther' as const, list: all.filter((x) => x.fit === 'other') },
    ].filter((g) => g.list.length);
  });
  protected t = (k: MsgKey, p?: Record<string, string | number>) => this.i18n.t(k, p);

  constructor() {
    effect(() => {
      this.ticketId();
      this.api
        .get<ReplyTemplate[]>('/mail/reply-templates', { ticketId: this.ticketId() })
        .subscribe({ next: (l) => this.templates.set(l.filter((x) => x.active)), error: () => this.templates.set([]) });
    });
  }

  protected pick(select: HTMLSelectElement): void {
    const tpl = this.templates().find((x) => x.id === select.value);
    select.value = '';
    if (!tpl) return;
    this.api.post<{ text: string }>(`/mail/reply-templates/${tpl.id}/render`, { ticketId: this.ticketId() }).subscribe({
      next: ({ text }) => {
        const before = this.current().trimEnd();
        this.insert.emit(before ? `${before}\n\n${text}` : text);
        this.notice.set(this.t('mail.templateInserted', { name: tpl.name }));
      },
    });
  }
}
