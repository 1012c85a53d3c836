import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { FILABLE_CATEGORY } from '../reference/categories.repository';

export interface RequestRow {
  reference: string;
  status: string;
  description: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  created_at: Date;
  updated_at: Date;
  service_code: string;
  service_name: string;
  agency: string;
  address_id: string | null;
  media_url: string | null;
  status_notes: string | null;
  /** the SLA's resolution deadline, the master's for a duplicate (modules/sla) */
  expected_at: Date | null;
}

/** What GET requests filter on (by references, else by service, dates and status). */
export type RequestFilter =
  | { references: readonly string[] }
  | { serviceCodes: readonly string[] | null; start: Date; end: Date | null; status: 'open' | 'closed' | null };

const REQUEST_SELECT = `
  SELECT t.reference, coalesce(mt.status, t.status) AS status, coalesce(o.description, '') AS description, t.address, t.latitude, t.longitude, t.created_at, t.updated_at,
         CASE WHEN mt.id IS NULL THEN t.sla_due_at ELSE mt.sla_due_at END AS expected_at,
         c.code AS service_code, c.name_fr AS service_name, d.name AS agency, o.address_id, o.media_url,
         -- only what an agent marked public: replies are written to one person and may quote them
         (SELECT e.body FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'public_note' ORDER BY e.at DESC, e.id DESC LIMIT 1) AS status_notes
  FROM tickets t
  JOIN categories c ON c.id = t.category_id
  JOIN departments d ON d.id = t.department_id
  JOIN open311_requests o ON o.ticket_id = t.id
  LEFT JOIN tickets mt ON mt.id = t.master_ticket_id`; // a duplicate shows its master's status (modules/duplicates)

/**
 * Every query of the Open311 channel: its services (the active categories and their attributes),
 * `open311_requests` (the request's own fields and token) and the published view of the tickets received
 * on the `open311` channel (never another channel's). Tickets are created through TicketsService; the
 * keys are Open311KeysRepository's, the town TownSettingsRepository's.
 */
@Injectable()
export class Open311Repository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The commune whose code is this jurisdiction_id (communes is shared: read before the commune is set). */
  async communeByCode(code: string): Promise<{ id: string } | undefined> {
    const [row]: Array<{ id: string }> = await this.db.query(`SELECT id FROM communes WHERE code = $1`, [code]);
    return row;
  }

  /** The active categories with their default department (their attributes: CategoryFieldsRepository). */
  services(
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ id: string; code: string; name_fr: string; name_en: string; department: string }>> {
    return m.query(
      `SELECT c.id, c.code, c.name_fr, c.name_en, d.name AS department
       FROM categories c JOIN departments d ON d.id = c.default_department_id
       WHERE c.active AND ${FILABLE_CATEGORY('c')} ORDER BY d.name, c.name_fr`,
    );
  }

  /** The active category of a service code, else null. */
  async activeService(code: string, m: EntityManager = this.db.manager): Promise<{ id: string; name_fr: string } | null> {
    const [category] = await m.query(
      `SELECT id, name_fr FROM categories c WHERE code = $1 AND active AND ${FILABLE_CATEGORY('c')}
       ORDER BY (c.commune_id = (SELECT grc_commune())) DESC LIMIT 1`,
      [code],
    );
    return category ?? null;
  }

  /** Published requests, newest first, at most `limit`. */
  requests(filter: RequestFilter, limit: number, m: EntityManager = this.db.manager): Promise<RequestRow[]> {
    const where: string[] = [`t.channel = 'open311'`];
    const args: unknown[] = [];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    if ('references' in filter) where.push(`t.reference = ANY(${arg(filter.references)}::text[])`);
    else {
      if (filter.serviceCodes) where.push(`c.code = ANY(${arg(filter.serviceCodes)}::text[])`);
      where.push(`t.created_at >= ${arg(filter.start)}`);
      if (filter.end) where.push(`t.created_at <= ${arg(filter.end)}`);
      if (filter.status) where.push(`coalesce(mt.status, t.status) ${filter.status === 'closed' ? '' : 'NOT '}IN ('resolved', 'closed')`);
    }
    return m.query(
      `${REQUEST_SELECT} WHERE ${where.join(' AND ')}\n      ORDER BY t.created_at DESC, t.id DESC LIMIT ${Number(limit)}`,
      args,
    );
  }

  /** One published request by reference, else null. */
  async request(reference: string, m: EntityManager = this.db.manager): Promise<RequestRow | null> {
    const rows: RequestRow[] = await m.query(`${REQUEST_SELECT} WHERE t.channel = 'open311' AND t.reference = $1`, [reference]);
    return rows[0] ?? null;
  }

  /** The reference a creation token stands for, else null. */
  async referenceOfToken(token: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const [row] = await m.query(`SELECT t.reference FROM open311_requests o JOIN tickets t ON t.id = o.ticket_id WHERE o.token = $1`, [
      token,
    ]);
    return row?.reference ?? null;
  }

  /** The request's own fields, next to its ticket (in the creation's transaction). */
  async insertRequest(
    m: EntityManager,
    r: {
      ticketId: string;
      token: string;
      apiKeyId: string;
      addressId: string | null;
      mediaUrl: string | null;
      deviceId: string | null;
      accountId: string | null;
      description: string;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO open311_requests (ticket_id, token, api_key_id, address_id, media_url, device_id, account_id, description) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.ticketId, r.token, r.apiKeyId, r.addressId, r.mediaUrl, r.deviceId, r.accountId, r.description],
    );
  }
}
