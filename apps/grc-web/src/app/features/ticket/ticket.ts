import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
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
  type PresenceState,
  type UpdateTicketRequest,
} from '@grc/domain';
import { Subscription, auditTime, filter } from 'rxjs';
import { API, Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n, type MsgKey } from '../../core/i18n';
import { isCircuitRefusal, workflowError } from '../workflows/workflow-errors';
import { localError, toUiError, type UiError } from '../../core/problem';
import { RefData } from '../../core/ref-data';
import { I18nTitleStrategy } from '../../core/title';
import { AgentPicker, type PickerOption } from '../../shared/agent-picker';
import { FORM_ERRORS } from '../../shared/form-errors';
import { CategoryFieldInputs, CategoryFieldValues, changedBody, draftOf, type FieldDraft } from '../../shared/category-fields';
import { DuplicatesPanel } from '../duplicates/duplicates-panel';
import { TicketPlace } from '../../shared/places/ticket-place';
import { WorkflowPanel } from '../workflows/workflow-panel';
import { SlaPanel } from '../sla/sla-panel';
import { slaEventBody, slaEventText } from '../sla/sla-timeline';
import { MailDeliveryBadge } from '../mail/mail-delivery';
import { MailTools } from '../mail/mail-tools';
import { LiveUpdates } from '../../core/live';
import { PresencePanel } from '../live/presence';
import { TicketLetters } from '../letters/ticket-letters';
import { refusedAttachments, timelineEntries, timelineWords } from './timeline-words';

type MessageKind = 'reply' | 'note' | 'public_note';
const NOBODY = '__nobody__';

