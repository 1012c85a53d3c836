import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EntityManager } from 'typeorm';
import { hasPermission, splitPersonalChanges, type AuditChanges, type AuditEvent } from '@grc/domain';
import { badRequest, forbidden, notFound } from '../../common/problem';
import { actorId, type Actor } from '../auth/authenticated-agent';
import type { AuditExportQueryDto, AuditPage, AuditQueryDto } from './audit.dto';
import { AuditRepository, type AuditEventRow, type AuditSearch } from './audit.repository';

export type Changes = AuditChanges;
export interface AuditActor {
  actorId: string | null;
  actorLabel: string;
  ip: string | null;
}

export const auditActor = (actor: Actor): AuditActor => ({ actorId: actorId(actor), actorLabel: actor.agent.email, ip: actor.ip });

/** The fields whose value differs between two snapshots, as {field: {before, after}}. */
export function diff<T extends object>(before: Partial<T> | null, after: Partial<T> | null, fields: Array<keyof T>): Changes {
  const out: Changes = {};
  for (const f of fields) {
    const b = before ? (before[f] ?? null) : null;
    const a = after ? (after[f] ?? null) : null;
    const norm = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
    if (JSON.stringify(norm(b)) !== JSON.stringify(norm(a))) out[String(f)] = { before: norm(b), after: norm(a) };
  }
  return out;
}

/**
 * The reads of personal data that leave a trace (entity type: the action's first word). Lists (the
 * inbox, a search's results) are not audited row by row: what is opened is.
 */
export const READ_ACTIONS = {
  /** a ticket's detail (GET /tickets/:id) */
  'ticket.read': 'ticket',
  /** an attachment downloaded */
  'ticket.attachment.read': 'ticket',
  /** a reply by post downloaded as PDF (modules/letters) */
  'ticket.letter.read': 'ticket',
  /** a ticket read through its validation circuit (a participant of another department) */
  'ticket.circuit.read': 'ticket',
  /** a citizen's record */
  'citizen.read': 'citizen',
  /** a citizen's requests (their 360° view) */
  'citizen.tickets.read': 'citizen',
  /** a citizen's messages across their requests (360° view) */
  'citizen.messages.read': 'citizen',
  /** a page of the audit viewer */
  'audit.read': 'audit',
  /** the audit trail exported as CSV */
  'audit.export': 'audit',
} as const;
export type ReadAction = keyof typeof READ_ACTIONS;

/** The diff an audit event keeps of a change: personal fields as "changed" (their values go to the citizen's history). */
export const auditedChanges = (entityType: string, changes: Changes): Changes => splitPersonalChanges(entityType, changes).audited;

const toView = (r: AuditEventRow): AuditEvent => ({
  id: r.id,
  at: new Date(r.at).toISOString(),
  actorId: r.actor_id,
  actorLabel: r.actor_label,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  changes: r.changes,
  ip: r.ip,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const encodeCursor = (r: AuditEventRow) => Buffer.from(`${r.at_key}|${r.id}`).toString('base64url');
function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !at || !id || !/^\d{1,19}$/.test(id) || Number.isNaN(Date.parse(at)))
    throw badRequest('Ce curseur de page est invalide : repartez de la première page.', [
      { field: 'cursor', message: 'Curseur invalide.', code: 'invalid_cursor' },
    ]);
  return { at, id };
}

type Filters = Omit<AuditQueryDto, 'cursor' | 'limit'>;
const FILTER_KEYS = ['actorId', 'citizenId', 'ticketReference', 'action', 'entityType', 'entityId', 'from', 'to'] as const;
const filtersOf = (q: Filters): Array<[string, string]> =>
  FILTER_KEYS.flatMap((k) => (q[k] !== undefined && q[k] !== '' ? [[k, String(q[k])] as [string, string]] : []));

/**
 * Writes audit events with the caller's EntityManager, so that the event commits or rolls back
 * together with the change it describes; records the reads of personal data; searches and exports the
 * journal for the people allowed to (the whole journal: `rgpd` — the DPO, admins; heads: their
 * departments' tickets' events), and audits those reads too.
 */
@Injectable()
export class AuditService {
  constructor(private readonly events: AuditRepository) {}

  /**
   * A change. Personal fields of a citizen or a ticket (the registry, libs/domain/src/rgpd) are recorded
   * as "changed"; their values go to the citizen's own history (`citizen_revisions`, same transaction).
   */
  async record(
    manager: EntityManager,
    actor: AuditActor,
    action: string,
    entityType: string,
    entityId: string,
    changes: Changes,
  ): Promise<void> {
    const { audited, personal } = splitPersonalChanges(entityType, changes);
    await this.events.insert({ ...actor, action, entityType, entityId, changes: audited }, manager);
    if (Object.keys(personal).length && (entityType === 'citizen' || entityType === 'ticket'))
      await this.events.insertRevision({ entityType, entityId, actorId: actor.actorId, action, changes: personal }, manager);
  }

