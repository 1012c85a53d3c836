import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CitizenFields, PersonalTable, RetentionAction } from '@grc/domain';
import { CitizenEntity } from '../../database/entities';

export type Row = Record<string, unknown>;

/** Columns never exported, whatever the table: generated search columns, storage paths, secrets. */
const NEVER_EXPORTED = new Set(['search_vector', 'search_text', 'storage_key', 'sealed_link', 'key_hash']);
/** The column a table's rows are sorted by in the export, the first one it has. */
const TIME_COLUMNS = ['at', 'created_at', 'imported_at'];

const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not an identifier: ${name}`);
  return `"${name}"`;
};

export interface TicketBrief {
  id: string;
  reference: string;
  created_at: Date;
  closed_at: Date | null;
  status: string;
  channel: string;
  category_fr: string;
  department: string;
  events: number;
}

export interface StoredAttachment {
  id: string;
  ticket_id: string;
  reference: string;
  filename: string;
  mime_type: string;
  size: number;
  sha256: string;
  storage_key: string;
}

/**
 * Every query of the citizens' rights: the person's rows in each table of the personal data registry
 * (libs/domain/src/rgpd, read by the access export), what the access letter sums up, the town's name.
 * The statements for a registry entry are built from its link (self, citizen, ticket); identifiers come
 * from the registry and the schema, never from a request.
 */
@Injectable()
export class CitizenRightsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async citizenExists(id: string, m: EntityManager = this.db.manager): Promise<boolean> {
    return (await m.query(`SELECT 1 FROM citizens WHERE id = $1`, [id])).length > 0;
  }

  async ticketIds(citizenId: string, m: EntityManager = this.db.manager): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM tickets WHERE citizen_id = $1 ORDER BY created_at, id`, [citizenId]);
    return rows.map((r) => r.id);
  }

  /** The columns of these tables, with their type names (for typed parameters and the columns to export). */
  async columns(tables: readonly string[], m: EntityManager = this.db.manager): Promise<Map<string, Map<string, string>>> {
    const rows: Array<{ table_name: string; column_name: string; udt_name: string }> = await m.query(
      `SELECT table_name, column_name, udt_name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = ANY($1::text[]) ORDER BY table_name, ordinal_position`,
      [tables],
    );
    const out = new Map<string, Map<string, string>>();
    for (const r of rows) {
      if (!out.has(r.table_name)) out.set(r.table_name, new Map());
      out.get(r.table_name)!.set(r.column_name, r.udt_name);
    }
    return out;
  }

  /**
   * The person's rows of one registry table, every column but the never-exported ones: the row itself
   * (self), rows naming the citizen (citizen), rows of one of their tickets (ticket; an audit trail's
   * rows on the citizen too, by its entity type).
   */
  async rowsOf(
    t: PersonalTable,
    columns: Map<string, string>,
    citizenId: string,
    ticketIds: readonly string[],
    m: EntityManager = this.db.manager,
  ): Promise<Row[]> {
    // an audit event's address is the person's own only when no agent acted (public form, Open311): agents' are not exported
    const selected = [...columns.keys()]
      .filter((c) => !NEVER_EXPORTED.has(c))
      .map((c) => (t.table === 'audit_events' && c === 'ip' ? `CASE WHEN actor_id IS NULL THEN ip END AS ip` : ident(c)));
    const order = TIME_COLUMNS.find((c) => columns.has(c));
    const select = `SELECT ${selected.join(', ')} FROM ${ident(t.table)}`;
    const orderBy = order ? ` ORDER BY ${ident(order)}${columns.has('id') ? ', "id"' : ''}` : '';
    const link = t.link;
    if (link.via === 'none') return [];
    if (link.via === 'self') return m.query(`${select} WHERE "id" = $1${orderBy}`, [citizenId]);
    if (link.via === 'entity') {
      const type = columns.get(link.idColumn);
      const [tc, ic] = [ident(link.typeColumn), ident(link.idColumn)];
      return m.query(`${select} WHERE (${tc} = $3 AND ${ic} = ANY($1::${type}[])) OR (${tc} = $4 AND ${ic} = $2::${type})${orderBy}`, [
        ticketIds,
        citizenId,
        link.ticket,
        link.citizen,
      ]);
    }
    if (link.via === 'contact') {
      // rows tied by the person's e-mail address (a quarantined mail's sender)
      return m.query(`${select} WHERE lower(${ident(link.column)}) = (SELECT lower(email) FROM citizens WHERE id = $1)${orderBy}`, [
        citizenId,
      ]);
    }
    const type = columns.get(link.column);
    if (!type) throw new Error(`${t.table}.${link.column}: no such column`);
    if (link.via === 'citizen') return m.query(`${select} WHERE ${ident(link.column)} = $1::${type}${orderBy}`, [citizenId]);
    if (ticketIds.length === 0) return [];
    return m.query(`${select} WHERE ${ident(link.column)} = ANY($1::${type}[])${orderBy}`, [ticketIds]);
  }

  /** The stored files of the person's tickets (their paths stay here: the archive holds the files, not the paths). */
  attachments(ticketIds: readonly string[], m: EntityManager = this.db.manager): Promise<StoredAttachment[]> {
    return m.query(
      `SELECT a.id, a.ticket_id, t.reference, a.filename, a.mime_type, a.size, a.sha256, a.storage_key
       FROM attachments a JOIN tickets t ON t.id = a.ticket_id WHERE a.ticket_id = ANY($1::uuid[]) ORDER BY t.created_at, a.created_at, a.id`,
      [ticketIds],
    );
  }

  /** The person's requests as the letter lists them: reference, dates, status, category, department, timeline length. */
  ticketBriefs(citizenId: string, m: EntityManager = this.db.manager): Promise<TicketBrief[]> {
    return m.query(
      `SELECT t.id, t.reference, t.created_at, t.closed_at, t.status, t.channel, c.name_fr AS category_fr, d.name AS department,
              (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id)::int AS events
       FROM tickets t JOIN categories c ON c.id = t.category_id JOIN departments d ON d.id = t.department_id
       WHERE t.citizen_id = $1 ORDER BY t.created_at, t.id`,
      [citizenId],
    );
  }

  /** Names of the agents that appear in the person's rows (actor ids), for the archive's readers. */
  agentNames(ids: readonly string[], m: EntityManager = this.db.manager): Promise<Array<{ id: string; display_name: string }>> {
    return m.query(`SELECT id, display_name FROM agents WHERE id = ANY($1::uuid[]) ORDER BY display_name`, [ids]);
  }

  /** The person's requests with what erasure needs: status and category. */
  requestsForErasure(
    citizenId: string,
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ id: string; reference: string; status: string; category_id: string }>> {
    return m.query(`SELECT id, reference, status, category_id FROM tickets WHERE citizen_id = $1 ORDER BY created_at, id`, [citizenId]);
  }

  /** The town's retention rules (category null: the default). */
  retentionRules(
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ categoryId: string | null; months: number; action: RetentionAction }>> {
    return m.query(`SELECT category_id AS "categoryId", months, action FROM retention_rules`);
  }

  /** Retention per category as the notice shows it: each active category with its own rule or the default. */
  noticeRetention(
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ code: string; name_fr: string; name_en: string; months: number; action: RetentionAction; own: boolean }>> {
    return m.query(
      `SELECT c.code, c.name_fr, c.name_en, coalesce(r.months, d.months) AS months, coalesce(r.action, d.action) AS action, r.id IS NOT NULL AS own
       FROM categories c LEFT JOIN retention_rules r ON r.category_id = c.id
       LEFT JOIN retention_rules d ON d.category_id IS NULL
       WHERE c.active AND coalesce(r.months, d.months) IS NOT NULL ORDER BY c.name_fr`,
    );
  }

  /** Both records locked, in id order (two merges of the same pair cannot deadlock). */
  async lockPair(a: string, b: string, m: EntityManager): Promise<Map<string, CitizenEntity>> {
    const rows = await m.find(CitizenEntity, { where: [{ id: a }, { id: b }], order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    return new Map(rows.map((r) => [r.id, r]));
  }

  requestIdsOf(citizenId: string, m: EntityManager): Promise<Array<{ id: string }>> {
    return m.query(`SELECT id FROM tickets WHERE citizen_id = $1 ORDER BY id`, [citizenId]);
  }

  /** Saves the kept record's merged fields (its version column bumped by TypeORM). */
  saveCitizen(row: CitizenEntity, fields: CitizenFields, m: EntityManager): Promise<CitizenEntity> {
    return m.save(CitizenEntity, { ...row, ...fields });
  }

  async deleteCitizen(id: string, m: EntityManager): Promise<void> {
    await m.query(`DELETE FROM citizens WHERE id = $1`, [id]);
  }

  async town(m: EntityManager = this.db.manager): Promise<{ name: string; timezone: string }> {
    const [t]: Array<{ name: string; timezone: string }> = await m.query(`SELECT name, timezone FROM town_settings WHERE id = 1`);
    return t ?? { name: '', timezone: 'Europe/Paris' };
  }
}
