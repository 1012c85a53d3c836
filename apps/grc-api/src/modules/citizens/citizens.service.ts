import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  hasPermission, normalizeEmail, normalizeForSearch, normalizePhone, validateCitizen,
  type Citizen, type CitizenFields, type CitizenSummary, type TicketSummary,
} from '@grc/domain';
import { badRequest, conflict, notFound } from '../../common/problem';
import { CitizenEntity } from '../../database/entities';
import { AuditService, auditActor, diff } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { SUMMARY_COLUMNS, SUMMARY_JOINS, SummaryRow, toSummary } from '../tickets/ticket-view';
import type { CitizenInputDto, CitizenUpdateDto } from './citizen.dto';

const FIELDS: Array<keyof CitizenFields> = [
  'kind', 'firstName', 'lastName', 'organisationName', 'contactPerson', 'email', 'phone', 'address', 'postcode', 'city', 'preferredChannel',
];

const toCitizen = (c: CitizenEntity): Citizen => ({
  id: c.id, kind: c.kind, firstName: c.firstName, lastName: c.lastName, organisationName: c.organisationName,
  contactPerson: c.contactPerson, email: c.email, phone: c.phone, address: c.address, postcode: c.postcode,
  city: c.city, preferredChannel: c.preferredChannel, createdAt: c.createdAt.toISOString(), version: c.version,
});

/**
 * Whether citizen `z` is reachable: $2 the directory (boolean), $3 the departments the agent may see.
 * Through any ticket of theirs in one of those departments.
 */
const REACHABLE = `($2::boolean OR EXISTS (SELECT 1 FROM tickets rt WHERE rt.citizen_id = z.id AND rt.department_id = ANY($3::uuid[])))`;

/**
 * Citizens and organisations: found before they are created ("dites-le nous une fois"), and every
 * read of their personal details is audited.
 */
@Injectable()
export class CitizensService {
  constructor(@InjectDataSource() private readonly db: DataSource, private readonly audit: AuditService) {}

  /**
   * By e-mail or phone when the query is one, else by name (accents and case ignored, trigram index).
   * The whole town for the directory (front desk, admin); for everyone else only the people of a
   * ticket of a department the agent may see. `ticketCount` counts those tickets only.
   */
  async search(actor: Actor, q: string): Promise<CitizenSummary[]> {
    const text = q.trim();
    if (text.length < 2) throw badRequest('Tapez au moins 2 caractères.', [{ field: 'q', message: 'Au moins 2 caractères.' }]);
    const email = normalizeEmail(text);
    const phone = normalizePhone(text);
    const where = email ? `lower(z.email) = lower($1)` : phone ? `z.phone = $1` : `z.search_text LIKE '%' || $1 || '%'`;
    const param = email ?? phone ?? normalizeForSearch(text).replace(/[%_\\]/g, (c) => `\\${c}`);
    const rows = await this.db.query(
      `SELECT z.id, z.kind, z.email, z.phone, z.city,
         CASE WHEN z.kind = 'organisation' THEN z.organisation_name
              ELSE trim(coalesce(z.first_name, '') || ' ' || coalesce(z.last_name, '')) END AS display_name,
         (SELECT count(*) FROM tickets t WHERE t.citizen_id = z.id AND t.department_id = ANY($3::uuid[]))::int AS ticket_count
       FROM citizens z WHERE ${where} AND ${REACHABLE}
       ORDER BY z.last_name NULLS LAST, z.organisation_name NULLS LAST, z.first_name LIMIT 20`,
      [param, this.directory(actor), actor.agent.visibleDepartmentIds],
    );
    await this.audit.record(this.db.manager, auditActor(actor), 'citizen.search', 'citizen', '*', {
      query: { before: null, after: text }, results: { before: null, after: rows.length },
    });
    return rows.map((r: { id: string; kind: Citizen['kind']; display_name: string; email: string | null; phone: string | null; city: string | null; ticket_count: number }) => ({
      id: r.id, kind: r.kind, displayName: r.display_name, email: r.email, phone: r.phone, city: r.city, ticketCount: r.ticket_count,
    }));
  }

  async get(actor: Actor, id: string): Promise<Citizen> {
    if (!(await this.reachable(this.db.manager, actor, id))) throw notFound('Citoyen');
    const c = await this.db.getRepository(CitizenEntity).findOneBy({ id });
    if (!c) throw notFound('Citoyen');
    await this.audit.record(this.db.manager, auditActor(actor), 'citizen.read', 'citizen', id, {});
    return toCitizen(c);
  }

