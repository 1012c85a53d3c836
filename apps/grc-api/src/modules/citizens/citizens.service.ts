import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  hasPermission,
  normalizeEmail,
  normalizeForSearch,
  normalizePhone,
  requesterCitizen,
  validateCitizen,
  type RequesterDescription,
  type Validation,
  type Citizen,
  type CitizenFields,
  type CitizenMessage,
  type CitizenSummary,
  type TicketSummary,
} from '@grc/domain';
import { badRequest, conflict, stale, notFound } from '../../common/problem';
import type { CitizenEntity } from '../../database/entities';
import { AuditService, auditActor, diff, type AuditActor } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { toSummary } from '../tickets/ticket-view';
import type { CitizenInputDto, CitizenUpdateDto } from './citizen.dto';
import { CitizensRepository, type CitizenMatch, type Reach } from './citizens.repository';

export const CITIZEN_FIELDS: Array<keyof CitizenFields> = [
  'kind',
  'firstName',
  'lastName',
  'organisationName',
  'contactPerson',
  'email',
  'phone',
  'address',
  'postcode',
  'city',
  'preferredChannel',
];

export const toCitizen = (c: CitizenEntity): Citizen => ({
  id: c.id,
  kind: c.kind,
  firstName: c.firstName,
  lastName: c.lastName,
  organisationName: c.organisationName,
  contactPerson: c.contactPerson,
  email: c.email,
  phone: c.phone,
  address: c.address,
  postcode: c.postcode,
  city: c.city,
  preferredChannel: c.preferredChannel,
  createdAt: c.createdAt.toISOString(),
  version: c.version,
});

/**
 * Citizens and organisations: found before they are created ("dites-le nous une fois"), and every
 * read of their personal details is audited. The queries are CitizensRepository's.
 */
