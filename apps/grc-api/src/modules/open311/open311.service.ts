import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { enterCommune } from '../../database/tenancy';
import { DataSource } from 'typeorm';
import { parseReference, subjectFromOpen311 } from '@grc/domain';
import type { AuditActor } from '../audit/audit.service';
import { CitizensService } from '../citizens/citizens.service';
import { systemActor } from '../auth/authenticated-agent';
import { TicketsService } from '../tickets/tickets.service';
import { TownSettingsRepository } from '../town/town-settings.repository';
import { CategoriesRepository } from '../reference/categories.repository';
import { CategoryFieldsRepository } from '../reference/category-fields.repository';
import { Open311KeysRepository } from './open311-keys.repository';
import { Open311Repository, type RequestFilter, type RequestRow } from './open311.repository';
import { InboxCountersScheduler } from '../worker/inbox-counters.scheduler';
import { badApiKey, badParam, notFound311 } from './open311.errors';
import { w3cDateTime, type Open311Object } from './open311.format';
import { location, mediaUrl, rawAttributes, requester, text, validateAttributes, w3cDate, type RawParams } from './open311.params';

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** GET requests: the standard's defaults (the last 90 days, at most 1000 requests). */
export const DEFAULT_WINDOW_DAYS = 90;
export const MAX_REQUESTS = 1000;

interface Town {
  code: string | null;
  timezone: string;
  prefix: string;
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
    private readonly rows: Open311Repository,
    private readonly keys: Open311KeysRepository,
    private readonly townSettings: TownSettingsRepository,
    private readonly categories: CategoriesRepository,
    private readonly fields: CategoryFieldsRepository,
  ) {}

  /** The town's code (the only jurisdiction_id accepted besides none), time zone and reference prefix. */
  async town(): Promise<Town> {
    const t = await this.townSettings.get();
    return { code: t?.code ?? null, timezone: t?.timezone ?? 'Europe/Paris', prefix: t?.referencePrefix ?? 'GRC' };
  }

  /**
   * jurisdiction_id is optional (none: the install's default commune); when given it is a commune's code, and
   * the rest of the request works for that commune (database/tenancy.ts). An unknown one: 400, as GeoReport v2
   * says ("jurisdiction_id was not found").
   */
  async checkJurisdiction(params: RawParams): Promise<Town> {
    const j = params['jurisdiction_id'];
    if (j === undefined || j === null || j === '') return this.town();
    const commune = typeof j === 'string' ? await this.rows.communeByCode(j.trim()) : undefined;
    if (!commune) throw badParam('jurisdiction_id inconnu : ce n’est le code d’aucune commune de ce serveur.');
    enterCommune(commune.id);
    return this.town();
  }

  async services(): Promise<Open311Object[]> {
    const [rows, withFields] = await Promise.all([this.rows.services(), this.fields.categoriesWithFields()]);
    return rows.map((r) => ({
      service_code: r.code,
      service_name: r.name_fr,
      description: `${r.name_fr} — traité par : ${r.department}`,
      metadata: withFields.has(r.id),
      type: 'realtime',
      keywords: [...new Set([r.code.replace(/-/g, ' '), r.name_en.toLowerCase()])].join(', '),
      group: r.department,
    }));
  }

  async definition(code: string): Promise<Open311Object> {
    const category = await this.rows.activeService(code);
    if (!category) throw notFound311(`Service inconnu : ${code.slice(0, 64)}.`);
    const defs = await this.fields.ofCategory(category.id);
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

  /** GET requests: by ids (the other filters are then ignored, as the standard says), else by service, dates and status. */
  async list(params: RawParams, town: Town): Promise<Open311Object[]> {
    let filter: RequestFilter;
    const ids = text(params, 'service_request_id', 40_000);
    if (ids !== null) {
      const refs = ids
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (refs.length > MAX_REQUESTS) throw badParam(`service_request_id : ${MAX_REQUESTS} identifiants au plus.`);
      const canonical = refs.map((r) => parseReference(r)).filter((r): r is string => r !== null);
      filter = { references: canonical };
    } else {
      let serviceCodes: string[] | null = null;
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
        const known = await this.categories.existingCodes(list);
        const unknown = list.filter((c) => !known.has(c));
        if (unknown.length) throw badParam(`service_code inconnu : ${unknown.join(', ').slice(0, 200)}.`);
        serviceCodes = list;
      }
      const startRaw = text(params, 'start_date', 40);
      const endRaw = text(params, 'end_date', 40);
      const end = endRaw === null ? null : w3cDate(endRaw, 'end_date');
      let start = startRaw === null ? null : w3cDate(startRaw, 'start_date');
      if (start && end && start > end) throw badParam('start_date doit précéder end_date.');
      if (!start) start = new Date((end ?? new Date()).getTime() - DEFAULT_WINDOW_DAYS * 86_400_000);
      let wantedStatus: 'open' | 'closed' | null = null;
      const status = text(params, 'status', 20);
      if (status !== null) {
        const wanted = new Set(status.split(',').map((s) => s.trim().toLowerCase()));
        if (![...wanted].every((s) => s === 'open' || s === 'closed')) throw badParam('status doit valoir open ou closed.');
        if (wanted.size === 1) wantedStatus = wanted.has('closed') ? 'closed' : 'open';
      }
      filter = { serviceCodes, start, end, status: wantedStatus };
    }
    const rows = await this.rows.requests(filter, MAX_REQUESTS);
    return rows.map((r) => this.toRequest(r, town));
  }

  async one(id: string, town: Town): Promise<Open311Object> {
    const reference = parseReference(id);
    const row = reference ? await this.rows.request(reference) : null;
    if (!row) throw notFound311(`Demande inconnue : ${id.slice(0, 64)}.`);
    return this.toRequest(row, town);
  }

  async token(token: string): Promise<Open311Object> {
    const reference = await this.rows.referenceOfToken(token.slice(0, 64));
    if (!reference) throw notFound311(`Jeton inconnu : ${token.slice(0, 64)}.`);
    return { service_request_id: reference, token };
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
    const key = await this.keys.findActive(sha256(apiKey));
    if (!key) throw badApiKey();

    const serviceCode = text(params, 'service_code', 64);
    if (serviceCode === null) throw badParam('Le paramètre service_code est obligatoire.');
    const category = await this.rows.activeService(serviceCode);
    if (!category) throw badParam(`service_code inconnu : ${serviceCode}.`);
    const where = location(params);
    const who = requester(params);
    const description = text(params, 'description', 4000) ?? '';
    const media = mediaUrl(params);
    const deviceId = text(params, 'device_id', 200);
    const accountId = text(params, 'account_id', 200);
    const attributes = validateAttributes(await this.fields.ofCategory(category.id), rawAttributes(params));

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
          subject: subjectFromOpen311(description, category.name_fr),
          description,
          citizenId,
          address: where.addressString,
          location: loc,
          attributes,
          eventData: data,
          auditActor: actor,
        },
        async ({ id }) => {
          await this.rows.insertRequest(m, {
            ticketId: id,
            token,
            apiKeyId: key.id,
            addressId: where.addressId,
            mediaUrl: media,
            deviceId,
            accountId,
            description,
          });
          return [];
        },
      );
      await this.keys.touch(m, key.id);
      return reference;
    });
    void this.counters.requestRecompute();
    return { serviceRequestId: reference, token, accountId };
  }
}
