import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { BanAddress } from '@grc/domain';
import { inboxConditions, Sql, type InboxFilter } from '../tickets/inbox.repository';

export interface StreetHit {
  key: string;
  name: string;
  postcode: string;
  commune: string;
  lat: number;
  lon: number;
  score: number;
}
export interface AddressRow {
  id: string;
  street_key: string;
  number: number;
  rep: string | null;
  street: string;
  postcode: string;
  commune: string;
  lat: number;
  lon: number;
}
export interface MapCellRow {
  lat: number;
  lon: number;
  n: number;
  breached: boolean;
  due_soon: boolean;
  has_sla: boolean;
  status: string;
  id: string | null;
  reference: string | null;
  subject: string | null;
  address: string | null;
}
export interface NearbyRow {
  id: string;
  reference: string;
  subject: string;
  status: string;
  address: string | null;
  lat: number;
  lon: number;
}

/** The open statuses, as literals: the partial index tickets_open_position_commune is chosen only for the same predicate. */
const OPEN_PLACED = `t.latitude IS NOT NULL AND t.longitude IS NOT NULL AND t.status IN ('new', 'open', 'waiting_citizen')`;

/**
 * Every query of places: `addresses`, `address_streets`, `address_imports` (the BAN import, search-as-you-type,
 * reverse geocoding, the admin's summary) and the map's reads of open `tickets` (the nearby list and the map of
 * requests, scoped with the inbox's own conditions — `inboxConditions` of the tickets module). Never writes a ticket.
 */
