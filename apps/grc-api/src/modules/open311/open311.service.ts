import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { parseReference } from '@grc/domain';
import type { AuditActor } from '../audit/audit.service';
import { CitizensService } from '../citizens/citizens.service';
import { systemActor } from '../auth/authenticated-agent';
import { TicketsService } from '../tickets/tickets.service';
import { InboxCountersScheduler } from '../worker/inbox-counters.scheduler';
import { badApiKey, badParam, notFound311 } from './open311.errors';
import { w3cDateTime, type Open311Object } from './open311.format';
import {
  location,
  mediaUrl,
  rawAttributes,
  requester,
  text,
  validateAttributes,
  w3cDate,
  type AttributeDefinition,
  type RawParams,
} from './open311.params';

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** GET requests: the standard's defaults (the last 90 days, at most 1000 requests). */
export const DEFAULT_WINDOW_DAYS = 90;
export const MAX_REQUESTS = 1000;

interface Town {
  code: string | null;
  timezone: string;
  prefix: string;
}

interface RequestRow {
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

const CLOSED = ['resolved', 'closed'];

/**
 * The Open311 GeoReport v2 channel over the GRC's data: services are the active categories, service
 * requests the tickets received on the `open311` channel (tickets of the other channels are never
 * published: they may concern a person's civil status). Creation follows TicketsService.create():
 * routing, reference, timeline `created` event and audit event in one transaction.
 */
@Injectable()
export class Open311Service {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly citizens: CitizensService,
    private readonly tickets: TicketsService,
    private readonly counters: InboxCountersScheduler,
  ) {}

  /** The town's code (the only jurisdiction_id accepted besides none), time zone and reference prefix. */
  async town(m: EntityManager = this.db.manager): Promise<Town> {
    const [t] = await m.query(`SELECT code, timezone, reference_prefix FROM town_settings WHERE id = 1`);
    return { code: t?.code ?? null, timezone: t?.timezone ?? 'Europe/Paris', prefix: t?.reference_prefix ?? 'GRC' };
  }

  /** jurisdiction_id is optional; when given it must be the town's code (404 otherwise, as an unknown endpoint). */
  async checkJurisdiction(params: RawParams): Promise<Town> {
    const town = await this.town();
    const j = params['jurisdiction_id'];
    if (j === undefined || j === null || j === '') return town;
    if (typeof j !== 'string' || j.trim() !== town.code)
      throw notFound311('jurisdiction_id inconnu : ce serveur ne sert que la commune « ' + (town.code ?? '') + ' ».');
    return town;
  }

  async services(): Promise<Open311Object[]> {
    const rows: Array<{ code: string; name_fr: string; name_en: string; department: string; has_attributes: boolean }> =
      await this.db.query(
        `SELECT c.code, c.name_fr, c.name_en, d.name AS department,
              EXISTS (SELECT 1 FROM category_attributes a WHERE a.category_id = c.id) AS has_attributes
       FROM categories c JOIN departments d ON d.id = c.default_department_id
       WHERE c.active ORDER BY d.name, c.name_fr`,
      );
    return rows.map((r) => ({
      service_code: r.code,
      service_name: r.name_fr,
      description: `${r.name_fr} — traité par : ${r.department}`,
      metadata: r.has_attributes,
      type: 'realtime',
      keywords: [...new Set([r.code.replace(/-/g, ' '), r.name_en.toLowerCase()])].join(', '),
      group: r.department,
    }));
  }

  async definition(code: string): Promise<Open311Object> {
    const [category] = await this.db.query(`SELECT id FROM categories WHERE code = $1 AND active`, [code]);
    if (!category) throw notFound311(`Service inconnu : ${code.slice(0, 64)}.`);
    const defs = await this.attributes(this.db.manager, category.id);
    return {
      service_code: code,
      attributes: defs.map((d) => ({
        variable: d.variable,
        code: d.code,
        datatype: d.datatype,
        required: d.required,
        datatype_description: d.datatypeDescription,
        order: d.order,
        description: d.description,
        values: d.values.map((v) => ({ key: String(v.key), name: String(v.name) })),
      })),
    };
  }

