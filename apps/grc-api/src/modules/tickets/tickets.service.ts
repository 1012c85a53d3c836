import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  allowedTransitions, decideAssignment, decideStatusChange, decideTransfer, formatReference, priorityRank,
  routeTicket, validateMessageBody, type Channel, type Priority, type Refusal, type RoutingRuleData, type TicketDetail, type TimelineEventKind,
} from '@grc/domain';
import { preparedQuery } from '../../common/prepared';
import { badRequest, notFound, ProblemException, staleTicket } from '../../common/problem';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { TicketEntity } from '../../database/entities';
import { AuditService, auditActor, diff, type AuditActor, type Changes } from '../audit/audit.service';
import { actorId, type Actor, type AuthenticatedAgent } from '../auth/authenticated-agent';
import { TicketChangeHooks } from './ticket-change.hooks';
import { CitizensService } from '../citizens/citizens.service';
import { InboxCountersScheduler } from '../worker/inbox-counters.scheduler';
import { canSeeDepartment } from './ticket-access';
import type { AssignDto, CreateTicketDto, MessageDto, StatusChangeDto, TransferDto, UpdateTicketDto } from './ticket.dto';
import { SUMMARY_COLUMNS, SUMMARY_JOINS, SummaryRow, toSummary } from './ticket-view';

/** A domain refusal becomes a 400 naming its field, or a 409 when the ticket's state forbids it. */
export const refusal = (r: Refusal, status = 400) =>
  new ProblemException(status, status === 409 ? 'Action impossible' : 'Requête invalide', r.message, [
    { field: r.field ?? '', message: r.message, code: r.code },
  ]);

export interface CreationContext {
  id: string; active: boolean; default_department_id: string; rules: RoutingRuleData[];
  citizen_id: string | null; prefix: string; year: number; n: string;
}

export interface NewEvent { kind: TimelineEventKind; body?: string | null; data?: Record<string, unknown> }

/** What a channel knows of a new request; `createIn` decides the rest. */
export interface NewTicket {
  channel: Channel;
  categoryId: string;
  subject: string;
  description: string;
  priority?: Priority;
  citizenId: string | null;
  address?: string | null;
  location?: { lat: number; lng: number } | null;
  /** the category's own fields (Open311 attributes, public form) */
  attributes?: Record<string, unknown>;
  /** a department the channel decided (a mailbox's target); routing decides otherwise */
  departmentId?: string | null;
  /** more data for the 'created' timeline event (source, mailbox, sender…) */
  eventData?: Record<string, unknown>;
  /** who the audit trail names when it is not the actor (a citizen through the public form) */
  auditActor?: AuditActor;
}
export interface Mutation { set: Partial<Record<keyof TicketEntity, unknown>>; events: NewEvent[]; action: string }

const AUDITED_FIELDS: Array<keyof TicketEntity> = [
  'status', 'priority', 'categoryId', 'departmentId', 'assigneeId', 'subject', 'resolvedAt', 'closedAt',
];
const COLUMN: Partial<Record<keyof TicketEntity, string>> = {
  status: 'status', priority: 'priority', categoryId: 'category_id', departmentId: 'department_id',
  assigneeId: 'assignee_id', subject: 'subject', resolvedAt: 'resolved_at', closedAt: 'closed_at',
};

