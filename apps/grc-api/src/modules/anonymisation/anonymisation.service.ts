import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PERSONAL_DATA, PLACEHOLDERS, anonymisedRow, redactJson } from '@grc/domain';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { ATTACHMENT_STORE, type AttachmentStore } from '../tickets/attachment-store';
import { TicketsService } from '../tickets/tickets.service';
import { AnonymisationRepository, type PersonalRow } from './anonymisation.repository';

/** What a call did, per table (rows changed or removed) and for the citizens' records. */
export interface AnonymisationResult {
  tickets: number;
  /** rows changed or removed per registered table */
  rows: Record<string, number>;
  /** records anonymised (the person had no other live request) */
  citizensAnonymised: number;
  /** records kept because the person has other live requests: only the link to these requests is gone */
  citizensUnlinked: number;
  /** requests per category id (the run's report) */
  byCategory: Record<string, number>;
  /** stored files to delete once the transaction committed (`removeFiles`) */
  files: string[];
}

/** One audit event's redacted diff (and whether its IP goes), written with the batch's others in one call. */
type AuditRedaction = { id: string; changes: unknown; clearIp: boolean };

const empty = (): AnonymisationResult => ({ tickets: 0, rows: {}, citizensAnonymised: 0, citizensUnlinked: 0, byCategory: {}, files: [] });
const ATTACHMENT_GONE = PLACEHOLDERS['attachments.storage_key']!;
/** Tables linked by a ticket column whose rows are treated here (tickets and ticket_events: TicketsService). */
const TICKET_TABLES = PERSONAL_DATA.filter((t) => t.link.via === 'ticket' && t.table !== 'tickets' && t.table !== 'ticket_events');
/** Tables of the person's own history (citizen_revisions), removed with the person or with one of their requests. */
const CITIZEN_TABLES = PERSONAL_DATA.filter((t) => t.link.via === 'citizen' && t.deleteRowsOnAnonymise);

/**
 * The anonymisation engine (retention job, citizen's erasure): removes a person everywhere the personal data
 * registry says the product copied them, in the caller's transaction. Requests change through
 * `TicketsService.anonymiseIn` / `deleteIn` only; the other tables through AnonymisationRepository, driven by the
 * registry; audit diffs through the trail's one redaction exception. Idempotent: an anonymised request is
 * skipped, a treated value treated again stays the same.
 */