  private async attributes(m: EntityManager, categoryId: string): Promise<AttributeDefinition[]> {
    const rows = await m.query(
      `SELECT code, datatype, variable, required, datatype_description, description, "order", "values"
       FROM category_attributes WHERE category_id = $1 ORDER BY "order", code`,
      [categoryId],
    );
    return rows.map(
      (r: Record<string, unknown>) =>
        ({
          code: r['code'],
          datatype: r['datatype'],
          variable: r['variable'],
          required: r['required'],
          datatypeDescription: r['datatype_description'] ?? null,
          description: r['description'],
          order: r['order'],
          values: Array.isArray(r['values']) ? r['values'] : [],
        }) as AttributeDefinition,
    );
  }

  /** GET requests: by ids (the other filters are then ignored, as the standard says), else by service, dates and status. */
  async list(params: RawParams, town: Town): Promise<Open311Object[]> {
    const where: string[] = [`t.channel = 'open311'`];
    const args: unknown[] = [];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    const ids = text(params, 'service_request_id', 40_000);
    if (ids !== null) {
      const refs = ids
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (refs.length > MAX_REQUESTS) throw badParam(`service_request_id : ${MAX_REQUESTS} identifiants au plus.`);
      const canonical = refs.map((r) => parseReference(r)).filter((r): r is string => r !== null);
      where.push(`t.reference = ANY(${arg(canonical)}::text[])`);
    } else {
      const codes = text(params, 'service_code', 4000);
      if (codes !== null) {
        const list = [
          ...new Set(
            codes
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== ''),
          ),
        ];
        const known: Array<{ code: string }> = await this.db.query(`SELECT code FROM categories WHERE code = ANY($1::text[])`, [list]);
        const unknown = list.filter((c) => !known.some((k) => k.code === c));
        if (unknown.length) throw badParam(`service_code inconnu : ${unknown.join(', ').slice(0, 200)}.`);
        where.push(`c.code = ANY(${arg(list)}::text[])`);
      }
      const startRaw = text(params, 'start_date', 40);
      const endRaw = text(params, 'end_date', 40);
      const end = endRaw === null ? null : w3cDate(endRaw, 'end_date');
      let start = startRaw === null ? null : w3cDate(startRaw, 'start_date');
      if (start && end && start > end) throw badParam('start_date doit précéder end_date.');
      if (!start) start = new Date((end ?? new Date()).getTime() - DEFAULT_WINDOW_DAYS * 86_400_000);
      where.push(`t.created_at >= ${arg(start)}`);
      if (end) where.push(`t.created_at <= ${arg(end)}`);
      const status = text(params, 'status', 20);
      if (status !== null) {
        const wanted = new Set(status.split(',').map((s) => s.trim().toLowerCase()));
        if (![...wanted].every((s) => s === 'open' || s === 'closed')) throw badParam('status doit valoir open ou closed.');
        if (wanted.size === 1) where.push(`coalesce(mt.status, t.status) ${wanted.has('closed') ? '' : 'NOT '}IN ('resolved', 'closed')`);
      }
    }
    const rows: RequestRow[] = await this.db.query(
      `${REQUEST_SELECT} WHERE ${where.join(' AND ')}
      ORDER BY t.created_at DESC, t.id DESC LIMIT ${MAX_REQUESTS}`,
      args,
    );
    return rows.map((r) => this.toRequest(r, town));
  }

  async one(id: string, town: Town): Promise<Open311Object> {
    const reference = parseReference(id);
    const rows: RequestRow[] = reference
      ? await this.db.query(`${REQUEST_SELECT} WHERE t.channel = 'open311' AND t.reference = $1`, [reference])
      : [];
    if (!rows[0]) throw notFound311(`Demande inconnue : ${id.slice(0, 64)}.`);
    return this.toRequest(rows[0], town);
  }

  async token(token: string): Promise<Open311Object> {
    const [row] = await this.db.query(
      `SELECT t.reference FROM open311_requests o JOIN tickets t ON t.id = o.ticket_id WHERE o.token = $1`,
      [token.slice(0, 64)],
    );
    if (!row) throw notFound311(`Jeton inconnu : ${token.slice(0, 64)}.`);
    return { service_request_id: row.reference, token };
  }

  private toRequest(r: RequestRow, town: Town): Open311Object {
    return {
      service_request_id: r.reference,
      status: CLOSED.includes(r.status) ? 'closed' : 'open',
      status_notes: r.status_notes,
      service_name: r.service_name,
      service_code: r.service_code,
      description: r.description,
      agency_responsible: r.agency,
      service_notice: null,
      requested_datetime: w3cDateTime(r.created_at, town.timezone),
      updated_datetime: w3cDateTime(r.updated_at, town.timezone),
      expected_datetime: r.expected_at && !CLOSED.includes(r.status) ? w3cDateTime(r.expected_at, town.timezone) : null,
      address: r.address,
      address_id: r.address_id,
      zipcode: r.address ? (/\b(\d{5})\b/.exec(r.address)?.[1] ?? null) : null,
      lat: r.latitude,
      long: r.longitude,
      media_url: r.media_url,
    };
  }

  /**
   * POST requests: checks the api_key (403), the service and its attributes, the location and the
   * requester (400), then creates the ticket on the `open311` channel in one transaction with its
   * timeline `created` event, the audit events (`open311:<key name>`) and the token.
   */
  async create(params: RawParams, ip: string | null): Promise<{ serviceRequestId: string; token: string; accountId: string | null }> {
    const apiKey = text(params, 'api_key', 200);
    if (apiKey === null) throw badApiKey();
    const [key] = await this.db.query(`SELECT id, name FROM open311_api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [sha256(apiKey)]);
    if (!key) throw badApiKey();

    const serviceCode = text(params, 'service_code', 64);
    if (serviceCode === null) throw badParam('Le paramètre service_code est obligatoire.');
    const [category] = await this.db.query(`SELECT id, name_fr FROM categories WHERE code = $1 AND active`, [serviceCode]);
    if (!category) throw badParam(`service_code inconnu : ${serviceCode}.`);
    const where = location(params);
    const who = requester(params);
    const description = text(params, 'description', 4000) ?? '';
    const media = mediaUrl(params);
    const deviceId = text(params, 'device_id', 200);
    const accountId = text(params, 'account_id', 200);
    const attributes = validateAttributes(await this.attributes(this.db.manager, category.id), rawAttributes(params));

    const actor: AuditActor = { actorId: null, actorLabel: `open311:${key.name}`.slice(0, 254), ip };
    const token = randomUUID();
    const reference = await this.db.transaction(async (m) => {
      // the same e-mail (else phone) is the same person; with no contact at all, no citizen (a given name is
      // kept in the `created` event); a nameless requester is "Usager Open311"
      const matched = await this.citizens.matchOrCreate(m, actor, { kind: 'resident', ...who, fallbackName: 'Usager Open311' });
      if (!matched.ok) throw badParam(matched.errors.map((e) => e.message).join(' '));
      const citizenId = matched.value;
      const loc = where.lat !== null && where.long !== null ? { lat: where.lat, lng: where.long } : null;
      const data: Record<string, unknown> = { client: key.name, token };
      if (media) data['links'] = [{ kind: 'media', url: media, source: 'open311' }];
      if (!citizenId && (who.firstName || who.lastName)) data['reporter'] = { firstName: who.firstName, lastName: who.lastName };
      const { reference } = await this.tickets.createIn(
        m,
        { ...systemActor(`open311:${key.name}`), ip },
        {
          channel: 'open311',
          categoryId: category.id,
          subject: subjectOf(description, category.name_fr),
          description,
          citizenId,
          address: where.addressString,
          location: loc,
          attributes,
          eventData: data,
          auditActor: actor,
        },
        async ({ id }) => {
          await m.query(
            `INSERT INTO open311_requests (ticket_id, token, api_key_id, address_id, media_url, device_id, account_id, description) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [id, token, key.id, where.addressId, media, deviceId, accountId, description],
          );
          return [];
        },
      );
      await m.query(`UPDATE open311_api_keys SET last_used_at = now() WHERE id = $1`, [key.id]);
      return reference;
    });
    void this.counters.requestRecompute();
    return { serviceRequestId: reference, token, accountId };
  }
}

/** The inbox subject: the description's first line (shortened), else the service's name. */
export function subjectOf(description: string, serviceName: string): string {
  const line =
    description
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  if ([...line].length < 3) return `${serviceName} (Open311)`.slice(0, 300);
  const chars = [...line];
  return chars.length > 120 ? `${chars.slice(0, 119).join('')}…` : line;
}

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
