import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { personalTable, type PersonalTable } from '@grc/domain';
import { preparedCommand, preparedQuery } from '../../common/prepared';

/** A registered table's row as read for its treatment: its key column(s) and its registered columns. */
export type PersonalRow = Record<string, unknown>;

const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not an identifier: ${name}`);
  return `"${name}"`;
};

function registered(table: string): PersonalTable {
  const t = personalTable(table);
  if (!t) throw new Error(`${table} is not in the personal data registry`);
  return t;
}

/** `writeRows`' statement for a registered table ($1: the treated rows as a JSON array); exported for its plan's spec. */
export function writeRowsSql(table: string, opts: { bumpVersion?: boolean } = {}): string {
  const t = registered(table);
  const sets = [
    ...t.columns.map((c) => `${ident(c.column)} = r.${ident(c.column)}`),
    ...(opts.bumpVersion ? ['version = x.version + 1', 'updated_at = now()'] : []),
  ].join(', ');
  const on = t.key.map((k) => `x.${ident(k)} = r.${ident(k)}`).join(' AND ');
  return `UPDATE ${ident(t.table)} x SET ${sets}
       FROM jsonb_array_elements($1::jsonb) v CROSS JOIN LATERAL jsonb_populate_record(NULL::${ident(t.table)}, v) r WHERE ${on}`;
}

/**
 * The anonymisation's statements on every registered table but `tickets` and `ticket_events` (those change
 * through TicketsService.anonymiseIn only), built from the personal data registry (`libs/domain/src/rgpd`):
 * table, key, link and columns come from it, never from a caller, and are checked as identifiers. The values
 * are computed by the domain's `anonymisedRow`; the writes go back as one statement per table and batch
 * (`jsonb_populate_record` gives each value its column's type).
 */
@Injectable()
export class AnonymisationRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  get manager(): EntityManager {
    return this.db.manager;
  }

  /**
   * Of these tables linked by a ticket column, those holding a row of these requests: one statement for all of
   * them, so that a batch reads (and writes) only the tables its requests have rows in — one round trip rather
   * than one per table, most requests having no letter, no Open311 record, no imported mail.
   */
  async ticketTablesWithRows(m: EntityManager, tables: readonly string[], ticketIds: readonly string[]): Promise<Set<string>> {
    if (!tables.length || !ticketIds.length) return new Set();
    const probes = tables.map((table, i) => {
      const t = registered(table);
      if (t.link.via !== 'ticket') throw new Error(`${table} is not linked by a ticket column`);
      return `EXISTS (SELECT 1 FROM ${ident(t.table)} WHERE ${ident(t.link.column)} = ANY($1::uuid[])) AS t${i}`;
    });
    const [row] = await preparedQuery(m, `SELECT ${probes.join(', ')}`, [ticketIds]);
    return new Set(tables.filter((_, i) => row?.[`t${i}`] === true));
  }

  /** Rows of a table linked to these requests (via its ticket column), with their key, link and registered columns. */
  rowsOfTickets(m: EntityManager, table: string, ticketIds: readonly string[]): Promise<PersonalRow[]> {
    const t = registered(table);
    if (t.link.via !== 'ticket') throw new Error(`${table} is not linked by a ticket column`);
    const cols = [...new Set([...t.key, t.link.column, ...t.columns.map((c) => c.column)])].map(ident).join(', ');
    return preparedQuery(m, `SELECT ${cols} FROM ${ident(t.table)} WHERE ${ident(t.link.column)} = ANY($1::uuid[])`, [ticketIds]);
  }

  /** Rows removed outright (tracking keys): returns how many. */
  async deleteOfTickets(m: EntityManager, table: string, ticketIds: readonly string[]): Promise<number> {
    const t = registered(table);
    if (t.link.via !== 'ticket') throw new Error(`${table} is not linked by a ticket column`);
    const n = await preparedCommand(m, `DELETE FROM ${ident(t.table)} WHERE ${ident(t.link.column)} = ANY($1::uuid[])`, [ticketIds]);
    return n;
  }

  /** Deletes the rows of a table linked to citizens: all of these persons', or only those of these requests. */
  async deleteOfCitizen(
    m: EntityManager,
    table: string,
    by: { citizenIds: readonly string[] } | { ticketIds: readonly string[] },
  ): Promise<number> {
    const t = registered(table);
    if (t.link.via !== 'citizen') throw new Error(`${table} is not linked by a citizen column`);
    if ('citizenIds' in by) {
      if (!by.citizenIds.length) return 0;
      const n = await preparedCommand(m, `DELETE FROM ${ident(t.table)} WHERE ${ident(t.link.column)} = ANY($1::uuid[])`, [by.citizenIds]);
      return n;
    }
    if (!t.link.ticketColumn || !by.ticketIds.length) return 0;
    const n = await preparedCommand(m, `DELETE FROM ${ident(t.table)} WHERE ${ident(t.link.ticketColumn)} = ANY($1::uuid[])`, [
      by.ticketIds,
    ]);
    return n;
  }

  /**
   * Writes treated rows back by key, one statement: only the registered columns are set. The rows are read
   * by a function scan of their own (`LATERAL jsonb_populate_record`), so that the key condition compares two
   * columns: written as `(jsonb_populate_record(…)).id`, the condition holds a function that is not LEAKPROOF,
   * row-level security may then not use it in the key's index, and each batch read the whole table
   * (190 ms per batch of citizens at 400,000 citizens, bench/anonymise.mjs --log-statements). `bumpVersion` also
   * bumps the row's version and `updated_at` in the same write (a console holding the record sees it changed),
   * rather than a second UPDATE that would write every row — and its indexes — twice.
   */
  async writeRows(m: EntityManager, table: string, rows: readonly PersonalRow[], opts: { bumpVersion?: boolean } = {}): Promise<number> {
    if (!rows.length) return 0;
    const n = await preparedCommand(m, writeRowsSql(table, opts), [JSON.stringify(rows)]);
    return n;
  }

  /** Audit events about these records (entity_type + entity_id), with their changes and whether an agent acted. */
  auditOf(
    m: EntityManager,
    entityType: 'ticket' | 'citizen',
    ids: readonly string[],
  ): Promise<Array<{ id: string; entity_id: string; changes: unknown; ip: string | null; agent: boolean }>> {
    const t = registered('audit_events');
    if (t.link.via !== 'entity') throw new Error('audit_events is linked by entity');
    return preparedQuery(
      m,
      `SELECT id::text, entity_id, changes, ip, actor_id IS NOT NULL AS agent FROM audit_events
       WHERE ${ident(t.link.typeColumn)} = $1 AND ${ident(t.link.idColumn)} = ANY($2::text[])`,
      [entityType === 'ticket' ? t.link.ticket : t.link.citizen, ids],
    );
  }

  /** The append-only trail's one exception (migration 1763800000840): changes' values and ip only, self-audited. */
  async redactAudit(
    m: EntityManager,
    actorLabel: string,
    rows: ReadonlyArray<{ id: string; changes: unknown; clearIp: boolean }>,
  ): Promise<number> {
    if (!rows.length) return 0;
    const [r] = await preparedQuery(m, `SELECT grc_audit_redact($1, $2::bigint[], $3::jsonb[], $4::boolean[]) AS n`, [
      actorLabel,
      rows.map((x) => x.id),
      rows.map((x) => JSON.stringify(x.changes)),
      rows.map((x) => x.clearIp),
    ]);
    return Number(r?.n ?? 0);
  }

  /** The stored files of these requests still present (their storage keys), before their rows are blanked. */
  async attachmentKeys(m: EntityManager, ticketIds: readonly string[], placeholder: string): Promise<string[]> {
    const rows: Array<{ storage_key: string }> = await preparedQuery(
      m,
      `SELECT storage_key FROM attachments WHERE ticket_id = ANY($1::uuid[]) AND storage_key <> $2`,
      [ticketIds, placeholder],
    );
    return rows.map((r) => r.storage_key);
  }

  // ------------------------------------------------------------------ the citizen record

  /** The citizen's record and its names, locked; null when it does not exist. */
  async lockCitizen(m: EntityManager, id: string): Promise<PersonalRow | null> {
    const t = registered('citizens');
    const cols = [...new Set([...t.key, ...t.columns.map((c) => c.column)])].map(ident).join(', ');
    const [row] = await m.query(`SELECT ${cols} FROM citizens WHERE id = $1 FOR UPDATE`, [id]);
    return row ?? null;
  }

  /** The records of these citizens and their names, locked in id order (one statement); missing ones are absent. */
  async lockCitizens(m: EntityManager, ids: readonly string[]): Promise<PersonalRow[]> {
    if (!ids.length) return [];
    const t = registered('citizens');
    const cols = [...new Set([...t.key, ...t.columns.map((c) => c.column)])].map(ident).join(', ');
    return preparedQuery(m, `SELECT ${cols} FROM citizens WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  /** Of these citizens, those still named by a request (not anonymised): they keep their record alive. One query. */
  async citizensWithLiveRequests(m: EntityManager, citizenIds: readonly string[]): Promise<Set<string>> {
    if (!citizenIds.length) return new Set();
    // one probe per person that stops at their first request, rather than reading all of them and de-duplicating
    const rows: Array<{ citizen_id: string }> = await preparedQuery(
      m,
      `SELECT c AS citizen_id FROM unnest($1::uuid[]) AS c WHERE EXISTS (SELECT 1 FROM tickets t WHERE t.citizen_id = c)`,
      [citizenIds],
    );
    return new Set(rows.map((r) => r.citizen_id));
  }

  /** The ids of every request naming the citizen. */
  async requestsOf(m: EntityManager, citizenId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM tickets WHERE citizen_id = $1 ORDER BY id`, [citizenId]);
    return rows.map((r) => r.id);
  }

  /** Quarantined e-mails sent from these persons' addresses (no other link): removed with them, one statement. */
  async deleteQuarantineFrom(m: EntityManager, emails: readonly string[]): Promise<number> {
    if (!emails.length) return 0;
    const t = registered('mail_quarantine');
    if (t.link.via !== 'contact') throw new Error('mail_quarantine is linked by contact');
    const n = await preparedCommand(
      m,
      `DELETE FROM mail_quarantine q
       WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS e(address) WHERE position(lower(e.address) IN lower(q.${ident(t.link.column)})) > 0)`,
      [emails],
    );
    return n;
  }
}
