import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute } from '@angular/router';
import { TZDate } from '@date-fns/tz';
import type { AuditEvent, AuditFilters, AuditPage as Page } from '@grc/domain';
import { API, Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { AUDIT_ACTION_CODES } from './audit-i18n';
import { AgentPicker } from '../../shared/agent-picker';

const TOWN_TIME_ZONE = 'Europe/Paris';

interface Form {
  actorId: string;
  citizenId: string;
  ticketReference: string;
  action: string;
  from: string;
  to: string;
}
const EMPTY: Form = { actorId: '', citizenId: '', ticketReference: '', action: '', from: '', to: '' };

/** A day of the town (yyyy-mm-dd) to the instant it starts, Europe/Paris. */
const dayStart = (day: string, plusDays = 0): string => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d + plusDays, TOWN_TIME_ZONE).toISOString();
};

/**
 * The audit viewer (audit.read): the DPO and admins search the whole trail, heads their departments'
 * requests. Filters by agent, citizen, request, action and dates; older events page by page (keyset);
 * the same filters export as CSV. Opening it is itself audited by the API.
 */
@Component({
  selector: 'grc-audit',
  imports: [FormsModule, AgentPicker],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './audit.html',
})
export class AuditPage {
  private readonly api = inject(Api);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly actions = AUDIT_ACTION_CODES;
  protected readonly items = signal<AuditEvent[]>([]);
  protected readonly next = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<UiError | null>(null);
  protected readonly searched = signal(false);
  protected readonly exportHref = signal(`${API}/audit/export.csv`);
  protected form: Form = { ...EMPTY };
  private applied: AuditFilters = {};

  constructor() {
    const q = inject(ActivatedRoute).snapshot.queryParamMap;
    this.form = { ...EMPTY, citizenId: q.get('citizenId') ?? '', ticketReference: q.get('ticketReference') ?? '' };
    this.search();
  }

  protected search(): void {
    const f = this.form;
    this.applied = {
      actorId: f.actorId || undefined,
      citizenId: f.citizenId.trim() || undefined,
      ticketReference: f.ticketReference.trim() || undefined,
      action: f.action || undefined,
      from: f.from ? dayStart(f.from) : undefined,
      to: f.to ? dayStart(f.to, 1) : undefined,
    };
    const params = new URLSearchParams(Object.entries(this.applied).filter((e): e is [string, string] => !!e[1]));
    this.exportHref.set(`${API}/audit/export.csv${params.size ? `?${params}` : ''}`);
    this.load(null);
  }

  protected reset(): void {
    this.form = { ...EMPTY };
    this.search();
  }

  protected more(): void {
    this.load(this.next());
  }

  private load(cursor: string | null): void {
    this.loading.set(true);
    this.error.set(null);
    this.api.get<Page>('/audit', { ...this.applied, cursor, limit: 50 }).subscribe({
      next: (p) => {
        this.items.set(cursor ? [...this.items(), ...p.items] : p.items);
        this.next.set(p.next);
        this.loading.set(false);
        this.searched.set(true);
      },
      error: (e) => {
        this.error.set(toUiError(e));
        this.loading.set(false);
        if (!cursor) this.items.set([]);
      },
    });
  }

  /** An action's wording from its code; an unknown code is shown as it is. */
  protected action(code: string): string {
    return AUDIT_ACTION_CODES.includes(code) ? this.t(`audit.action.${code}` as MsgKey) : code;
  }
  protected entity(type: string): string {
    const key = `audit.entity.${type}` as MsgKey;
    const text = this.t(key);
    return text === key ? type : text;
  }
  protected changes(e: AuditEvent): Array<{ field: string; text: string }> {
    const show = (v: unknown): string =>
      v === 'changed' ? this.t('audit.changed') : v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
    return Object.entries(e.changes ?? {}).map(([field, c]) => ({
      field,
      text:
        c && typeof c === 'object' && 'after' in c
          ? c.before === null || c.before === undefined
            ? show(c.after)
            : `${show(c.before)} → ${show(c.after)}`
          : show(c),
    }));
  }
}
