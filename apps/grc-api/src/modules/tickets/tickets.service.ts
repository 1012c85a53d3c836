import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectEntityManager } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  allowedTransitions,
  anonymisedRow,
  decideAssignment,
  decideStatusChange,
  decideTransfer,
  formatReference,
  priorityRank,
  routeTicket,
  validateMessageBody,
  type Channel,
  type Priority,
  type Refusal,
  type TicketDetail,
  applyFieldEdit,
  checkFieldValues,
  checkNewFieldValues,
  sameFieldValue,
  type FieldValues,
} from '@grc/domain';
import { badRequest, invalidField, notFound, ProblemException, staleTicket } from '../../common/problem';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { TicketEntity } from '../../database/entities';
import { AgentsRepository } from '../agents/agents.repository';
import { CategoriesRepository } from '../reference/categories.repository';
import { CategoryFieldsRepository } from '../reference/category-fields.repository';
import { DepartmentsRepository } from '../reference/departments.repository';
import { AuditService, auditActor, auditedChanges, diff, type AuditActor, type Changes } from '../audit/audit.service';
import { actorId, type Actor, type AuthenticatedAgent } from '../auth/authenticated-agent';
import { TicketChangeHooks, type NewEvent, type TicketChange, type TicketChangeEffects } from './ticket-change.hooks';
import type { Reach } from '../citizens/citizens.repository';
import { CitizensService } from '../citizens/citizens.service';
import { InboxCountersScheduler } from '../worker/inbox-counters.scheduler';
import { canSeeDepartment } from './ticket-access';
import type { AssignDto, CreateTicketDto, MessageDto, StatusChangeDto, TransferDto, UpdateTicketDto } from './ticket.dto';
import { toSummary } from './ticket-view';
import { TicketsRepository, type TicketSet } from './tickets.repository';

export type { NewEvent, TicketChangeEffects } from './ticket-change.hooks';
export type { CreationContext } from './tickets.repository';

/** A domain refusal becomes a 400 naming its field, or a 409 when the ticket's state forbids it. */
export const refusal = (r: Refusal, status = 400) =>
  new ProblemException(status, status === 409 ? 'Action impossible' : 'Requête invalide', r.message, [
    { field: r.field ?? '', message: r.message, code: r.code },
  ]);

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
  /** the language the citizen chose (public form): the e-mails about this request are written in it */
  locale?: 'fr' | 'en' | null;
  /**
   * Need-to-know on `citizenId` (an agent's entry): the citizen must be reachable by the agent, else
   * "Citoyen inconnu" — checked in the creation's context query. Absent: the citizen must only exist.
   */
  reach?: Reach;
}

/** A request once anonymised: what the other tables need to follow it. */
export interface AnonymisedTicket {
  id: string;
  categoryId: string;
  /** the requester it had (its record is handled by the caller) */
  citizenId: string | null;
  /** the requester's names, for the redaction of the other tables' text */
  knownNames: string[];
}
export interface DeletedTicket {
  id: string;
  categoryId: string;
  citizenId: string | null;
}

/** A change decided on the locked row: the columns to set, its timeline events, its audit action. */
export interface Mutation {
  set: TicketSet;
  events: NewEvent[];
  action: string;
  /** more for the audit event than the columns' diff (a master link, the policy re-applied…) */
  audit?: Changes;
}
/** null: nothing to change (a follower already where its master's move would take it) — nothing is written. */
export type Decide = (m: EntityManager, t: TicketEntity, effects: TicketChangeEffects) => Promise<Mutation | null>;
export interface ChangeOptions {
  /**
   * No department check: the change is the consequence of one the actor was allowed to make (a
   * master's status reaching its followers, the master told of a new follower).
   */
  propagated?: boolean;
}

/** What listeners and decisions add to a change: written by the tickets module once each of them returns. */
class PendingEffects implements TicketChangeEffects {
  events: NewEvent[] = [];
  sla = false;
  /** the SLA summary after the last refresh, for the audit */
  slaAfter: { slaDueAt: Date | null; slaBreached: boolean } | null = null;

  addEvents(...events: NewEvent[]): void {
    this.events.push(...events);
  }

  refreshSla(): void {
    this.sla = true;
  }