  /** The same action on many records, one event each, in one statement (a retention batch). */
  async recordMany(
    manager: EntityManager,
    actor: AuditActor,
    action: string,
    entityType: string,
    entries: ReadonlyArray<{ entityId: string; changes: Changes }>,
  ): Promise<void> {
    await this.events.insertMany(actor, action, entityType, entries, manager);
  }

  /**
   * A read of personal data: one row, written when the data is served (after the scope checks, so a
   * refused read leaves no "read" event). In the caller's transaction when it has one.
   */
  async recordRead(
    actor: AuditActor,
    action: ReadAction,
    entityId: string,
    detail: Record<string, unknown> = {},
    m?: EntityManager,
  ): Promise<void> {
    const changes: Changes = {};
    for (const [k, v] of Object.entries(detail)) changes[k] = { before: null, after: v };
    await this.events.insert({ ...actor, action, entityType: READ_ACTIONS[action], entityId, changes }, m);
  }

  /** The viewer's page, newest first; the read is audited with its filters. */
  async search(actor: Actor, q: AuditQueryDto): Promise<AuditPage> {
    const limit = q.limit ?? 50;
    const s = await this.scoped(actor, q, limit);
    if (q.cursor) s.after = decodeCursor(q.cursor);
    const rows = await this.events.search(s);
    const page = rows.slice(0, limit);
    await this.recordRead(auditActor(actor), 'audit.read', '*', { ...Object.fromEntries(filtersOf(q)), results: page.length });
    return { items: page.map(toView), next: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
  }

  /**
   * Every matching event as CSV (RFC 4180, UTF-8 with BOM for spreadsheets), streamed page by page
   * (keyset, 1,000 rows a query): the filters head the file as `#` lines. Audited before the first byte.
   */
  async exportCsv(actor: Actor, q: AuditExportQueryDto, res: Response): Promise<void> {
    const base = await this.scoped(actor, q, 1000);
    const filters = filtersOf(q);
    await this.recordRead(auditActor(actor), 'audit.export', '*', Object.fromEntries(filters));
    const events = this.events;
    async function* rows() {
      let after: AuditSearch['after'];
      for (;;) {
        const page = await events.search({ ...base, after });
        for (const r of page.slice(0, base.limit))
          yield [
            new Date(r.at).toISOString(),
            r.actor_id ?? '',
            r.actor_label,
            r.action,
            r.entity_type,
            r.entity_id,
            JSON.stringify(r.changes),
            r.ip ?? '',
          ];
        if (page.length <= base.limit) return;
        const last = page[base.limit - 1]!;
        after = { at: last.at_key!, id: last.id };
      }
    }
    const stamp = new Date().toISOString();
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-${stamp.slice(0, 10)}.csv"`);
    res.write(
      '\ufeff' +
        [
          `# audit_export generated_at=${stamp} by=${actor.agent.email}`,
          ...filters.map(([k, v]) => `# filter ${k}=${v.replace(/[\r\n]/g, ' ')}`),
        ].join('\r\n') +
        '\r\n',
    );
    await pipeline(
      Readable.from(rows()),
      stringify({
        header: true,
        columns: ['at', 'actor_id', 'actor_label', 'action', 'entity_type', 'entity_id', 'changes', 'ip'],
        record_delimiter: 'windows',
        escape_formulas: true,
      }),
      res,
    );
  }

  /**
   * The search the caller may run: the whole journal with `rgpd` (the DPO, admins); otherwise (heads)
   * only the events of tickets of their departments — a named ticket outside them answers 404, a
   * record of another kind 403, as before.
   */
  private async scoped(actor: Actor, q: Filters, limit: number): Promise<AuditSearch> {
    const agent = actor.agent;
    const whole = hasPermission(agent.role, 'rgpd', agent);
    if (!whole && q.entityType !== undefined && q.entityType !== 'ticket')
      throw forbidden(
        'Vous lisez le journal des demandes de vos services ; le reste du journal est réservé au DPO et aux administrateurs.',
      );
    const s: AuditSearch = {
      actorId: q.actorId,
      action: q.action,
      entityType: q.entityType,
      entityId: q.entityId,
      citizenId: q.citizenId,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      ticketDepartments: whole ? undefined : agent.visibleDepartmentIds,
      limit,
    };
    const visible = (t: { departmentId: string } | null) => t !== null && (whole || agent.visibleDepartmentIds.includes(t.departmentId));
    if (q.entityType === 'ticket' && q.entityId !== undefined) {
      const t = UUID.test(q.entityId) ? await this.events.ticket({ id: q.entityId }) : null;
      if (!visible(t)) throw notFound('Demande');
    }
    if (q.ticketReference !== undefined) {
      const t = await this.events.ticket({ reference: q.ticketReference.trim().toUpperCase() });
      if (!visible(t)) throw notFound('Demande');
      if (s.entityId !== undefined && s.entityId !== t!.id) s.entityId = '-';
      else Object.assign(s, { entityType: 'ticket', entityId: t!.id });
    }
    return s;
  }
}
