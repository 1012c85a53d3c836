import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { Location } from '@angular/common';
import { RouterLink } from '@angular/router';
import {
  PRIORITIES,
  isPriority,
  isTicketStatus,
  type Citizen,
  type Priority,
  type TicketDetail,
  type TicketStatus,
  type TicketSummary,
  type TimelineEvent,
  type UpdateTicketRequest,
} from '@grc/domain';
import { Subscription } from 'rxjs';
import { API, Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n, type MsgKey } from '../../core/i18n';
import { isCircuitRefusal, workflowError } from '../workflows/workflow-errors';
import { localError, toUiError, type UiError } from '../../core/problem';
import { RefData } from '../../core/ref-data';
import { I18nTitleStrategy } from '../../core/title';
import { FORM_ERRORS } from '../../shared/form-errors';
import { DuplicatesPanel } from '../duplicates/duplicates-panel';
import { TicketPlace } from '../../shared/places/ticket-place';
import { WorkflowPanel } from '../workflows/workflow-panel';
import { SlaPanel } from '../sla/sla-panel';
import { MailDeliveryBadge } from '../mail/mail-delivery';
import { MailTools } from '../mail/mail-tools';

type MessageKind = 'reply' | 'note' | 'public_note';
const NOBODY = '__nobody__';

function nameOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['name', 'displayName', 'nameFr', 'code']) if (typeof o[k] === 'string') return o[k] as string;
  }
  return null;
}