@Injectable()
export class CitizensService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly citizens: CitizensRepository,
    private readonly audit: AuditService,
  ) {}

  /**
   * By e-mail or phone when the query is one, else by name (accents and case ignored, trigram index).
   * The whole town for the directory (front desk, admin); for everyone else only the people of a
   * ticket of a department the agent may see. `ticketCount` counts those tickets only.
   */
  async search(actor: Actor, q: string): Promise<CitizenSummary[]> {
    const text = q.trim();
    if (text.length < 2)
      throw badRequest('Tapez au moins 2 caractères.', [
        { field: 'q', message: 'Au moins 2 caractères.', code: 'too_short', params: { min: 2 } },
      ]);
    const email = normalizeEmail(text);
    const phone = normalizePhone(text);
    const match: CitizenMatch = email
      ? { by: 'email', value: email }
      : phone
        ? { by: 'phone', value: phone }
        : // the words in order, whatever stands between them in the stored text ("jean pierre" finds "Jean-Pierre")
          {
            by: 'name',
            value: normalizeForSearch(text)
              .replace(/[%_\\]/g, (c) => `\\${c}`)
              .split(' ')
              .filter(Boolean)
              .join('%'),
          };
    return this.db.transaction(async (m) => {
      const found = await this.citizens.search(match, this.reach(actor), m);
      // what was searched for is personal data no anonymisation could find again (a name typed by an agent):
      // the trail keeps how (e-mail, phone, name) and which records were shown, never the words themselves
      await this.audit.record(m, auditActor(actor), 'citizen.search', 'citizen', '*', {
        by: { before: null, after: match.by },
        results: { before: null, after: found.length },
        citizens: { before: null, after: found.map((c) => c.id) },
      });
      return found;
    });
  }

  get(actor: Actor, id: string): Promise<Citizen> {
    return this.db.transaction(async (m) => {
      const c = (await this.reachable(m, actor, id)) ? await this.citizens.find(id, m) : null;
      if (!c) throw notFound('Citoyen');
      await this.audit.recordRead(auditActor(actor), 'citizen.read', id, {}, m);
      return toCitizen(c);
    });
  }

  /**
   * Need-to-know: whether this actor may reach this citizen — the directory (front desk, admin) reaches
   * everyone, other agents the people of a ticket of a department they may see. An unreachable citizen
   * answers 404, like a citizen that does not exist.
   */
  reachable(m: EntityManager, actor: Actor, id: string): Promise<boolean> {
    return this.citizens.isReachable(id, this.reach(actor), m);
  }

  /** What `reachable` checks, for a query of another module that reads the citizen itself (ticket creation). */
  reach(actor: Actor): Reach {
    const directory = !!actor.system || hasPermission(actor.agent.role, 'citizens.directory', actor.agent);
    return { directory, visibleDepartmentIds: actor.agent.visibleDepartmentIds };
  }

  create(actor: Actor, dto: CitizenInputDto): Promise<Citizen> {
    return this.db.transaction((m) => this.createIn(m, actor, dto));
  }

  /** Inside the caller's transaction (a ticket registered with a new citizen). `prefix` names the fields in errors. */
  async createIn(m: EntityManager, actor: Actor, dto: CitizenInputDto, prefix = ''): Promise<Citizen> {
    const fields = this.validate(dto, prefix);
    await this.refuseDuplicate(m, actor, fields, null, prefix);
    const saved = await this.citizens.insert(fields, m);
    await this.audit.record(m, auditActor(actor), 'citizen.create', 'citizen', saved.id, diff<CitizenFields>(null, fields, CITIZEN_FIELDS));
    return toCitizen(saved);
  }

  /**
   * The one intake pipeline of the channels (public form, e-mail, Open311), inside the caller's
   * transaction: the same e-mail, else the same phone, is the same person (an e-mail match first, then
   * the oldest); otherwise a new citizen from the description (rules: requesterCitizen in libs/domain),
   * audited as `citizen.create` by `actor`. Null when there is no way to reach the person (the ticket is
   * registered without a citizen); field errors when the contact is invalid — the channel words them in
   * its own error format (or, for e-mail, goes on without a citizen). No reachability check: a channel
   * links a request to a person, it shows nothing about them.
   */
  async matchOrCreate(m: EntityManager, actor: AuditActor, who: RequesterDescription): Promise<Validation<string | null>> {
    const email = normalizeEmail(who.email);
    const phone = normalizePhone(who.phone);
    if (email !== null || phone !== null) {
      const found = await this.citizens.findByContact(email, phone, m);
      if (found) return { ok: true, value: found };
    }
    const fields = requesterCitizen(who);
    if (fields === null) return { ok: true, value: null };
    if (!fields.ok) return fields;
    const saved = await this.citizens.insert(fields.value, m);
    await this.audit.record(m, actor, 'citizen.create', 'citizen', saved.id, diff<CitizenFields>(null, fields.value, CITIZEN_FIELDS));
    return { ok: true, value: saved.id };
  }

  async update(actor: Actor, id: string, dto: CitizenUpdateDto): Promise<Citizen> {
    const { version, ...input } = dto;
    return this.db.transaction(async (m) => {
      const before = await this.citizens.findForUpdate(id, m);
      if (!before || !(await this.reachable(m, actor, id))) throw notFound('Citoyen');
      if (before.version !== version) {
        throw stale("Cette fiche a été modifiée par quelqu'un d'autre entre-temps. Rechargez-la avant de recommencer.", [
          { field: 'version', message: 'Version périmée', code: 'stale_version' },
        ]);
      }
      const fields = this.validate(input as CitizenInputDto, '');
      await this.refuseDuplicate(m, actor, fields, id, '');
      const changes = diff<CitizenFields>(before, fields, CITIZEN_FIELDS);
      const saved = await this.citizens.update(before, fields, m);
      await this.audit.record(m, auditActor(actor), 'citizen.update', 'citizen', id, changes);
      return toCitizen(saved);
    });
  }

  /**
   * The citizen's history, limited to the departments the agent may see. Nothing says how many
   * requests the person has elsewhere (no count, no header): need-to-know.
   */
  async tickets(actor: Actor, id: string): Promise<TicketSummary[]> {
    return this.db.transaction(async (m) => {
      if (!(await this.reachable(m, actor, id))) throw notFound('Citoyen');
      const rows = await this.citizens.history(id, actor.agent.role === 'admin', actor.agent.visibleDepartmentIds, m);
      await this.audit.recordRead(auditActor(actor), 'citizen.tickets.read', id, { results: rows.length }, m);
      return rows.map(toSummary);
    });
  }

  /** The 360° view's messages: replies, the person's own messages and public notes, on the requests of visible departments. */
  async messages(actor: Actor, id: string): Promise<CitizenMessage[]> {
    return this.db.transaction(async (m) => {
      if (!(await this.reachable(m, actor, id))) throw notFound('Citoyen');
      const rows = await this.citizens.messages(id, actor.agent.role === 'admin', actor.agent.visibleDepartmentIds, m);
      await this.audit.recordRead(auditActor(actor), 'citizen.messages.read', id, { results: rows.length }, m);
      return rows.map((r) => ({
        id: r.id,
        ticketId: r.ticket_id,
        reference: r.reference,
        channel: r.channel as CitizenMessage['channel'],
        kind: r.kind as CitizenMessage['kind'],
        at: new Date(r.at).toISOString(),
        body: r.body,
        actorName: r.actor_name,
      }));
    });
  }

  private validate(dto: CitizenInputDto, prefix: string): CitizenFields {
    const result = validateCitizen(dto);
    if (!result.ok) {
      const errors = result.errors.map((e) => ({ field: prefix ? `${prefix}.${e.field}` : e.field, message: e.message, code: e.code }));
      throw badRequest(errors.length === 1 ? errors[0]!.message : `${errors.length} champs sont invalides.`, errors);
    }
    return result.value;
  }

  /**
   * "Dites-le nous une fois": the same e-mail or phone means the same person, so offer the existing
   * record — its id only to whom may reach it; others learn that the person is known, not who it is.
   */
  private async refuseDuplicate(m: EntityManager, actor: Actor, f: CitizenFields, selfId: string | null, prefix: string): Promise<void> {
    if (!f.email && !f.phone) return;
    const dup = await this.citizens.findSameContact(f.email, f.phone, selfId, m);
    if (dup) {
      const field = prefix ? `${prefix}.${dup.field}` : dup.field;
      const what = dup.field === 'email' ? 'cet e-mail' : 'ce téléphone';
      if (!(await this.reachable(m, actor, dup.id))) {
        throw conflict(
          `Un citoyen avec ${what} est déjà connu d’un autre service : enregistrez la demande sans fiche ou adressez la personne à l’accueil.`,
          [{ field, message: 'Déjà connu', code: 'citizen.duplicate' }],
        );
      }
      throw conflict(
        `Un citoyen avec ${dup.field === 'email' ? 'cet e-mail' : 'ce téléphone'} existe déjà : reprenez sa fiche (${dup.id}).`,
        [{ field, message: 'Déjà connu', code: `citizen.duplicate:${dup.id}` }],
      );
    }
  }
}