  async flush(m: EntityManager, repo: TicketsRepository, ticketId: string): Promise<void> {
    if (this.events.length) {
      const events = this.events;
      this.events = [];
      await repo.insertEvents(m, ticketId, null, events);
    }
    if (this.sla) {
      this.sla = false;
      this.slaAfter = await repo.refreshSlaSummary(m, ticketId);
    }
  }
}

const AUDITED_FIELDS: Array<keyof TicketEntity> = [
  'status',
  'priority',
  'categoryId',
  'departmentId',
  'assigneeId',
  'subject',
  'resolvedAt',
  'closedAt',
  'citizenId',
];
const SLA_FIELDS: Array<keyof TicketEntity> = ['slaDueAt', 'slaBreached'];

@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    private readonly audit: AuditService,
    private readonly citizens: CitizensService,
    private readonly counters: InboxCountersScheduler,
    private readonly hooks: TicketChangeHooks,
    private readonly repo: TicketsRepository,
    private readonly agents: AgentsRepository,
    private readonly categories: CategoriesRepository,
    private readonly fields: CategoryFieldsRepository,
    private readonly departments: DepartmentsRepository,
    @InjectEntityManager() private readonly reader: EntityManager,
  ) {}

  async create(actor: Actor, dto: CreateTicketDto): Promise<TicketDetail> {
    if (dto.citizenId && dto.newCitizen) {
      throw badRequest('Choisissez un citoyen existant ou créez-en un, pas les deux.', [
        { field: 'newCitizen', message: 'À laisser vide quand citizenId est donné.', code: 'citizen_exclusive' },
      ]);
    }
    if ((dto.latitude == null) !== (dto.longitude == null)) {
      throw badRequest('La position demande une latitude et une longitude.', [
        {
          field: dto.latitude == null ? 'latitude' : 'longitude',
          message: 'Donnez les deux coordonnées, ou aucune.',
          code: 'coordinates_pair',
        },
      ]);
    }
    // the answer is read in the creation's own transaction: no round trip after the commit (bench/intake.mjs)
    const created = await this.db.transaction(async (m) => {
      const citizenId = dto.newCitizen
        ? (await this.citizens.createIn(m, actor, dto.newCitizen, 'newCitizen')).id
        : (dto.citizenId ?? null);
      const location = dto.latitude != null && dto.longitude != null ? { lat: dto.latitude, lng: dto.longitude } : null;
      const { id } = await this.createIn(m, actor, {
        channel: dto.channel,
        categoryId: dto.categoryId,
        subject: dto.subject,
        description: dto.description,
        priority: dto.priority,
        citizenId,
        address: dto.address,
        location,
        attributes: await this.checkedNewAttributes(m, dto.categoryId, dto.attributes ?? {}),
        // need-to-know: an existing citizen only if the agent may reach them (else "unknown", as for a wrong id);
        // checked by the context query of createIn (one round trip less than a check of its own)
        reach: dto.newCitizen ? undefined : this.citizens.reach(actor),
      });
      return this.detail(actor.agent, id, { skipScope: true }, m);
    });
    void this.counters.requestRecompute();
    return created;
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
    m: EntityManager,
    actor: Actor,
    input: NewTicket,
    beforeHooks?: (ticket: { id: string; reference: string; departmentId: string }) => Promise<NewEvent[]>,
  ): Promise<{ id: string; reference: string; departmentId: string }> {
    const ctx = await this.repo.creationContext(m, input.categoryId, input.citizenId ?? null, input.reach);
    if (!ctx)
      throw badRequest('Catégorie inconnue.', [{ field: 'categoryId', message: 'Catégorie inconnue.', code: 'category_not_found' }]);
    if (!ctx.active)
      throw badRequest('Cette catégorie est désactivée.', [
        { field: 'categoryId', message: 'Catégorie désactivée.', code: 'category_inactive' },
      ]);
    if (input.citizenId && !ctx.citizen_id)
      throw badRequest('Citoyen inconnu.', [{ field: 'citizenId', message: 'Citoyen inconnu.', code: 'citizen_not_found' }]);

    const departmentId =
      input.departmentId ??
      routeTicket(ctx.rules, ctx.default_department_id, { categoryId: input.categoryId, location: input.location ?? null }).departmentId;
    const reference = formatReference(ctx.prefix, ctx.year, Number(ctx.n));
    const subject = input.subject.trim();
    const priority = input.priority ?? 'normal';
    const attributes = input.attributes ?? {};
    const changes: Changes = {
      reference: { before: null, after: reference },
      channel: { before: null, after: input.channel },
      categoryId: { before: null, after: input.categoryId },
      departmentId: { before: null, after: departmentId },
      citizenId: { before: null, after: input.citizenId ?? null },
      subject: { before: null, after: subject },
      priority: { before: null, after: priority },
      ...(Object.keys(attributes).length ? { attributes: { before: null, after: attributes } } : {}),
    };
    const created: NewEvent = { kind: 'created', data: { channel: input.channel, departmentId, ...input.eventData } };
    const audit = input.auditActor ?? auditActor(actor);
    // the listeners prepare before the row is written: the SLA clocks' summary goes into the insert
    const prepared = this.hooks.active
      ? await this.hooks.prepareCreation(m, {
          categoryId: input.categoryId,
          departmentId,
          priority: priorityRank(priority),
          channel: input.channel,
        })
      : null;
    const after = await this.repo.insertCreated(m, {
      reference,
      channel: input.channel,
      categoryId: input.categoryId,
      departmentId,
      citizenId: input.citizenId ?? null,
      subject,
      description: input.description.trim(),
      address: input.address?.trim() || null,
      latitude: input.location?.lat ?? null,
      longitude: input.location?.lng ?? null,
      priority: priorityRank(priority),
      createdBy: actorId(actor),
      attributes,
      locale: input.locale ?? null,
      sla: prepared?.sla ?? null,
      createdData: created.data!,
      audit: { actorId: audit.actorId, actorLabel: audit.actorLabel, ip: audit.ip, changes: auditedChanges('ticket', changes) },
    });
    const id = after.id;
    const ticket = { id, reference, departmentId };
    // the channel's own rows (attachments, tracking key…); their timeline events are written here
    const more = beforeHooks ? await beforeHooks(ticket) : [];
    await this.repo.insertEvents(m, id, null, more);
    if (this.hooks.active) {
      // the row as inserted (insertCreated returns it): the channel's hooks write their own rows, not the ticket's columns
      const effects = new PendingEffects();
      const change = this.changeOf(id, null, after, [created, ...more], actor, effects);
      await this.hooks.emit(m, change, () => effects.flush(m, this.repo, id), prepared ?? undefined);
    }
    return ticket;
  }

  /** The values an agent's form sent, checked against the category's fields (400 on `attributes.<code>`). */
  private async checkedNewAttributes(m: EntityManager, categoryId: string, sent: Record<string, unknown>): Promise<FieldValues> {
    const checked = checkNewFieldValues(await this.fields.ofCategory(categoryId, m), sent);
    if (!checked.ok) throw badRequest('Les champs de la catégorie sont invalides.', checked.errors);
    return checked.value;
  }

  /** An agent opening a ticket (GET /tickets/:id): its detail, the read audited (`ticket.read`). */
  async read(actor: Actor, id: string): Promise<TicketDetail> {
    const detail = await this.detail(actor.agent, id);
    await this.audit.recordRead(auditActor(actor), 'ticket.read', id);
    return detail;
  }

  /** Full ticket, or 404 when it does not exist or lies outside the agent's departments. */
  async detail(
    agent: AuthenticatedAgent,
    id: string,
    opts: { skipScope?: boolean } = {},
    m: EntityManager = this.reader,
  ): Promise<TicketDetail> {
    const row = await this.repo.detail(m, id);
    if (!row || (!opts.skipScope && !canSeeDepartment(agent, row.department_id))) throw notFound('Demande');
    const { timeline: events, attachments } = row;
    const summary = toSummary(row);
    return {
      ...summary,
      description: row.description,
      address: row.address,
      latitude: row.latitude,
      longitude: row.longitude,
      version: row.version,
      attributes: (row.attributes ?? {}) as TicketDetail['attributes'],
      allowedStatuses: [...allowedTransitions(summary.status)],
      attachments: attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        mimeType: a.mime_type,
        size: a.size,
        createdAt: new Date(a.created_at).toISOString(),
      })),
      timeline: events.map((e) => ({
        id: e.id,
        kind: e.kind,
        at: new Date(e.at).toISOString(),
        body: e.body,
        data: e.data ?? {},
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
        if (!(await this.categories.isFilableIn(dto.categoryId, await this.repo.communeOf(m, id), m)))
          throw invalidField('categoryId', 'Catégorie inconnue, désactivée ou d’une autre commune.', 'ticket.category_not_filable');
        set.categoryId = dto.categoryId;
        events.push({ kind: 'category_changed', data: { from: t.categoryId, to: dto.categoryId } });
      }
      let audit: Changes | undefined;
      if (dto.attributes !== undefined) {
        // the fields of the ticket's category (the new one when it changes too), only the codes sent
        const defs = await this.fields.ofCategory((set.categoryId as string | undefined) ?? t.categoryId, m);
        const checked = checkFieldValues(defs, dto.attributes, { mode: 'edit' });
        if (!checked.ok) throw badRequest('Les champs de la catégorie sont invalides.', checked.errors);
        const before = t.attributes ?? {};
        const after = applyFieldEdit(before, checked.value);
        const codes = Object.keys(checked.value).filter((c) => !sameFieldValue(before[c], after[c]));
        if (codes.length) {
          set.attributes = after;
          events.push({ kind: 'attributes_changed', data: { codes } });
          // masked in the audit trail, kept for the citizen's own history (libs/domain rgpd/audit-changes)
          audit = { attributes: { before, after } };
        }
      }
      if (!Object.keys(set).length)
        throw badRequest('Rien à modifier.', [{ field: 'priority', message: 'Aucune valeur nouvelle.', code: 'nothing_to_change' }]);
      return { set, events, action: 'ticket.update', audit };
    });
  }

  assign(actor: Actor, id: string, dto: AssignDto): Promise<TicketDetail> {
    return this.mutate(actor, id, dto.version, async (m, t) => {
      let candidate = null;
      if (dto.assigneeId) {
        const a = await this.agents.find(dto.assigneeId, m);
        if (!a) throw badRequest('Agent inconnu.', [{ field: 'assigneeId', message: 'Agent inconnu.', code: 'agent_not_found' }]);
        candidate = { id: a.id, active: a.active, departmentIds: a.departmentIds };
      }
      const decision = decideAssignment(
        { id: actor.agent.id, role: actor.agent.role, departmentIds: actor.agent.departmentIds },
        candidate,
        t.departmentId,
      );
      if (!decision.ok) throw refusal(decision);
      if ((dto.assigneeId ?? null) === t.assigneeId)
        throw refusal(
          { ok: false, code: 'assignment.unchanged', message: 'La demande est déjà attribuée ainsi.', field: 'assigneeId' },
          409,
        );
      return {
        set: { assigneeId: dto.assigneeId ?? null },
        events: [{ kind: 'assigned', data: { from: t.assigneeId, to: dto.assigneeId ?? null } }],
        action: 'ticket.assign',
      };
    });
  }

  transfer(actor: Actor, id: string, dto: TransferDto): Promise<TicketDetail> {
    return this.mutate(
      actor,
      id,
      dto.version,
      async (m, t) => {
        const decision = decideTransfer(t.departmentId, dto.departmentId, dto.reason);
        if (!decision.ok) throw refusal(decision);
        if (!(await this.departments.isReachableFrom(dto.departmentId, await this.repo.communeOf(m, id), m)))
          throw invalidField(
            'departmentId',
            'Service inconnu, désactivé, ou hors de la commune de la demande et des services partagés de sa métropole.',
            'ticket.department_not_reachable',
          );
        // The new department decides who handles it: the assignment does not follow the ticket.
        return {
          set: { departmentId: dto.departmentId, assigneeId: null },
          events: [
            { kind: 'transferred', body: decision.value.reason, data: { fromDepartment: t.departmentId, toDepartment: dto.departmentId } },
          ],
          action: 'ticket.transfer',
        };
      },
      { returnUnscoped: true },
    );
  }

  changeStatus(actor: Actor, id: string, dto: StatusChangeDto): Promise<TicketDetail> {
    return this.mutate(actor, id, dto.version, async (_m, t) => {
      const decision = decideStatusChange(t.status, dto.status, { comment: dto.comment });
      if (!decision.ok)
        throw refusal(decision, decision.code === 'status.transition_not_allowed' || decision.code === 'status.unchanged' ? 409 : 400);
      const now = new Date();
      const set: Mutation['set'] = { status: dto.status };
      if (dto.status === 'resolved') set.resolvedAt = now;
      if (dto.status === 'closed') set.closedAt = now;
      if (dto.status === 'open' && (t.status === 'resolved' || t.status === 'closed')) {
        set.resolvedAt = null;
        set.closedAt = null;
      }
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
   * The one way a ticket changes, for every caller (agents, circuits and their timers, duplicate
   * propagation, SLA escalations and re-applied policies, e-mail intake, the tracking page): lock the
   * row, check the actor's departments and the client's version, apply the caller's decision, bump the
   * version, write the timeline events, run the change listeners (whose own events and SLA summary
   * the tickets module writes), then the audit event, which sees the whole change — one transaction.
   */
  async mutate(actor: Actor, id: string, version: number, decide: Decide, opts: { returnUnscoped?: boolean } = {}): Promise<TicketDetail> {
    await this.db.transaction((m) => this.mutateIn(m, actor, id, version, decide));
    void this.counters.requestRecompute();
    return this.detail(actor.agent, id, { skipScope: opts.returnUnscoped });
  }

  /**
   * The body of `mutate` in the caller's transaction, for work that must change a ticket atomically
   * with its own rows (SLA escalations, circuit timers, e-mail intake, a master's followers).
   * `version` null: no optimistic check (the row is locked). Throws 404 when the ticket does not
   * exist or (unless `propagated`, or for a system actor, who sees every department) lies outside the
   * actor's departments.
   */
  async mutateIn(
    m: EntityManager,
    actor: Actor,
    id: string,
    version: number | null,
    decide: Decide,
    opts: ChangeOptions = {},
  ): Promise<void> {
    const t = await this.repo.lock(m, id);
    if (!t || (!opts.propagated && !actor.system && !canSeeDepartment(actor.agent, t.departmentId))) throw notFound('Demande');
    if (version !== null && t.version !== version) throw staleTicket();
    const effects = new PendingEffects();
    const decided = await decide(m, t, effects);
    if (!decided) return;
    const { set, events, action, audit } = decided;
    await this.repo.apply(m, id, set);
    await this.repo.insertEvents(m, id, actorId(actor), events);
    await effects.flush(m, this.repo, id);
    const after = { ...t, ...set, version: t.version + 1 } as TicketEntity;
    await this.hooks.emit(m, this.changeOf(id, t, after, events, actor, effects), () => effects.flush(m, this.repo, id));
    const changes: Changes = diff<TicketEntity>(t, after, AUDITED_FIELDS);
    if (effects.slaAfter) Object.assign(changes, diff<TicketEntity>(t, effects.slaAfter, SLA_FIELDS));
    for (const e of events)
      if (e.body && (e.kind === 'reply' || e.kind === 'note' || e.kind === 'public_note' || e.kind === 'transferred'))
        changes[e.kind] = { before: null, after: e.body };
    Object.assign(changes, audit);
    await this.audit.record(m, auditActor(actor), action, 'ticket', id, changes);
  }

  /**
   * Moves requests to another record of the same person (citizens' merge, modules/citizen-rights), each one a
   * change through `mutateIn` in the caller's transaction: row locked, version bumped, listeners told,
   * audited `ticket.requester_merge` with the former and the kept record. Whatever the departments: the merge
   * is a right of the person, exercised by holders of `rgpd` for the whole town.
   */
  async moveRequesterIn(
    m: EntityManager,
    actor: Actor,
    ticketIds: readonly string[],
    fromCitizenId: string,
    toCitizenId: string,
  ): Promise<number> {
    let moved = 0;
    for (const id of ticketIds) {
      await this.mutateIn(
        m,
        actor,
        id,
        null,
        async (_m, t) => {
          if (t.citizenId !== fromCitizenId) return null;
          moved++;
          return { set: { citizenId: toCitizenId }, events: [], action: 'ticket.requester_merge' };
        },
        { propagated: true },
      );
    }
    return moved;
  }

  /**
   * The inbox's SLA summary (sla_due_at, sla_breached) recomputed from ticket_sla outside a change:
   * the SLA backfill gives clocks to a pack's history without touching the tickets' version or
   * updated_at. Within a change, listeners ask for it through `TicketChange.refreshSla()`.
   */
  /**
   * Removes the requester from many requests at once (retention, erasure), in the caller's transaction: the
   * columns the personal data registry lists for `tickets` and `ticket_events` get their treatment (citizen link
   * and address gone, free text redacted with the requester's known names, position coarsened, attributes
   * redacted), the version bumped, an 'anonymised' timeline entry with no personal data, and one
   * `ticket.anonymise` audit event per request. No change listener runs: nothing is e-mailed, no clock moves.
   * Already anonymised requests are skipped (idempotent); `skipLocked` leaves a request being changed right now
   * for the next batch. Returns what each request was (category, former requester, known names) for the other tables.
   */
  async anonymiseIn(
    m: EntityManager,
    actor: AuditActor,
    ticketIds: readonly string[],
    opts: { skipLocked?: boolean } = {},
  ): Promise<AnonymisedTicket[]> {
    const rows = await this.repo.lockForAnonymisation(m, ticketIds, opts.skipLocked ?? false);
    if (!rows.length) return [];
    const names = new Map(rows.map((r) => [r.id, r.known_names ?? []]));
    await this.repo.applyAnonymisation(
      m,
      rows.map((r) => {
        const a = anonymisedRow(
          'tickets',
          { subject: r.subject, description: r.description, latitude: r.latitude, longitude: r.longitude, attributes: r.attributes },
          r.known_names ?? [],
        );
        return { id: r.id, ...a, subject: a.subject || '[anonymisé]', description: a.description ?? '' };
      }),
    );
    const events = await this.repo.eventsToRedact(
      m,
      rows.map((r) => r.id),
    );
    const redacted = events
      .map((e) => ({ e, a: anonymisedRow('ticket_events', { body: e.body, data: e.data }, names.get(e.ticket_id) ?? []) }))
      .filter(({ e, a }) => a.body !== e.body || JSON.stringify(a.data) !== JSON.stringify(e.data))
      .map(({ e, a }) => ({ id: e.id, body: a.body, data: a.data }));
    await this.repo.redactEvents(m, redacted);
    await this.repo.insertAnonymisedEvents(
      m,
      rows.map((r) => r.id),
      actor.actorId,
    );
    await this.audit.recordMany(
      m,
      actor,
      'ticket.anonymise',
      'ticket',
      rows.map((r) => ({
        entityId: r.id,
        changes: { citizenId: { before: r.citizen_id ? 'changed' : null, after: null }, anonymised: { before: false, after: true } },
      })),
    );
    return rows.map((r) => ({ id: r.id, categoryId: r.category_id, citizenId: r.citizen_id, knownNames: r.known_names ?? [] }));
  }

  /**
   * Deletes many requests (retention action `delete`) with everything that cascades from them (timeline,
   * attachments' rows, outbox, tracking keys, clocks, circuits), one `ticket.delete` audit event each.
   * The caller deletes the attachments' files after the commit.
   */
  async deleteIn(
    m: EntityManager,
    actor: AuditActor,
    ticketIds: readonly string[],
    opts: { skipLocked?: boolean } = {},
  ): Promise<DeletedTicket[]> {
    const rows = await this.repo.deleteMany(m, ticketIds, opts.skipLocked ?? false);
    await this.audit.recordMany(
      m,
      actor,
      'ticket.delete',
      'ticket',
      rows.map((r) => ({ entityId: r.id, changes: { deleted: { before: false, after: true } } })),
    );
    return rows.map((r) => ({ id: r.id, categoryId: r.category_id, citizenId: r.citizen_id }));
  }

  async refreshSlaSummaryIn(m: EntityManager, ticketId: string): Promise<void> {
    await this.repo.refreshSlaSummary(m, ticketId);
  }

  /** Checks read access (downloads, live streams, presence): 404 unless the agent sees the ticket; returns its department. */
  async assertVisible(agent: AuthenticatedAgent, id: string): Promise<string> {
    const departmentId = await this.repo.departmentOf(this.repo.manager, id);
    if (!departmentId || !canSeeDepartment(agent, departmentId)) throw notFound('Demande');
    return departmentId;
  }

  /** The ticket's department and category (reply templates fitting it): 404 unless the agent sees the ticket. */
  async scopeOf(agent: AuthenticatedAgent, id: string): Promise<{ departmentId: string; categoryId: string }> {
    const scope = await this.repo.scopeOf(this.repo.manager, id);
    if (!scope || !canSeeDepartment(agent, scope.departmentId)) throw notFound('Demande');
    return scope;
  }

  private changeOf(
    ticketId: string,
    before: TicketEntity | null,
    after: TicketEntity,
    events: NewEvent[],
    actor: Actor,
    effects: PendingEffects,
  ): TicketChange {
    return {
      ticketId,
      before,
      after,
      events,
      actor,
      addEvents: (...more) => effects.addEvents(...more),
      refreshSla: () => effects.refreshSla(),
    };
  }
}