@Injectable()
export class PlacesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  get dataSource(): DataSource {
    return this.db;
  }

  // ------------------------------------------------------------------ import

  /** The commune new addresses are filed under (the connection's, else the install's default); null: no town yet. */
  async importCommune(): Promise<string | null> {
    const [row] = await this.db.query(`SELECT grc_row_commune() AS id`);
    return row?.id ?? null;
  }

  /** One import at a time (two admins, or the CLI and the screen): the second waits for the first's commit. */
  async lockImports(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('grc:ban-import'))`);
  }

  async startImport(m: EntityManager, source: string, by: string | null): Promise<string> {
    const [row] = await m.query(`INSERT INTO address_imports (source, by_agent) VALUES ($1, $2) RETURNING id`, [source.slice(0, 300), by]);
    return row.id;
  }

  async finishImport(m: EntityManager, id: string, report: object): Promise<void> {
    await m.query(`UPDATE address_imports SET finished_at = now(), report = $2 WHERE id = $1`, [id, JSON.stringify(report)]);
  }

  /**
   * One batch of lines, upserted by BAN id: a new id is inserted, a changed line updated in place, an unchanged one
   * only stamped with this import (so that `removeStale` keeps it). The counts come from RETURNING (xmax = 0: inserted).
   */
  async upsertBatch(
    m: EntityManager,
    importId: string,
    rows: ReadonlyArray<BanAddress & { streetKey: string }>,
  ): Promise<{ inserted: number; updated: number; unchanged: number }> {
    if (!rows.length) return { inserted: 0, updated: 0, unchanged: 0 };
    const col = <K extends keyof (BanAddress & { streetKey: string })>(k: K) => rows.map((r) => r[k]);
    const result: Array<{ inserted: boolean; changed: boolean }> = await m.query(
      `INSERT INTO addresses AS a (id, street_key, fantoir, number, rep, street, postcode, insee, commune, lat, lon, import_id)
       SELECT u.*, $12::uuid FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
                                       $9::text[], $10::float8[], $11::float8[]) AS u
       ON CONFLICT (id) DO UPDATE SET
         street_key = EXCLUDED.street_key, fantoir = EXCLUDED.fantoir, number = EXCLUDED.number, rep = EXCLUDED.rep,
         street = EXCLUDED.street, postcode = EXCLUDED.postcode, insee = EXCLUDED.insee, commune = EXCLUDED.commune,
         lat = EXCLUDED.lat, lon = EXCLUDED.lon, import_id = EXCLUDED.import_id,
         updated_at = CASE WHEN (a.street_key, a.fantoir, a.number, a.rep, a.street, a.postcode, a.insee, a.commune, a.lat, a.lon)
                                IS DISTINCT FROM (EXCLUDED.street_key, EXCLUDED.fantoir, EXCLUDED.number, EXCLUDED.rep, EXCLUDED.street,
                                                  EXCLUDED.postcode, EXCLUDED.insee, EXCLUDED.commune, EXCLUDED.lat, EXCLUDED.lon)
                           THEN now() ELSE a.updated_at END
       RETURNING (xmax = 0) AS inserted, (a.updated_at = now()) AS changed`,
      [
        col('id'),
        col('streetKey'),
        col('fantoir'),
        col('number'),
        col('rep'),
        col('street'),
        col('postcode'),
        col('insee'),
        col('commune'),
        col('lat'),
        col('lon'),
        importId,
      ],
    );
    let inserted = 0,
      updated = 0;
    for (const r of result) {
      if (r.inserted) inserted++;
      else if (r.changed) updated++;
    }
    return { inserted, updated, unchanged: result.length - inserted - updated };
  }

  /** The addresses of the file's communes that this import did not see: gone from the BAN. */
  async removeStale(m: EntityManager, importId: string, insee: readonly string[]): Promise<number> {
    const [row] = await m.query(
      `WITH gone AS (DELETE FROM addresses WHERE insee = ANY($1::text[]) AND import_id <> $2 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [insee, importId],
    );
    return row.n;
  }

  /** Rebuilds the streets of these communes from their addresses (name, commune, centre, count). */
  async rebuildStreets(m: EntityManager, insee: readonly string[]): Promise<void> {
    await m.query(`DELETE FROM address_streets WHERE insee = ANY($1::text[])`, [insee]);
    await m.query(
      `INSERT INTO address_streets (key, name, insee, postcode, commune, lat, lon, addresses)
       SELECT street_key, mode() WITHIN GROUP (ORDER BY street), min(insee), mode() WITHIN GROUP (ORDER BY postcode),
              mode() WITHIN GROUP (ORDER BY commune), avg(lat), avg(lon), count(*)
       FROM addresses WHERE insee = ANY($1::text[]) GROUP BY street_key`,
      [insee],
    );
  }

  // ------------------------------------------------------------------ search

  /**
   * Streets whose name and commune have a word starting with each word typed ("av de la ga" finds "Avenue de la
   * Gare"), in any order: a prefix query on the full-text index of `search` (GIN on `to_tsvector('simple', search)`,
   * migration 1763800001300) — no similarity is computed on the rows, the few hundred matches are ranked on cheap
   * expressions (the name starting with what was typed, then the shortest, then the biggest street). Only when no
   * street has such words (a typo: "jean jaurs") does pg_trgm's word similarity answer, nearest first along the GiST
   * trigram index (`<->>` KNN, so only the best rows are read). `text` is normalised like the generated `search` column.
   * With a house number, each street's addresses of that number come in the same round trip (index
   * `addresses_street_number`), every repetition index: the caller ranks them.
   */
  async streets(
    text: string,
    postcode: string | null,
    limit: number,
    number: number | null = null,
  ): Promise<Array<StreetHit & { found: AddressRow[] }>> {
    // parseAddressQuery leaves letters and digits only; anything else is dropped, so the tsquery has no operator of the user's
    const words = text.split(' ').filter((w) => /^[\p{L}\p{N}]+$/u.test(w));
    if (!words.length) return [];
    const query = (score: string, where: string, order: string, first: string) =>
      this.db.query(
        `WITH s AS (
           SELECT key, name, postcode, commune, lat, lon, ${score} AS score, row_number() OVER (ORDER BY ${order}) AS rank
           FROM address_streets WHERE ${where} AND ($2::text IS NULL OR postcode = $2)
           ORDER BY ${order} LIMIT $3)
         SELECT s.key, s.name, s.postcode, s.commune, s.lat, s.lon, s.score,
                CASE WHEN $4::int IS NULL THEN '[]'::json ELSE (
                  SELECT coalesce(json_agg(json_build_object('id', a.id, 'street_key', a.street_key, 'number', a.number, 'rep', a.rep,
                           'street', a.street, 'postcode', a.postcode, 'commune', a.commune, 'lat', a.lat, 'lon', a.lon)), '[]'::json)
                  FROM addresses a WHERE a.street_key = s.key AND a.number = $4) END AS found
         FROM s ORDER BY s.rank`,
        [first, postcode, limit, number, words.join(' ')],
      ) as Promise<Array<StreetHit & { found: AddressRow[] }>>;
    const hits = await query(
      '1::float8',
      `to_tsvector('simple', search) @@ to_tsquery('simple', $1)`,
      'starts_with(search, $5) DESC, length(search), addresses DESC, key',
      words.map((w) => `${w}:*`).join(' & '),
    );
    if (hits.length || words.join('').length < 3) return hits;
    // `$1 <% search` rather than its commutator `search %> $1`: the same test, through the LEAKPROOF function
    // that row-level security lets the trigram index answer (database/rls-indexable.ts)
    return query('word_similarity($1, search)', '$1 <% search', 'search <->> $5, addresses DESC, key', words.join(' '));
  }

  /** The addresses nearest a point (KNN on the GiST index; planar order, the caller measures true distances). */
  nearestAddresses(lat: number, lon: number, limit: number): Promise<AddressRow[]> {
    return this.db.query(
      `SELECT id, street_key, number, rep, street, postcode, commune, lat, lon FROM addresses
       ORDER BY point(lon, lat) <-> point($2, $1) LIMIT $3`,
      [lat, lon, limit],
    );
  }

  async summary(): Promise<{
    addresses: number;
    streets: number;
    communes: Array<{ insee: string; name: string; addresses: number }>;
    lastImportAt: Date | null;
    centre: { lat: number; lon: number } | null;
  }> {
    const [[counts], communes] = await Promise.all([
      this.db.query(
        `SELECT (SELECT count(*) FROM addresses)::int AS addresses, (SELECT count(*) FROM address_streets)::int AS streets,
                (SELECT max(finished_at) FROM address_imports) AS last_import_at`,
      ),
      this.db.query(
        `SELECT insee, min(commune) AS name, sum(addresses)::int AS addresses FROM address_streets GROUP BY insee ORDER BY insee LIMIT 500`,
      ),
    ]);
    return {
      addresses: counts.addresses,
      streets: counts.streets,
      communes,
      lastImportAt: counts.last_import_at,
      centre: null,
    };
  }

  /** The centre of the town's streets (where the map opens), null without addresses. */
  async centre(): Promise<{ lat: number; lon: number } | null> {
    const [row] = await this.db.query(`SELECT avg(lat) AS lat, avg(lon) AS lon FROM address_streets`);
    return row && row.lat !== null ? { lat: Number(row.lat), lon: Number(row.lon) } : null;
  }

  // ------------------------------------------------------------------ tickets on the map

  /** A ticket's department and position (the nearby list's subject). */
  async ticketPosition(id: string): Promise<{ department_id: string; lat: number | null; lon: number | null } | null> {
    const [row] = await this.db.query(`SELECT department_id, latitude AS lat, longitude AS lon FROM tickets WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** Open requests of these departments (null: all) near a point, nearest first, within a box of ±`degrees`. */
  nearbyOpen(
    lat: number,
    lon: number,
    scope: readonly string[] | null,
    excludeId: string | null,
    degrees: number,
    limit: number,
  ): Promise<NearbyRow[]> {
    return this.db.query(
      `SELECT t.id, t.reference, t.subject, t.status, t.address, t.latitude AS lat, t.longitude AS lon
       FROM tickets t
       WHERE ${OPEN_PLACED}
         AND point(t.longitude, t.latitude) <@ box(point($2::float8 - $5::float8, $1::float8 - $5::float8), point($2::float8 + $5::float8, $1::float8 + $5::float8))
         AND ($3::uuid[] IS NULL OR t.department_id = ANY($3::uuid[]))
         AND ($4::uuid IS NULL OR t.id <> $4)
       ORDER BY point(t.longitude, t.latitude) <-> point($2::float8, $1::float8)
       LIMIT $6`,
      [lat, lon, scope, excludeId, degrees, limit],
    );
  }

  /**
   * The map of requests: open, placed requests in the viewport that the inbox would list with the same filters,
   * grouped on a grid of `cell` degrees (server-side clustering per zoom level). A cell of one request carries it.
   */
  async mapCells(
    f: Omit<InboxFilter, 'sort' | 'after' | 'limit'>,
    box: { west: number; south: number; east: number; north: number },
    cell: number,
    maxCells: number,
  ): Promise<{ cells: MapCellRow[]; unplaced: number; total: number; truncated: boolean }> {
    const sql = new Sql();
    inboxConditions(sql, f);
    const where = sql.where.length ? `AND ${sql.where.join(' AND ')}` : '';
    const b = [sql.p(box.west), sql.p(box.south), sql.p(box.east), sql.p(box.north)];
    const c = sql.p(cell);
    const limit = sql.p(maxCells);
    // Grouped first on the covering index alone (index-only: position, SLA, status and the inbox's usual columns are
    // INCLUDEd, migration 1763800001310; counts per status rather than mode(), so that the grouping can be hashed),
    // then the one-request cells' own columns read by id. The id leaves the grouping as a uuid (no min(uuid) in
    // PostgreSQL 15: min of its text, cast there): cast in the join instead, the condition held a function that is
    // not LEAKPROOF, row-level security kept it off the primary key, and every map request read all of `tickets`
    // (590 ms of 790 at 1 M, bench/places.mjs).
    // The window sums run over every cell before the LIMIT: the box's true count, and whether cells were left out.
    const rows: Array<Omit<MapCellRow, 'status'> & { n_new: number; n_open: number; n_waiting: number; all_n: number; all_cells: number }> =
      await this.db.query(
        `WITH c AS (
         SELECT avg(t.latitude) AS lat, avg(t.longitude) AS lon, count(*)::int AS n,
                bool_or(t.sla_breached OR t.sla_due_at < now()) AS breached,
                bool_or(t.sla_due_at < now() + interval '1 day') AS due_soon,
                bool_or(t.sla_due_at IS NOT NULL) AS has_sla,
                count(*) FILTER (WHERE t.status = 'new')::int AS n_new,
                count(*) FILTER (WHERE t.status = 'open')::int AS n_open,
                count(*) FILTER (WHERE t.status = 'waiting_citizen')::int AS n_waiting,
                CASE WHEN count(*) = 1 THEN min(t.id::text)::uuid END AS id,
                (sum(count(*)) OVER ())::int AS all_n, (count(*) OVER ())::int AS all_cells
         FROM tickets t
         WHERE ${OPEN_PLACED}
           AND point(t.longitude, t.latitude) <@ box(point(${b[0]}, ${b[1]}), point(${b[2]}, ${b[3]})) ${where}
         GROUP BY floor(t.longitude / ${c}), floor(t.latitude / ${c})
         ORDER BY count(*) DESC
         LIMIT ${limit})
       SELECT c.*, s.reference, s.subject, s.address FROM c LEFT JOIN tickets s ON s.id = c.id
       ORDER BY c.n DESC`,
        sql.params,
      );
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the window sums are the answer's, not a cell's
    const cells: MapCellRow[] = rows.map(({ n_new, n_open, n_waiting, all_n, all_cells, ...r }) => ({
      ...r,
      // the most frequent status (ties: the earliest in the life cycle, as mode() over the status' text did roughly)
      status: n_new >= n_open && n_new >= n_waiting ? 'new' : n_open >= n_waiting ? 'open' : 'waiting_citizen',
    }));
    const u = new Sql();
    inboxConditions(u, f);
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM tickets t
       WHERE t.status IN ('new', 'open', 'waiting_citizen') AND (t.latitude IS NULL OR t.longitude IS NULL)
       ${u.where.length ? `AND ${u.where.join(' AND ')}` : ''}`,
      u.params,
    );
    return { cells, unplaced: row.n, total: rows[0]?.all_n ?? 0, truncated: (rows[0]?.all_cells ?? 0) > cells.length };
  }
}
