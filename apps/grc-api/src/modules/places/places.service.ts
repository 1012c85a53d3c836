import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import {
  addressLine,
  distanceMetres,
  parseAddressQuery,
  type AddressSuggestion,
  type BanImportReport,
  type MapSettings,
  type NearbyRequest,
  type PlacesSummary,
  type RequestsMap,
  type RequestsMapCell,
} from '@grc/domain';
import { invalidField, notFound } from '../../common/problem';
import { GRC_CONFIG, type GrcConfig } from '../../config/config';
import { auditActor } from '../audit/audit.service';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { InboxQuery } from '../tickets/inbox.query';
import { canSeeDepartment } from '../tickets/ticket-access';
import { importBan } from './ban-importer';
import { DECIMAL, type RequestsMapQueryDto } from './places.dto';
import { PlacesRepository, type AddressRow, type StreetHit } from './places.repository';

const STREETS_CONSIDERED = 10;
/** reverse geocoding: farther than this, the point is not "at" an address */
const REVERSE_MAX_METRES = 1000;
/** the nearby list: open requests within this many metres */
export const NEARBY_METRES = 500;
const NEARBY_LIMIT = 20;
/** the map's grid: a cell is a quarter of a 256-px tile's width at the zoom asked (≈ 64 px) */
const cellDegrees = (zoom: number) => 360 / 2 ** zoom / 4;
const MAX_CELLS = 2000;
/**
 * A viewport is at most this many 256-px tiles of its zoom wide and high (8,192 px: a wall of screens). A bigger box
 * is not a view of the map — the whole town at street level, or France at zoom 22 — and is refused rather than
 * grouped on a grid of millions of cells.
 */
export const MAX_VIEW_TILES = 32;
/** from this zoom on, every request is its own point (a street's scale) */
const POINTS_FROM_ZOOM = 18;

const label = (number: number | null, rep: string | null, street: string, postcode: string, commune: string) =>
  `${addressLine(number, rep, street)}, ${postcode} ${commune}`;

const fromAddress = (a: AddressRow, distance?: number): AddressSuggestion => ({
  id: a.id,
  kind: 'address',
  number: a.number,
  rep: a.rep,
  street: a.street,
  postcode: a.postcode,
  commune: a.commune,
  label: label(a.number, a.rep, a.street, a.postcode, a.commune),
  lat: a.lat,
  lng: a.lon,
  ...(distance !== undefined ? { distanceMetres: distance } : {}),
});

const fromStreet = (s: StreetHit): AddressSuggestion => ({
  id: `street:${s.key}`,
  kind: 'street',
  number: null,
  rep: null,
  street: s.name,
  postcode: s.postcode,
  commune: s.commune,
  label: label(null, null, s.name, s.postcode, s.commune),
  lat: Math.round(s.lat * 1e6) / 1e6,
  lng: Math.round(s.lon * 1e6) / 1e6,
});

/**
 * Places: the town's addresses (BAN) searched as one types and reverse-geocoded, the map's settings, the nearby
 * open requests of a ticket and the map of requests (the inbox's filters and permissions, clustered per zoom).
 */
@Injectable()
export class PlacesService {
  constructor(
    private readonly repo: PlacesRepository,
    private readonly inbox: InboxQuery,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
  ) {}

  /** "12 bis av de la gare" → the addresses 12 bis (then 12, 12 ter…) of the streets that match, else the streets. */
  async search(q: string, limit = 8): Promise<AddressSuggestion[]> {
    const query = parseAddressQuery(q);
    if (query.text.length < 2) return [];
    const streets = await this.repo.streets(query.text, query.postcode, STREETS_CONSIDERED, query.number);
    if (!streets.length) return [];
    if (query.number === null) return streets.slice(0, limit).map(fromStreet);
    const rank = new Map(streets.map((s, i) => [s.key, i]));
    const found = streets.flatMap((s) => s.found);
    found.sort(
      (a, b) =>
        rank.get(a.street_key)! - rank.get(b.street_key)! ||
        Number(b.rep === query.rep) - Number(a.rep === query.rep) ||
        Number(b.rep === null) - Number(a.rep === null) ||
        (a.rep ?? '').localeCompare(b.rep ?? ''),
    );
    // the exact addresses first, then the streets that have no such number (the agent places the point)
    const withNumber = new Set(found.map((a) => a.street_key));
    return [...found.map((a) => fromAddress(a)), ...streets.filter((s) => !withNumber.has(s.key)).map(fromStreet)].slice(0, limit);
  }

  /** The nearest address to a point (within 1 km), null if none. */
  async reverse(lat: number, lng: number): Promise<AddressSuggestion | null> {
    const rows = await this.repo.nearestAddresses(lat, lng, 8);
    let best: { row: AddressRow; d: number } | null = null;
    for (const row of rows) {
      const d = distanceMetres({ lat, lng }, { lat: row.lat, lng: row.lon });
      if (!best || d < best.d) best = { row, d };
    }
    return best && best.d <= REVERSE_MAX_METRES ? fromAddress(best.row, best.d) : null;
  }