  /**
   * Need-to-know: whether this actor may reach this citizen — the directory (front desk, admin) reaches
   * everyone, other agents the people of a ticket of a department they may see. An unreachable citizen
   * answers 404, like a citizen that does not exist.
   */
  async reachable(m: EntityManager, actor: Actor, id: string): Promise<boolean> {
    const [row] = await m.query(`SELECT 1 FROM citizens z WHERE z.id = $1 AND ${REACHABLE}`,
      [id, this.directory(actor), actor.agent.visibleDepartmentIds]);
    return !!row;
  }

  private directory(actor: Actor): boolean {
    return !!actor.system || hasPermission(actor.agent.role, 'citizens.directory', actor.agent);
  }

  create(actor: Actor, dto: CitizenInputDto): Promise<Citizen> {
    return this.db.transaction((m) => this.createIn(m, actor, dto));
  }

  /** Inside the caller's transaction (a ticket registered with a new citizen). `prefix` names the fields in errors. */
  async createIn(m: EntityManager, actor: Actor, dto: CitizenInputDto, prefix = ''): Promise<Citizen> {
    const fields = this.validate(dto, prefix);
    await this.refuseDuplicate(m, actor, fields, null, prefix);
    const repo = m.getRepository(CitizenEntity);
    const saved = await repo.save(repo.create(fields));
    await this.audit.record(m, auditActor(actor), 'citizen.create', 'citizen', saved.id, diff<CitizenFields>(null, fields, FIELDS));
    return toCitizen(saved);
  }

  async update(actor: Actor, id: string, dto: CitizenUpdateDto): Promise<Citizen> {
    const { version, ...input } = dto;
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(CitizenEntity);
      const before = await repo.createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id', { id }).getOne();
      if (!before || !(await this.reachable(m, actor, id))) throw notFound('Citoyen');
      if (before.version !== version) {
        throw conflict("Cette fiche a été modifiée par quelqu'un d'autre entre-temps. Rechargez-la avant de recommencer.", [{ field: 'version', message: 'Version périmée', code: 'stale_version' }]);
      }
      const fields = this.validate(input as CitizenInputDto, '');
      await this.refuseDuplicate(m, actor, fields, id, '');
      const changes = diff<CitizenFields>(before, fields, FIELDS);
      const saved = await repo.save({ ...before, ...fields });
      await this.audit.record(m, auditActor(actor), 'citizen.update', 'citizen', id, changes);
      return toCitizen(saved);
    });
  }

  /**
   * The citizen's history, limited to the departments the agent may see. Nothing says how many
   * requests the person has elsewhere (no count, no header): need-to-know.
   */
  async tickets(actor: Actor, id: string): Promise<TicketSummary[]> {
    if (!(await this.reachable(this.db.manager, actor, id))) throw notFound('Citoyen');
    const rows: SummaryRow[] = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS}
       FROM tickets t ${SUMMARY_JOINS} WHERE t.citizen_id = $1 AND ($2 OR t.department_id = ANY($3::uuid[])) ORDER BY t.created_at DESC LIMIT 200`,
      [id, actor.agent.role === 'admin', actor.agent.visibleDepartmentIds],
    );
    return rows.map(toSummary);
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
    const [dup] = await m.query(
      `SELECT id, CASE WHEN lower(email) = lower($1) THEN 'email' ELSE 'phone' END AS field FROM citizens
       WHERE (lower(email) = lower($1) OR phone = $2) AND ($3::uuid IS NULL OR id <> $3) LIMIT 1`,
      [f.email, f.phone, selfId],
    );
    if (dup) {
      const field = prefix ? `${prefix}.${dup.field}` : dup.field;
      const what = dup.field === 'email' ? 'cet e-mail' : 'ce téléphone';
      if (!(await this.reachable(m, actor, dup.id))) {
        throw conflict(`Un citoyen avec ${what} est déjà connu d’un autre service : enregistrez la demande sans fiche ou adressez la personne à l’accueil.`, [
          { field, message: 'Déjà connu', code: 'citizen.duplicate' },
        ]);
      }
      throw conflict(`Un citoyen avec ${dup.field === 'email' ? 'cet e-mail' : 'ce téléphone'} existe déjà : reprenez sa fiche (${dup.id}).`, [
        { field, message: 'Déjà connu', code: `citizen.duplicate:${dup.id}` },
      ]);
    }
  }
}