@Component({
  selector: 'grc-ticket',
  imports: [
    FormsModule,
    RouterLink,
    WorkflowPanel,
    SlaPanel,
    DuplicatesPanel,
    TicketPlace,
    MailTools,
    MailDeliveryBadge,
    PresencePanel,
    TicketLetters,
    AgentPicker,
    CategoryFieldInputs,
    CategoryFieldValues,
    ...FORM_ERRORS,
  ],
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
  /** the ticket's category's own fields, shown and edited in their card */
  protected readonly categoryFields = computed(() => {
    const id = this.ticket()?.category.id;
    return this.categories().find((c) => c.id === id)?.fields ?? [];
  });
  protected readonly editingFields = signal(false);
  protected readonly fieldDraft = signal<FieldDraft>({});

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
  /** the composer has the focus (or a draft): presence says "writing" */
  protected readonly writing = signal(false);
  protected readonly presenceState = computed<PresenceState>(() =>
    this.writing() || this.body().trim() ? (this.kind() === 'reply' ? 'writing_reply' : 'writing_note') : 'viewing',
  );
  /** timeline entries that arrived since the page was read (live, or after a conflict) */
  protected readonly newEvents = signal<ReadonlySet<string>>(new Set());
  /** the action refused as stale (409), to reapply on the new version */
  private retry: (() => void) | null = null;
  protected readonly canReapply = signal(false);
  protected readonly live = inject(LiveUpdates);
  private readonly destroyRef = inject(DestroyRef);
  private liveSub?: Subscription;

  protected readonly timeline = computed(() => [...(this.ticket()?.timeline ?? [])].sort((a, b) => a.at.localeCompare(b.at)));
  /** the timeline in words: consecutive SLA recomputations grouped into one entry */
  protected readonly timelineItems = computed(() => timelineEntries(this.timeline()));
  /** the assignment picker's first option: the agent itself */
  protected readonly assignMe = computed<PickerOption[]>(() => {
    const me = this.auth.me();
    return me ? [{ value: me.id, label: this.t('ticket.me', { name: me.displayName }) }] : [];
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
      untracked(() => {
        this.load(id, false);
        this.follow(id);
      });
    });
  }

  /** Live: a change of this ticket (another agent, a circuit, an e-mail) re-reads it, the draft kept. */
  private follow(id: string): void {
    this.liveSub?.unsubscribe();
    this.liveSub = this.live
      .watch(`tickets/${id}`)
      .pipe(
        // presence is the presence panel's; a burst of changes is one re-read (the newest version wins)
        filter((e) => e.kind !== 'presence' && (e.kind === 'resync' || e.version > (this.ticket()?.version ?? 0))),
        auditTime(300),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe(() => {
        if (!this.busy()) this.refreshLive(id);
      });
  }

  private refreshLive(id: string): void {
    const before = new Set((this.ticket()?.timeline ?? []).map((e) => e.id));
    this.api.get<TicketDetail>(`/tickets/${id}`).subscribe({
      next: (tk) => {
        if (tk.id !== this.id()) return;
        const current = this.ticket();
        if (current && tk.version <= current.version) return;
        this.markNew(before, tk);
        this.setTicket(tk);
        this.notice.set(this.t('live.ticketUpdated'));
      },
      error: (err: unknown) => this.loadError.set(toUiError(err)),
    });
  }

  private markNew(before: ReadonlySet<string>, tk: TicketDetail): void {
    if (!before.size) return;
    this.newEvents.set(new Set(tk.timeline.filter((e) => !before.has(e.id)).map((e) => e.id)));
  }

  /** After a 409: the other change is shown (new entries marked), the draft kept; `reapply` sends mine on the new version. */
  protected seeChange(reapply = false): void {
    const before = new Set((this.ticket()?.timeline ?? []).map((e) => e.id));
    const retry = this.retry;
    this.api.get<TicketDetail>(`/tickets/${this.id()}`).subscribe({
      next: (tk) => {
        this.markNew(before, tk);
        this.setTicket(tk);
        this.conflict.set(false);
        this.actionError.set(null);
        this.canReapply.set(!reapply && !!retry);
        if (!reapply) this.retry = retry;
        this.notice.set(this.t('conflict.seen'));
        if (reapply && retry) {
          this.retry = null;
          retry();
        }
      },
      error: (err: unknown) => this.loadError.set(toUiError(err)),
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
    this.canReapply.set(false);
    this.retry = () => this.act(path, body, done, after, method);
    this.notice.set('');
    const payload = { ...body, version: tk.version };
    const req =
      method === 'post'
        ? this.api.post<TicketDetail>(`/tickets/${tk.id}${path}`, payload)
        : this.api.patch<TicketDetail>(`/tickets/${tk.id}`, payload);
    req.subscribe({
      next: (updated) => {
        this.busy.set(false);
        this.retry = null;
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

  protected editFields(): void {
    const tk = this.ticket();
    if (!tk) return;
    this.fieldDraft.set(draftOf(this.categoryFields(), tk.attributes ?? {}));
    this.editingFields.set(true);
    setTimeout(() =>
      document
        .querySelector<HTMLElement>(
          '[data-testid="ticket-fields-form"] input, [data-testid="ticket-fields-form"] select, [data-testid="ticket-fields-form"] textarea',
        )
        ?.focus(),
    );
  }

  protected cancelFields(): void {
    this.editingFields.set(false);
    this.actionError.set(null);
    setTimeout(() => document.getElementById('fields-edit')?.focus());
  }

  /** Only the values the agent changed (one change through PATCH /tickets/:id, audited, on the timeline). */
  protected saveFields(): void {
    const tk = this.ticket();
    if (!tk) return;
    const attributes = changedBody(this.categoryFields(), this.fieldDraft(), tk.attributes ?? {});
    if (!Object.keys(attributes).length) {
      this.notice.set(this.t('fields.unchanged'));
      this.editingFields.set(false);
      return;
    }
    this.act(
      '',
      { attributes },
      'fields.saved',
      () => {
        this.editingFields.set(false);
        setTimeout(() => document.getElementById('fields-edit')?.focus());
      },
      'patch',
    );
    this.redoWith(() => this.saveFields());
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
    // after a 409, "reapply" sends the draft as it is then: the agent may have merged the other change into it
    this.redoWith(() => this.send());
  }

  /** The stale action's retry re-runs `redo` (it reads the form as the agent left it) instead of resending the same body. */
  private redoWith(redo: () => void): void {
    if (this.busy()) this.retry = redo;
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

  /** An event's stored text, unless the console words the event itself (the SLA's, in the agent's language). */
  protected bodyOf(ev: TimelineEvent): string | null {
    if (refusedAttachments(ev)) return null; // worded by eventDetail
    return slaEventBody(ev, this.i18n);
  }

  /** What an entry says beyond its kind, in words: names of agents, departments and categories, never ids. */
  protected eventDetail(ev: TimelineEvent): string | null {
    const sla = slaEventText(ev, this.i18n);
    if (sla !== undefined) return sla;
    return timelineWords(ev, {
      i18n: this.i18n,
      departments: this.departments(),
      agents: this.agents(),
      categories: this.categories(),
    });
  }

  protected statusLabel(s: TicketStatus): string {
    return this.i18n.status(s);
  }
}