@Component({
  selector: 'grc-ticket',
  imports: [FormsModule, RouterLink, WorkflowPanel, SlaPanel, DuplicatesPanel, TicketPlace, MailTools, MailDeliveryBadge, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './ticket.html',
})
export class TicketPage {
  /** route param, bound by the router */
  readonly id = input.required<string>();

  private readonly api = inject(Api);
  private readonly titles = inject(I18nTitleStrategy);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  private readonly ref = inject(RefData);
  protected readonly priorities = PRIORITIES;
  protected readonly NOBODY = NOBODY;
  protected readonly categories = toSignal(this.ref.categories(), { initialValue: [] });
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });
  private readonly agents = toSignal(this.ref.agents(), { initialValue: [] });

  protected readonly ticket = signal<TicketDetail | null>(null);
  protected readonly loading = signal(false);
  protected readonly loadError = signal<UiError | null>(null);
  protected readonly actionError = signal<UiError | null>(null);
  protected readonly conflict = signal(false);
  protected readonly busy = signal(false);
  protected readonly notice = signal('');
  /** reference shown prominently right after creation */
  protected readonly justCreated = signal(false);
  /** attachments that could not be uploaded right after creation */
  protected readonly uploadFailed = signal<string[]>([]);

  protected readonly citizen = signal<Citizen | null>(null);
  protected readonly citizenTickets = signal<TicketSummary[]>([]);

  // action forms
  protected readonly newStatus = signal<string>('');
  protected readonly statusComment = signal('');
  protected readonly assigneeId = signal<string>('');
  protected readonly transferDept = signal<string>('');
  protected readonly transferReason = signal('');
  protected readonly priority = signal<string>('');
  protected readonly categoryId = signal<string>('');
  protected readonly kind = signal<MessageKind>('reply');
  /** a validation circuit applies: replies to the citizen are drafted in the circuit panel, not sent from here */
  protected readonly underCircuit = signal(false);

  protected onCircuit(active: boolean): void {
    this.underCircuit.set(active);
    if (active) this.kind.set('note');
  }
  protected readonly body = signal('');
  protected readonly file = signal<File | null>(null);

  protected readonly timeline = computed(() => [...(this.ticket()?.timeline ?? [])].sort((a, b) => a.at.localeCompare(b.at)));
  protected readonly assignable = computed(() => {
    const tk = this.ticket();
    const me = this.auth.me();
    if (!tk) return [];
    return this.agents().filter((a) => a.active !== false && a.id !== me?.id && a.departmentIds.includes(tk.department.id));
  });
  protected readonly transferTargets = computed(() => {
    const tk = this.ticket();
    return this.departments().filter((d) => d.active && d.id !== tk?.department.id);
  });
  protected readonly otherTickets = computed(() => this.citizenTickets().filter((x) => x.id !== this.ticket()?.id));

  private sub?: Subscription;
  private citizenSub?: Subscription;

  constructor() {
    const state = inject(Location).getState() as { created?: boolean; uploadFailed?: string[] } | null;
    this.justCreated.set(!!state?.created);
    this.uploadFailed.set(Array.isArray(state?.uploadFailed) ? state.uploadFailed : []);
    effect(() => {
      const id = this.id();
      untracked(() => this.load(id, false));
    });
  }

  protected reload(): void {
    this.load(this.id(), true);
  }

  private load(id: string, announce: boolean): void {
    this.sub?.unsubscribe();
    this.loading.set(true);
    this.loadError.set(null);
    this.sub = this.api.get<TicketDetail>(`/tickets/${id}`).subscribe({
      next: (tk) => {
        this.loading.set(false);
        this.conflict.set(false);
        this.actionError.set(null);
        this.setTicket(tk);
        if (announce) this.notice.set(this.t('ticket.done.reload'));
      },
      error: (err: unknown) => {
        this.loading.set(false);
        this.ticket.set(null);
        this.loadError.set(toUiError(err));
      },
    });
  }

  private setTicket(tk: TicketDetail): void {
    const previousCitizen = this.ticket()?.citizen?.id ?? null;
    this.ticket.set(tk);
    this.titles.setDetail(tk.reference);
    this.newStatus.set(tk.allowedStatuses[0] ?? '');
    this.priority.set(tk.priority);
    this.categoryId.set(tk.category.id);
    if (!this.assigneeId()) this.assigneeId.set(this.auth.me()?.id ?? '');
    const citizenId = tk.citizen?.id ?? null;
    if (citizenId !== previousCitizen || !this.citizen()) this.loadCitizen(citizenId);
  }

  private loadCitizen(id: string | null): void {
    this.citizenSub?.unsubscribe();
    this.citizen.set(null);
    this.citizenTickets.set([]);
    if (!id) return;
    this.citizenSub = this.api.get<Citizen>(`/citizens/${id}`).subscribe({
      next: (c) => this.citizen.set(c),
      error: () => this.citizen.set(null),
    });
    this.citizenSub.add(
      // need-to-know: only the requests of departments the agent may see, and nothing about the others
      this.api.get<TicketSummary[]>(`/citizens/${id}/tickets`).subscribe({
        next: (items) => this.citizenTickets.set(items),
        error: () => this.citizenTickets.set([]),
      }),
    );
  }

  /** Every action sends the version last read; the answer is the updated ticket. */
  private act(path: string, body: Record<string, unknown>, done: MsgKey, after?: () => void, method: 'post' | 'patch' = 'post'): void {
    const tk = this.ticket();
    if (!tk || this.busy()) return;
    this.busy.set(true);
    this.actionError.set(null);
    this.conflict.set(false);
    this.notice.set('');
    const payload = { ...body, version: tk.version };
    const req =
      method === 'post'
        ? this.api.post<TicketDetail>(`/tickets/${tk.id}${path}`, payload)
        : this.api.patch<TicketDetail>(`/tickets/${tk.id}`, payload);
    req.subscribe({
      next: (updated) => {
        this.busy.set(false);
        this.setTicket(updated);
        this.notice.set(this.t(done));
        after?.();
      },
      error: (err: unknown) => {
        this.busy.set(false);
        // a circuit's refusal (workflow_running…) is worded in the agent's language and needs no reload
        const e = workflowError(err, this.i18n);
        this.conflict.set(e.status === 409 && !isCircuitRefusal(err));
        this.actionError.set(e);
      },
    });
  }

  protected changeStatus(): void {
    const status = this.newStatus();
    if (!isTicketStatus(status)) {
      this.actionError.set(localError({ status: this.t('common.formHasErrors') }));
      return;
    }
    const comment = this.statusComment().trim();
    this.act('/status', comment ? { status, comment } : { status }, 'ticket.done.status', () => this.statusComment.set(''));
  }

  protected assign(toMe = false): void {
    const me = this.auth.me();
    const value = toMe ? (me?.id ?? '') : this.assigneeId();
    if (!value) return;
    this.act('/assign', { assigneeId: value === NOBODY ? null : value }, 'ticket.done.assign');
  }

  protected transfer(): void {
    const fields: Record<string, string> = {};
    if (!this.transferDept()) fields['departmentId'] = this.t('common.fieldRequired');
    if (!this.transferReason().trim()) fields['reason'] = this.t('common.fieldRequired');
    if (Object.keys(fields).length) {
      this.actionError.set(localError(fields));
      return;
    }
    this.act('/transfer', { departmentId: this.transferDept(), reason: this.transferReason().trim() }, 'ticket.done.transfer', () => {
      this.transferReason.set('');
      this.transferDept.set('');
    });
  }

  protected reclassify(): void {
    const tk = this.ticket();
    if (!tk) return;
    const body: Omit<UpdateTicketRequest, 'version'> = {};
    const p = this.priority();
    if (isPriority(p) && p !== tk.priority) body.priority = p as Priority;
    if (this.categoryId() && this.categoryId() !== tk.category.id) body.categoryId = this.categoryId();
    if (!Object.keys(body).length) return;
    this.act('', body as Record<string, unknown>, 'ticket.done.update', undefined, 'patch');
  }

  protected send(): void {
    const text = this.body().trim();
    if (!text) {
      this.actionError.set(localError({ body: this.t('common.fieldRequired') }));
      return;
    }
    const kind = this.kind();
    const done = kind === 'reply' ? 'ticket.done.reply' : kind === 'public_note' ? 'ticket.done.publicNote' : 'ticket.done.note';
    this.act('/messages', { kind, body: text }, done, () => this.body.set(''));
  }

  protected pickFile(event: Event): void {
    const input = event.target as HTMLInputElement;
    this.file.set(input.files?.[0] ?? null);
  }

  protected upload(fileInput: HTMLInputElement): void {
    const tk = this.ticket();
    const file = this.file();
    if (!tk || !file || this.busy()) return;
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('version', String(tk.version));
    this.busy.set(true);
    this.actionError.set(null);
    this.api.post<TicketDetail>(`/tickets/${tk.id}/attachments`, form).subscribe({
      next: (updated) => {
        this.busy.set(false);
        this.setTicket(updated);
        this.file.set(null);
        fileInput.value = '';
        this.notice.set(this.t('ticket.done.upload'));
      },
      error: (err: unknown) => {
        this.busy.set(false);
        const e = toUiError(err);
        this.conflict.set(e.status === 409);
        this.actionError.set(e);
      },
    });
  }

  protected attachmentUrl(attachmentId: string): string {
    return `${API}/tickets/${this.ticket()?.id}/attachments/${attachmentId}`;
  }

  protected eventDetail(ev: TimelineEvent): string | null {
    const d = ev.data ?? {};
    const from = d['from'];
    const to = d['to'];
    switch (ev.kind) {
      case 'status_changed':
        if (isTicketStatus(to))
          return this.t('timeline.fromTo', { from: isTicketStatus(from) ? this.i18n.status(from) : '—', to: this.i18n.status(to) });
        return null;
      case 'priority_changed':
        if (isPriority(to))
          return this.t('timeline.fromTo', { from: isPriority(from) ? this.i18n.priority(from) : '—', to: this.i18n.priority(to) });
        return null;
      case 'transferred': {
        const a = nameOf(d['fromDepartment']) ?? nameOf(from);
        const b = nameOf(d['toDepartment']) ?? nameOf(to);
        return b ? this.t('timeline.fromTo', { from: a ?? '—', to: b }) : null;
      }
      case 'category_changed': {
        const a = nameOf(d['fromCategory']) ?? nameOf(from);
        const b = nameOf(d['toCategory']) ?? nameOf(to);
        return b ? this.t('timeline.fromTo', { from: a ?? '—', to: b }) : null;
      }
      case 'assigned': {
        const who = nameOf(d['assignee']) ?? nameOf(d['to']) ?? nameOf(d['assigneeName']);
        return who;
      }
      case 'attachment_added':
        return nameOf(d['filename']);
      default:
        return null;
    }
  }

  protected statusLabel(s: TicketStatus): string {
    return this.i18n.status(s);
  }
}