@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    private readonly audit: AuditService,
    private readonly citizens: CitizensService,
    private readonly counters: InboxCountersScheduler,
    private readonly hooks: TicketChangeHooks,
  ) {}

  async create(actor: Actor, dto: CreateTicketDto): Promise<TicketDetail> {
    if (dto.citizenId && dto.newCitizen) {
      throw badRequest('Choisissez un citoyen existant ou créez-en un, pas les deux.', [
        { field: 'newCitizen', message: 'À laisser vide quand citizenId est donné.' },
      ]);
    }
    if ((dto.latitude == null) !== (dto.longitude == null)) {
      throw badRequest('La position demande une latitude et une longitude.', [
        { field: dto.latitude == null ? 'latitude' : 'longitude', message: 'Donnez les deux coordonnées, ou aucune.' },
      ]);
    }
    const id = await this.db.transaction(async (m) => {
      const citizenId = dto.newCitizen ? (await this.citizens.createIn(m, actor, dto.newCitizen, 'newCitizen')).id : dto.citizenId ?? null;
      const location = dto.latitude != null && dto.longitude != null ? { lat: dto.latitude, lng: dto.longitude } : null;
      return (await this.createIn(m, actor, {
        channel: dto.channel, categoryId: dto.categoryId, subject: dto.subject, description: dto.description,
        priority: dto.priority, citizenId, address: dto.address, location,
      })).id;
    });
    void this.counters.requestRecompute();
    return this.detail(actor.agent, id, { skipScope: true });
  }

  /**
   * The one way a ticket is born, whatever the channel (agent entry, public form, e-mail, Open311),
   * inside the caller's transaction: routing (unless the channel names the department), public
   * reference, the row, its 'created' event and its audit event, then the channel's own rows
   * (`beforeHooks`: attachments, tracking key…) and the change listeners (SLA clocks, e-mails).
   * Two round trips before the listeners: one query gathers the category, its routing rules, the
   * citizen, the town's prefix and year and the next number; one statement writes ticket, event, audit.
   */
  async createIn(
    m: EntityManager, actor: Actor, input: NewTicket,
    beforeHooks?: (ticket: { id: string; reference: string; departmentId: string }) => Promise<NewEvent[]>,
  ): Promise<{ id: string; reference: string; departmentId: string }> {
    const [ctx] = await preparedQuery<CreationContext>(m,
      `WITH town AS (
         SELECT coalesce((SELECT reference_prefix FROM town_settings), 'GRC') AS prefix,
                extract(year FROM now() AT TIME ZONE coalesce((SELECT timezone FROM town_settings), 'Europe/Paris'))::int AS year)
       SELECT c.id, c.active, c.default_department_id,
         coalesce((SELECT json_agg(json_build_object('id', r.id, 'categoryId', r.category_id, 'departmentId', r.department_id,
           'areaName', r.area_name, 'area', r.area, 'position', r.position) ORDER BY r.position, r.id)
           FROM routing_rules r WHERE r.category_id = c.id), '[]'::json) AS rules,
         (SELECT id FROM citizens WHERE id = $2::uuid) AS citizen_id,
         town.prefix, town.year, grc_next_ticket_number(town.year) AS n
       FROM categories c, town WHERE c.id = $1`,
      [input.categoryId, input.citizenId ?? null],
    );
    if (!ctx) throw badRequest('Catégorie inconnue.', [{ field: 'categoryId', message: 'Catégorie inconnue.' }]);
    if (!ctx.active) throw badRequest('Cette catégorie est désactivée.', [{ field: 'categoryId', message: 'Catégorie désactivée.' }]);
    if (input.citizenId && !ctx.citizen_id) throw badRequest('Citoyen inconnu.', [{ field: 'citizenId', message: 'Citoyen inconnu.' }]);

    const departmentId = input.departmentId
      ?? routeTicket(ctx.rules, ctx.default_department_id, { categoryId: input.categoryId, location: input.location ?? null }).departmentId;
    const reference = formatReference(ctx.prefix, ctx.year, Number(ctx.n));
    const subject = input.subject.trim();
    const priority = input.priority ?? 'normal';
    const attributes = input.attributes ?? {};
    const changes: Changes = {
      reference: { before: null, after: reference }, channel: { before: null, after: input.channel },
      categoryId: { before: null, after: input.categoryId }, departmentId: { before: null, after: departmentId },
      citizenId: { before: null, after: input.citizenId ?? null }, subject: { before: null, after: subject },
      priority: { before: null, after: priority },
      ...(Object.keys(attributes).length ? { attributes: { before: null, after: attributes } } : {}),
    };
    const created: NewEvent = { kind: 'created', data: { channel: input.channel, departmentId, ...input.eventData } };
    const audit = input.auditActor ?? auditActor(actor);
    const [row] = await preparedQuery<{ id: string }>(m,
      `WITH t AS (
         INSERT INTO tickets (reference, channel, category_id, department_id, citizen_id, subject, description,
           address, latitude, longitude, priority, status, created_by, attributes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'new', $12, $17) RETURNING id),
       e AS (INSERT INTO ticket_events (ticket_id, kind, actor_id, data) SELECT id, 'created', $12, $13 FROM t),
       a AS (INSERT INTO audit_events (actor_id, actor_label, action, entity_type, entity_id, changes, ip)
             SELECT $18, $14, 'ticket.create', 'ticket', id::text, $15, $16 FROM t)
       SELECT id FROM t`,
      [reference, input.channel, input.categoryId, departmentId, input.citizenId ?? null, subject, input.description.trim(),
        input.address?.trim() || null, input.location?.lat ?? null, input.location?.lng ?? null, priorityRank(priority), actorId(actor),
        JSON.stringify(created.data), audit.actorLabel, JSON.stringify(changes), audit.ip, JSON.stringify(attributes), audit.actorId],
    );
    const ticket = { id: row!.id, reference, departmentId };
    const more = beforeHooks ? await beforeHooks(ticket) : [];
    if (this.hooks.active) {
      const after = await m.getRepository(TicketEntity).findOneByOrFail({ id: ticket.id });
      await this.hooks.emit(m, { ticketId: ticket.id, before: null, after, events: [created, ...more], actor });
    }
    return ticket;
  }

  /** Full ticket, or 404 when it does not exist or lies outside the agent's departments. */
  async detail(agent: AuthenticatedAgent, id: string, opts: { skipScope?: boolean } = {}, m: EntityManager = this.db.manager): Promise<TicketDetail> {
    const [row]: Array<SummaryRow & {
      description: string; address: string | null; latitude: number | null; longitude: number | null; version: number;
    }> = await preparedQuery(m,
      `SELECT ${SUMMARY_COLUMNS}, t.description, t.address, t.latitude, t.longitude, t.version
       FROM tickets t ${SUMMARY_JOINS} WHERE t.id = $1`, [id]);
    if (!row || (!opts.skipScope && !canSeeDepartment(agent, row.department_id))) throw notFound('Demande');
    const [events, attachments] = await Promise.all([
      preparedQuery(m,
        `SELECT e.id::text AS id, e.kind, e.at, e.body, e.data, a.id AS actor_id, a.display_name AS actor_name
         FROM ticket_events e LEFT JOIN agents a ON a.id = e.actor_id WHERE e.ticket_id = $1 ORDER BY e.at, e.id`, [id]),
      preparedQuery(m, `SELECT id, filename, mime_type, size, created_at FROM attachments WHERE ticket_id = $1 ORDER BY created_at`, [id]),
    ]);
    const summary = toSummary(row);
    return {
      ...summary,
      description: row.description, address: row.address, latitude: row.latitude, longitude: row.longitude,
      version: row.version,
      allowedStatuses: [...allowedTransitions(summary.status)],
      attachments: attachments.map((a: { id: string; filename: string; mime_type: string; size: number; created_at: Date }) => ({
        id: a.id, filename: a.filename, mimeType: a.mime_type, size: a.size, createdAt: new Date(a.created_at).toISOString(),
      })),
      timeline: events.map((e: { id: string; kind: TimelineEventKind; at: Date; body: string | null; data: Record<string, unknown>; actor_id: string | null; actor_name: string | null }) => ({
        id: e.id, kind: e.kind, at: new Date(e.at).toISOString(), body: e.body, data: e.data ?? {},
        actor: e.actor_id ? { id: e.actor_id, displayName: e.actor_name ?? '' } : null,
      })),
    };
  }

  update(actor: Actor, id: string, dto: UpdateTicketDto): Promise<TicketDetail> {
    return this.mutate(actor, id, dto.version, async (m, t) => {
      const set: Mutation['set'] = {};
      const events: NewEvent[] = [];
      if (dto.priority !== undefined && priorityRank(dto.priority) !== t.priority) {
        set.priority = priorityRank(dto.priority);
        events.push({ kind: 'priority_changed', data: { from: t.priority, to: set.priority } });
      }
      if (dto.subject !== undefined && dto.subject.trim() !== t.subject) set.subject = dto.subject.trim();
      if (dto.categoryId !== undefined && dto.categoryId !== t.categoryId) {
        const [c] = await m.query(`SELECT id, active FROM categories WHERE id = $1`, [dto.categoryId]);
        if (!c?.active) throw badRequest('Catégorie inconnue ou désactivée.', [{ field: 'categoryId', message: 'Catégorie inconnue ou désactivée.' }]);
        set.categoryId = dto.categoryId;
        events.push({ kind: 'category_changed', data: { from: t.categoryId, to: dto.categoryId } });
      }
      if (!Object.keys(set).length) throw badRequest('Rien à modifier.', [{ field: 'priority', message: 'Aucune valeur nouvelle.' }]);
      return { set, events, action: 'ticket.update' };
    });
  }

  assign(actor: Actor, id: string, dto: AssignDto): Promise<TicketDetail> {
    return this.mutate(actor, id, dto.version, async (m, t) => {
      let candidate = null;
      if (dto.assigneeId) {
        const [a] = await m.query(
          `SELECT a.id, a.active, a.display_name, coalesce(array_agg(ad.department_id) FILTER (WHERE ad.department_id IS NOT NULL), '{}') AS department_ids
           FROM agents a LEFT JOIN agent_departments ad ON ad.agent_id = a.id WHERE a.id = $1 GROUP BY a.id`, [dto.assigneeId]);
        if (!a) throw badRequest('Agent inconnu.', [{ field: 'assigneeId', message: 'Agent inconnu.' }]);
        candidate = { id: a.id as string, active: a.active as boolean, departmentIds: a.department_ids as string[] };
      }
      const decision = decideAssignment(
        { id: actor.agent.id, role: actor.agent.role, departmentIds: actor.agent.departmentIds }, candidate, t.departmentId);
      if (!decision.ok) throw refusal(decision);
      if ((dto.assigneeId ?? null) === t.assigneeId) throw refusal({ ok: false, code: 'assignment.unchanged', message: 'La demande est déjà attribuée ainsi.', field: 'assigneeId' }, 409);
      return {
        set: { assigneeId: dto.assigneeId ?? null },
        events: [{ kind: 'assigned', data: { from: t.assigneeId, to: dto.assigneeId ?? null } }],
        action: 'ticket.assign',
      };
    });
  }

  transfer(actor: Actor, id: string, dto: TransferDto): Promise<TicketDetail> {
    return this.mutate(actor, id, dto.version, async (m, t) => {
      const decision = decideTransfer(t.departmentId, dto.departmentId, dto.reason);
      if (!decision.ok) throw refusal(decision);
      const [d] = await m.query(`SELECT id, active FROM departments WHERE id = $1`, [dto.departmentId]);
      if (!d?.active) throw badRequest('Service inconnu ou désactivé.', [{ field: 'departmentId', message: 'Service inconnu ou désactivé.' }]);
      // The new department decides who handles it: the assignment does not follow the ticket.
      return {
        set: { departmentId: dto.departmentId, assigneeId: null },
        events: [{ kind: 'transferred', body: decision.value.reason, data: { fromDepartment: t.departmentId, toDepartment: dto.departmentId } }],
        action: 'ticket.transfer',
      };
    }, { returnUnscoped: true });
  }

  changeStatus(actor: Actor, id: string, dto: StatusChangeDto): Promise<TicketDetail> {
    return this.mutate(actor, id, dto.version, async (_m, t) => {
      const decision = decideStatusChange(t.status, dto.status, { comment: dto.comment });
      if (!decision.ok) throw refusal(decision, decision.code === 'status.transition_not_allowed' || decision.code === 'status.unchanged' ? 409 : 400);
      const now = new Date();
      const set: Mutation['set'] = { status: dto.status };
      if (dto.status === 'resolved') set.resolvedAt = now;
      if (dto.status === 'closed') set.closedAt = now;
      if (dto.status === 'open' && (t.status === 'resolved' || t.status === 'closed')) { set.resolvedAt = null; set.closedAt = null; }
      return {
        set,
        events: [{ kind: 'status_changed', body: dto.comment?.trim() || null, data: { from: t.status, to: dto.status } }],
        action: 'ticket.status',
      };
    });
  }

  addMessage(actor: Actor, id: string, dto: MessageDto): Promise<TicketDetail> {
    return this.mutate(actor, id, dto.version, async (_m, t) => {
      const body = validateMessageBody(dto.body);
      if (!body.ok) throw refusal(body);
      const events: NewEvent[] = [{ kind: dto.kind, body: body.value }];
      const set: Mutation['set'] = {};
      // Answering the citizen starts the handling of a new request.
      if (dto.kind === 'reply' && t.status === 'new') {
        set.status = 'open';
        events.push({ kind: 'status_changed', data: { from: 'new', to: 'open' } });
      }
      return { set, events, action: `ticket.${dto.kind}` };
    });
  }

  /**
   * The one way a ticket changes: lock the row, check visibility and the client's version, apply the
   * domain's decision, bump the version, write timeline events and the audit event — one transaction.
   */
  async mutate(
    actor: Actor, id: string, version: number,
    decide: (m: EntityManager, t: TicketEntity) => Promise<Mutation>,
    opts: { returnUnscoped?: boolean } = {},
  ): Promise<TicketDetail> {
    await this.db.transaction((m) => this.mutateIn(m, actor, id, version, decide));
    void this.counters.requestRecompute();
    return this.detail(actor.agent, id, { skipScope: opts.returnUnscoped });
  }

  /**
   * The body of `mutate` in the caller's transaction, for background work that must change a ticket
   * atomically with its own rows (SLA escalations). `version` null: no optimistic check (the row is locked).
   */
  async mutateIn(
    m: EntityManager, actor: Actor, id: string, version: number | null,
    decide: (m: EntityManager, t: TicketEntity) => Promise<Mutation>,
  ): Promise<void> {
    const t = await m.getRepository(TicketEntity).createQueryBuilder('t').setLock('pessimistic_write').where('t.id = :id', { id }).getOne();
    if (!t || !canSeeDepartment(actor.agent, t.departmentId)) throw notFound('Demande');
    if (version !== null && t.version !== version) throw staleTicket();
    const { set, events, action } = await decide(m, t);
    const assignments = Object.entries(set).map(([k, v], i) => ({ column: COLUMN[k as keyof TicketEntity]!, value: v, i }));
    await m.query(
      `UPDATE tickets SET ${assignments.map((a) => `${a.column} = $${a.i + 2}`).join(', ')}${assignments.length ? ', ' : ''}
         version = version + 1, updated_at = now() WHERE id = $1`,
      [id, ...assignments.map((a) => a.value)],
    );
    await this.insertEvents(m, id, actorId(actor), events);
    const after = { ...t, ...set, version: t.version + 1 } as TicketEntity;
    await this.hooks.emit(m, { ticketId: id, before: t, after, events, actor });
    const changes: Changes = diff<TicketEntity>(t, after, AUDITED_FIELDS);
    for (const e of events) if (e.body && (e.kind === 'reply' || e.kind === 'note' || e.kind === 'public_note' || e.kind === 'transferred')) changes[e.kind] = { before: null, after: e.body };
    await this.audit.record(m, auditActor(actor), action, 'ticket', id, changes);
  }

  /** Attachment rows are added by AttachmentsService through `mutate`; this checks read access for downloads. */
  async assertVisible(agent: AuthenticatedAgent, id: string): Promise<void> {
    const [t] = await this.db.query(`SELECT department_id FROM tickets WHERE id = $1`, [id]);
    if (!t || !canSeeDepartment(agent, t.department_id)) throw notFound('Demande');
  }

  private async insertEvents(m: EntityManager, ticketId: string, actorId: string | null, events: NewEvent[]): Promise<void> {
    for (const e of events) {
      await m.query(`INSERT INTO ticket_events (ticket_id, kind, actor_id, body, data) VALUES ($1, $2, $3, $4, $5)`,
        [ticketId, e.kind, actorId, e.body ?? null, JSON.stringify(e.data ?? {})]);
    }
  }
}

