import { fieldLabel, isPriority, isTicketStatus, PRIORITIES, type CategoryField, type TimelineEvent } from '@grc/domain';
import type { I18n, MsgKey } from '../../core/i18n';

interface Named {
  id: string;
}
export interface TimelineContext {
  i18n: I18n;
  departments: ReadonlyArray<Named & { name: string }>;
  agents: ReadonlyArray<Named & { displayName: string }>;
  categories: ReadonlyArray<Named & { nameFr: string; nameEn: string; code?: string; fields?: readonly CategoryField[] }>;
}

/** One line of the timeline: an event, or several SLA recomputations in a row shown as one. */
export interface TimelineEntry {
  ev: TimelineEvent;
  /** the SLA recomputations this entry stands for (the last one is `ev`), when there were more than one */
  grouped: TimelineEvent[];
}

/** Consecutive `sla_changed` events become one entry (the latest, with the count): a policy re-applied does not flood the history. */
export function timelineEntries(events: readonly TimelineEvent[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const ev of events) {
    const last = out[out.length - 1];
    if (ev.kind === 'sla_changed' && last?.ev.kind === 'sla_changed') {
      last.grouped = [...(last.grouped.length ? last.grouped : [last.ev]), ev];
      last.ev = ev;
    } else out.push({ ev, grouped: [] });
  }
  return out;
}

/** The e-mail intake's note of the attachments it refused (data.refusedAttachments: file name and code), if it is one. */
export function refusedAttachments(ev: TimelineEvent): Array<{ filename: string; code: string | null }> | null {
  const list = ev.kind === 'note' ? (ev.data as Record<string, unknown> | null)?.['refusedAttachments'] : undefined;
  if (!Array.isArray(list)) return null;
  return list
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object' && typeof (r as { filename?: unknown }).filename === 'string')
    .map((r) => ({ filename: r['filename'] as string, code: typeof r['code'] === 'string' ? (r['code'] as string) : null }));
}
const REFUSAL_CODES = new Set(['file.too_large', 'file.empty', 'file.type']);

/** A priority as stored in events: its name or its rank. */
const priorityOf = (v: unknown) => (isPriority(v) ? v : typeof v === 'number' ? (PRIORITIES[v] ?? null) : null);

/** What an entry says beyond its kind, with names of agents, departments and categories instead of their ids. */
export function timelineWords(ev: TimelineEvent, ctx: TimelineContext): string | null {
  const { i18n } = ctx;
  const t = i18n.t;
  const d = ev.data ?? {};
  const named = (v: unknown, list: ReadonlyArray<Named>, label: (x: never) => string): string | null => {
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of ['name', 'displayName', 'nameFr', 'code']) if (typeof o[k] === 'string') return o[k] as string;
      if (typeof o['id'] === 'string') v = o['id'];
    }
    if (typeof v !== 'string') return null;
    const found = list.find((x) => x.id === v);
    return found ? label(found as never) : null;
  };
  const department = (v: unknown) => named(v, ctx.departments, (x: { name: string }) => x.name);
  const agent = (v: unknown) => named(v, ctx.agents, (x: { displayName: string }) => x.displayName);
  const category = (v: unknown) => named(v, ctx.categories, (x: { nameFr: string; nameEn: string }) => i18n.categoryName(x));
  const fromTo = (a: string | null, b: string | null) => (b ? t('timeline.fromTo', { from: a ?? '—', to: b }) : null);
  switch (ev.kind) {
    case 'status_changed':
      return isTicketStatus(d['to']) ? fromTo(isTicketStatus(d['from']) ? i18n.status(d['from']) : null, i18n.status(d['to'])) : null;
    case 'priority_changed': {
      const a = priorityOf(d['from']);
      const b = priorityOf(d['to']);
      return b ? fromTo(a ? i18n.priority(a) : null, i18n.priority(b)) : null;
    }
    case 'transferred':
      return fromTo(department(d['fromDepartment'] ?? d['from']), department(d['toDepartment'] ?? d['to']));
    case 'created':
      return department(d['departmentId']);
    case 'category_changed':
      return fromTo(category(d['fromCategory'] ?? d['from']), category(d['toCategory'] ?? d['to']));
    case 'assigned': {
      const to = d['assignee'] ?? d['to'];
      if (to === null || to === undefined) return t('timeline.unassigned');
      const name = agent(to);
      return name ? t('timeline.assignedTo', { name }) : null;
    }
    case 'attributes_changed': {
      // the codes changed, named by the fields' labels (the values are in the audit trail, not on the timeline)
      const codes = Array.isArray(d['codes']) ? (d['codes'] as unknown[]).filter((c): c is string => typeof c === 'string') : [];
      const label = (code: string) => {
        for (const c of ctx.categories) {
          const f = c.fields?.find((x) => x.code === code);
          if (f) return fieldLabel(f, i18n.lang());
        }
        return code;
      };
      return codes.length ? codes.map(label).join(', ') : null;
    }
    case 'note': {
      // the intake's own note: worded from the codes (its stored body is French, for other readers)
      const refused = refusedAttachments(ev);
      if (!refused) return null;
      const why = (code: string | null) => t(`timeline.refused.${code && REFUSAL_CODES.has(code) ? code.slice(5) : 'other'}` as MsgKey);
      return t('timeline.refusedAttachments', { list: refused.map((r) => `• ${r.filename} — ${why(r.code)}`).join('\n') });
    }
    case 'attachment_added':
      return typeof d['filename'] === 'string' ? d['filename'] : null;
    default:
      return null;
  }
}