  async mapSettings(): Promise<MapSettings> {
    const t = this.config.mapTiles;
    const centre = await this.repo.centre();
    return {
      tiles: t ? { url: t.url, attribution: t.attribution, maxZoom: t.maxZoom } : null,
      centre: centre ? { lat: Math.round(centre.lat * 1e6) / 1e6, lng: Math.round(centre.lon * 1e6) / 1e6 } : null,
    };
  }

  async summary(): Promise<PlacesSummary> {
    const s = await this.repo.summary();
    return {
      addresses: s.addresses,
      streets: s.streets,
      communes: s.communes,
      lastImportAt: s.lastImportAt ? new Date(s.lastImportAt).toISOString() : null,
    };
  }

  import(actor: Actor, input: Readable, source: string): Promise<BanImportReport> {
    return importBan(this.repo.dataSource, input, { source, actor: auditActor(actor) });
  }

  /** Open requests near a ticket (its visible departments only), nearest first, with distances. */
  async nearTicket(agent: AuthenticatedAgent, id: string): Promise<NearbyRequest[]> {
    const t = await this.repo.ticketPosition(id);
    if (!t || !canSeeDepartment(agent, t.department_id)) throw notFound('Demande');
    if (t.lat === null || t.lon === null) return [];
    return this.near(agent, t.lat, t.lon, id);
  }

  /** Open requests near a point (the new-ticket form: "already reported here?"). */
  near(agent: AuthenticatedAgent, lat: number, lng: number, excludeId: string | null = null): Promise<NearbyRequest[]> {
    const scope = agent.role === 'admin' ? null : agent.visibleDepartmentIds;
    // a box a bit wider than the radius (longitude degrees are shorter), then the true distance
    const degrees = NEARBY_METRES / 111_000 / Math.max(0.2, Math.cos((lat * Math.PI) / 180));
    return this.repo.nearbyOpen(lat, lng, scope, excludeId, degrees, NEARBY_LIMIT * 2).then((rows) =>
      rows
        .map((r) => ({
          id: r.id,
          reference: r.reference,
          subject: r.subject,
          status: r.status,
          address: r.address,
          lat: r.lat,
          lng: r.lon,
          distanceMetres: distanceMetres({ lat, lng }, { lat: r.lat, lng: r.lon }),
        }))
        .filter((r) => r.distanceMetres <= NEARBY_METRES)
        .sort((a, b) => a.distanceMetres - b.distanceMetres)
        .slice(0, NEARBY_LIMIT),
    );
  }

  /** The map of requests in a viewport: the inbox's view and filters, open and placed requests, clustered per zoom. */
  async requestsMap(agent: AuthenticatedAgent, query: RequestsMapQueryDto): Promise<RequestsMap> {
    const raw = query.bbox.split(',').map((p) => p.trim());
    const parts = raw.map((p) => (DECIMAL.test(p) ? Number(p) : NaN));
    const [west, south, east, north] = parts as [number, number, number, number];
    if (
      parts.length !== 4 ||
      parts.some((n) => !Number.isFinite(n)) ||
      west < -180 ||
      east > 180 ||
      south < -90 ||
      north > 90 ||
      west >= east ||
      south >= north
    )
      throw invalidField('bbox', 'Emprise invalide : ouest,sud,est,nord en degrés (ouest < est, sud < nord).', 'map.bbox');
    const tile = 360 / 2 ** query.zoom;
    if (east - west > MAX_VIEW_TILES * tile || north - south > MAX_VIEW_TILES * tile)
      throw invalidField(
        'bbox',
        `Emprise trop grande pour le niveau de zoom ${query.zoom} : au plus ${MAX_VIEW_TILES} tuiles de côté (zoomez en arrière ou réduisez la zone).`,
        'map.bbox_too_large',
        { zoom: query.zoom, tiles: MAX_VIEW_TILES },
      );
    const { bbox: _bbox, zoom, ...inboxQuery } = query;
    const filter = this.inbox.filterOf(agent, inboxQuery);
    const cell = zoom >= POINTS_FROM_ZOOM ? 1e-7 : cellDegrees(zoom);
    const { cells, unplaced, total, truncated } = await this.repo.mapCells(filter, { west, south, east, north }, cell, MAX_CELLS);
    return {
      zoom,
      total,
      truncated,
      unplaced,
      cells: cells.map((c): RequestsMapCell => ({
        lat: Math.round(Number(c.lat) * 1e6) / 1e6,
        lng: Math.round(Number(c.lon) * 1e6) / 1e6,
        count: c.n,
        sla: c.breached ? 'breached' : c.due_soon ? 'due_soon' : c.has_sla ? 'ok' : 'none',
        status: c.status,
        ...(c.n === 1 && c.id
          ? { ticket: { id: c.id, reference: c.reference ?? '', subject: c.subject ?? '', status: c.status, address: c.address } }
          : {}),
      })),
    };
  }
}