@Injectable()
export class AnonymisationService {
  private readonly log = new Logger('Anonymisation');
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tickets: TicketsService,
    private readonly audit: AuditService,
    private readonly repo: AnonymisationRepository,
    @Inject(ATTACHMENT_STORE) private readonly store: AttachmentStore,
  ) {}

  /** Anonymises requests (identity, free text, files, diffs, e-mails…) and settles their former requesters' records. */
  async anonymiseTicketsIn(
    m: EntityManager,
    actor: AuditActor,
    ticketIds: readonly string[],
    opts: { skipLocked?: boolean } = {},
  ): Promise<AnonymisationResult> {
    const out = empty();
    const done = await this.tickets.anonymiseIn(m, actor, ticketIds, opts);
    if (!done.length) return out;
    out.tickets = done.length;
    for (const t of done) out.byCategory[t.categoryId] = (out.byCategory[t.categoryId] ?? 0) + 1;
    const audit: AuditRedaction[] = [];
    await this.followTickets(m, done, out, audit);
    await this.settleCitizens(m, actor, done, out, audit);
    await this.redactAudit(m, actor, audit, out);
    return out;
  }

  /** Deletes requests (retention action `delete`): their audit diffs and imported-mail records are redacted first. */
  async deleteTicketsIn(
    m: EntityManager,
    actor: AuditActor,
    ticketIds: readonly string[],
    opts: { skipLocked?: boolean } = {},
  ): Promise<AnonymisationResult> {
    const out = empty();
    if (!ticketIds.length) return out;
    // what cascades goes with the row; what does not (audit trail, imported-mail records) is treated first
    const names = new Map<string, string[]>();
    out.files.push(...(await this.repo.attachmentKeys(m, ticketIds, ATTACHMENT_GONE)));
    // imported-mail records outlive the request (ON DELETE SET NULL): treated while they still name it
    const imported = (await this.repo.rowsOfTickets(m, 'mail_imported', ticketIds)).map((r) => anonymisedRow('mail_imported', r, []));
    out.rows['mail_imported'] = await this.repo.writeRows(m, 'mail_imported', imported);
    const deleted = await this.tickets.deleteIn(m, actor, ticketIds, opts);
    if (!deleted.length) return { ...out, files: [] };
    const ids = deleted.map((d) => d.id);
    out.tickets = deleted.length;
    for (const t of deleted) out.byCategory[t.categoryId] = (out.byCategory[t.categoryId] ?? 0) + 1;
    const citizenIds = [...new Set(deleted.map((d) => d.citizenId).filter((c): c is string => !!c))];
    for (const c of await this.repo.lockCitizens(m, citizenIds)) names.set(String(c['id']), knownNames(c));
    const known = new Map(deleted.map((d) => [d.id, d.citizenId ? (names.get(d.citizenId) ?? []) : []]));
    const audit = await this.auditRedactionsOf(m, 'ticket', ids, (id) => known.get(id) ?? []);
    await this.settleCitizens(
      m,
      actor,
      deleted.map((d) => ({ ...d, knownNames: known.get(d.id) ?? [] })),
      out,
      audit,
    );
    await this.redactAudit(m, actor, audit, out);
    return out;
  }

  /**
   * Erasure of one person (the citizen's right, or a legal duty's end): every request naming them is
   * anonymised, then their record. Returns the same counts.
   */
  async anonymiseCitizenIn(m: EntityManager, actor: AuditActor, citizenId: string): Promise<AnonymisationResult> {
    const ids = await this.repo.requestsOf(m, citizenId);
    const out = ids.length ? await this.anonymiseTicketsIn(m, actor, ids) : empty();
    // settled by anonymiseTicketsIn when it had requests; a person without any is anonymised here
    if (!ids.length) {
      const audit: AuditRedaction[] = [];
      await this.anonymiseRecords(m, actor, [citizenId], out, audit);
      await this.redactAudit(m, actor, audit, out);
    }
    return out;
  }

  /**
   * The files of anonymised or deleted requests, removed once their transaction committed (missing files are
   * fine); a crash in between leaves bytes without a row, which the retention purge's sweep removes later.
   */
  async removeFiles(result: Pick<AnonymisationResult, 'files'>): Promise<void> {
    for (const key of result.files) {
      try {
        await this.store.delete(key);
      } catch (e) {
        this.log.error(`attachment file ${key}: ${(e as Error).message}`);
      }
    }
  }

  /** The same as `anonymiseTicketsIn`, in its own transaction, the files removed after the commit. */
  async anonymiseTickets(actor: AuditActor, ticketIds: readonly string[]): Promise<AnonymisationResult> {
    const r = await this.db.transaction((m) => this.anonymiseTicketsIn(m, actor, ticketIds));
    await this.removeFiles(r);
    return r;
  }

  /** Audit rows rewritten through the trail's one exception (a purge clearing login IPs keeps `changes` as they are). */
  redactAuditRowsIn(
    m: EntityManager,
    actor: AuditActor,
    rows: ReadonlyArray<{ id: string; changes: unknown; clearIp: boolean }>,
  ): Promise<number> {
    return this.repo.redactAudit(m, actor.actorLabel, rows);
  }

  // ------------------------------------------------------------------ internals

  private async followTickets(
    m: EntityManager,
    done: ReadonlyArray<{ id: string; knownNames: string[] }>,
    out: AnonymisationResult,
    audit: AuditRedaction[],
  ): Promise<void> {
    const ids = done.map((t) => t.id);
    const names = new Map(done.map((t) => [t.id, t.knownNames]));
    const present = await this.repo.ticketTablesWithRows(
      m,
      TICKET_TABLES.map((t) => t.table),
      ids,
    );
    for (const t of TICKET_TABLES) {
      if (t.link.via !== 'ticket') continue;
      if (!present.has(t.table)) {
        out.rows[t.table] = 0;
        continue;
      }
      if (t.deleteRowsOnAnonymise) {
        out.rows[t.table] = await this.repo.deleteOfTickets(m, t.table, ids);
        continue;
      }
      const rows = await this.repo.rowsOfTickets(m, t.table, ids);
      if (t.table === 'attachments') out.files.push(...rows.map((r) => String(r['storage_key'])).filter((k) => k !== ATTACHMENT_GONE));
      const link = t.link.column;
      const treated = rows
        .map((r) => ({ before: r, after: anonymisedRow(t.table, r, names.get(String(r[link])) ?? []) }))
        .filter(({ before, after }) => JSON.stringify(before) !== JSON.stringify(after))
        .map(({ after }) => after);
      out.rows[t.table] = await this.repo.writeRows(m, t.table, treated);
    }
    // the values a request's changes held (the person's history of that request) go with it
    for (const t of CITIZEN_TABLES)
      out.rows[t.table] = (out.rows[t.table] ?? 0) + (await this.repo.deleteOfCitizen(m, t.table, { ticketIds: ids }));
    audit.push(...(await this.auditRedactionsOf(m, 'ticket', ids, (id) => names.get(id) ?? [])));
  }

  /** The batch's audit redactions, written through the trail's exception in one call (one `audit.redact` event). */
  private async redactAudit(m: EntityManager, actor: AuditActor, rows: readonly AuditRedaction[], out: AnonymisationResult): Promise<void> {
    if (!rows.length) return;
    out.rows['audit_events'] = (out.rows['audit_events'] ?? 0) + (await this.repo.redactAudit(m, actor.actorLabel, rows));
  }

  /** The audit events about these records whose diffs name the person (or keep an IP): their redacted changes. */
  private async auditRedactionsOf(
    m: EntityManager,
    type: 'ticket' | 'citizen',
    ids: readonly string[],
    namesOf: (id: string) => string[],
  ): Promise<AuditRedaction[]> {
    if (!ids.length) return [];
    const events = await this.repo.auditOf(m, type, ids);
    return events
      .map((e) => {
        const changes = redactJson(e.changes, namesOf(e.entity_id));
        return { id: e.id, changes, clearIp: !e.agent && e.ip !== null, same: JSON.stringify(changes) === JSON.stringify(e.changes) };
      })
      .filter((r) => !r.same || r.clearIp)
      .map(({ id, changes, clearIp }) => ({ id, changes, clearIp }));
  }

  /**
   * The former requesters, in bulk: anonymised when no live request names them any more, else only unlinked.
   * Their records are locked BEFORE the live check: two batches (retention runs them side by side) that each
   * hold some of a person's last requests then take turns, and the second one, seeing the first one's
   * committed work, anonymises the record — checked first, each would see the other's requests still live
   * and both would only unlink, leaving the person's record behind.
   */
  private async settleCitizens(
    m: EntityManager,
    actor: AuditActor,
    done: ReadonlyArray<{ citizenId: string | null }>,
    out: AnonymisationResult,
    audit: AuditRedaction[],
  ): Promise<void> {
    const citizens = [...new Set(done.map((t) => t.citizenId).filter((c): c is string => !!c))];
    if (!citizens.length) return;
    const locked = await this.repo.lockCitizens(m, citizens);
    const live = await this.repo.citizensWithLiveRequests(m, citizens);
    out.citizensUnlinked += citizens.filter((id) => live.has(id)).length;
    await this.anonymiseLocked(
      m,
      actor,
      locked.filter((row) => !live.has(String(row['id']))),
      out,
      audit,
    );
  }

  /**
   * Citizens' records anonymised in set-based statements (lock, write, version, history, quarantine, audit
   * redaction, one `citizen.anonymise` event each); missing or already anonymised records are left alone.
   */
  private async anonymiseRecords(
    m: EntityManager,
    actor: AuditActor,
    citizenIds: readonly string[],
    out: AnonymisationResult,
    audit: AuditRedaction[],
  ): Promise<void> {
    if (citizenIds.length) await this.anonymiseLocked(m, actor, await this.repo.lockCitizens(m, citizenIds), out, audit);
  }

  /** `anonymiseRecords` for records this transaction already locked (`lockCitizens`). */
  private async anonymiseLocked(
    m: EntityManager,
    actor: AuditActor,
    rows: readonly PersonalRow[],
    out: AnonymisationResult,
    audit: AuditRedaction[],
  ): Promise<void> {
    const treated = rows
      .map((row) => ({ row, names: knownNames(row), after: anonymisedRow('citizens', row, knownNames(row)) }))
      .filter(({ row, after }) => JSON.stringify(after) !== JSON.stringify(row)); // already anonymised otherwise
    if (!treated.length) return;
    const ids = treated.map((t) => String(t.row['id']));
    const names = new Map(treated.map((t) => [String(t.row['id']), t.names]));
    const emails = treated.map((t) => t.row['email']).filter((e): e is string => typeof e === 'string' && e.length > 0);
    const n = await this.repo.writeRows(
      m,
      'citizens',
      treated.map((t) => t.after),
      { bumpVersion: true },
    );
    out.rows['citizens'] = (out.rows['citizens'] ?? 0) + n;
    out.citizensAnonymised += treated.length;
    for (const t of CITIZEN_TABLES)
      out.rows[t.table] = (out.rows[t.table] ?? 0) + (await this.repo.deleteOfCitizen(m, t.table, { citizenIds: ids }));
    if (emails.length) out.rows['mail_quarantine'] = (out.rows['mail_quarantine'] ?? 0) + (await this.repo.deleteQuarantineFrom(m, emails));
    audit.push(...(await this.auditRedactionsOf(m, 'citizen', ids, (id) => names.get(id) ?? [])));
    await this.audit.recordMany(
      m,
      actor,
      'citizen.anonymise',
      'citizen',
      ids.map((id) => ({ entityId: id, changes: { anonymised: { before: false, after: true } } })),
    );
  }
}

/** The names a person's text may hold: first and last name, organisation, contact person. */
export function knownNames(c: PersonalRow): string[] {
  return ['first_name', 'last_name', 'organisation_name', 'contact_person']
    .map((k) => c[k])
    .filter((v): v is string => typeof v === 'string' && v.trim().length > 0);
}
