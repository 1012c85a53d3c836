// Bulk seed of the benchmark database: citizens, tickets, their timeline and audit trail, generated
// inside PostgreSQL with INSERT … SELECT FROM generate_series (no row travels over the wire).
//
// Speed: secondary indexes are dropped before the load and rebuilt after it (their definitions are
// read from pg_indexes, so they match the migrations exactly); constraints (primary keys, unique
// references) stay. Foreign-key triggers are skipped with session_replication_role = replica: every
// referenced id is taken from the reference tables or generated from the same formula as the rows
// it points to, and a check at the end verifies it. The work is split over two connections (two cores).
import {
  CATEGORY_PHRASES,
  FALLBACK_PHRASES,
  OPENINGS,
  CLOSINGS,
  STREETS,
  NORTH_STREETS,
  PARK_SPOTS,
  RARE_SENTENCE,
  RARE_EVERY,
  FIRST_NAMES,
  LAST_NAMES,
  ORGANISATIONS,
  REPLIES,
  NOTES,
} from './phrases.mjs';

/** three years of requests, up to yesterday, unless `days` says otherwise (`--years=5`: 1826 days, the figures' bench) */
const DEFAULT_DAYS = 1095;
const S = 'bench_seed'; // helper schema, dropped at the end

/** Relative volume of each category (a town gets far more potholes than death certificates). */
const CATEGORY_WEIGHTS = {
  'nid-de-poule': 9,
  'trottoir-degrade': 6,
  signalisation: 3,
  'depot-sauvage': 9,
  'tags-graffitis': 4,
  encombrants: 7,
  'proprete-rues': 6,
  'lampadaire-en-panne': 7,
  'eclairage-jour': 1,
  elagage: 4,
  'entretien-espaces-verts': 4,
  'aire-de-jeux': 2,
  'acte-naissance': 6,
  'acte-mariage': 2,
  'acte-deces': 2,
  'recensement-citoyen': 2,
  'certificat-urbanisme': 2,
  'declaration-prealable': 3,
  'reclamation-urbanisme': 3,
  'inscription-scolaire': 3,
  'restauration-scolaire': 3,
  'nuisances-sonores': 5,
  'stationnement-genant': 5,
  'objet-trouve': 2,
  'animal-errant': 2,
  autre: 4,
};
/** Categories whose requests usually carry a place (and so may be routed by area). */
const LOCATED = new Set([
  'nid-de-poule',
  'trottoir-degrade',
  'signalisation',
  'depot-sauvage',
  'tags-graffitis',
  'encombrants',
  'proprete-rues',
  'lampadaire-en-panne',
  'eclairage-jour',
  'elagage',
  'entretien-espaces-verts',
  'aire-de-jeux',
  'nuisances-sonores',
  'stationnement-genant',
  'animal-errant',
  'reclamation-urbanisme',
]);

const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const arr = (xs) => `ARRAY[${xs.map(lit).join(', ')}]::text[]`;
const numArr = (xs) => `ARRAY[${xs.join(', ')}]`;

/** Ray casting; polygon as [[lng, lat], …] (GeoJSON order, as in routing.yaml). */
function inPolygon([lng, lat], poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
const ring = (area) => {
  if (!area) return null;
  if (Array.isArray(area)) return area;
  if (area.type === 'Polygon') return area.coordinates[0];
  if (area.coordinates) return area.coordinates[0];
  return null;
};

/** Department for a category at a point (null: no location), first matching rule by position. */
function route(rules, defaultDepartmentId, point) {
  for (const r of rules) {
    const poly = ring(r.area);
    if (!poly) return r.department_id;
    if (point && inPolygon(point, poly)) return r.department_id;
  }
  return defaultDepartmentId;
}

async function timed(log, label, fn) {
  const t0 = performance.now();
  const out = await fn();
  const s = (performance.now() - t0) / 1000;
  log(`  ${label}: ${s.toFixed(1)} s`);
  return { out, seconds: s };
}

/**
 * Communes (issue 15/16): the requests are spread over every commune of the install (`communes`: the demo town
 * alone, or with the demo métropole — packs/demo-metropole — Saint-Aubin, Grand Aubin Métropole and Val-Fleuri).
 * Each commune files its requests in its own categories (routed to its own departments) and, when it belongs to a
 * métropole, in the métropole's categories of a shared department (« Bac de collecte abîmé », to its collecte);
 * Val-Fleuri's encombrants go to that shared service by its own routing. Its citizens, timeline and audit rows
 * carry its `commune_id`, its references its prefix (the year's number is the install's, like the app's). Shares:
 * `shares` ({ code: weight }), else the default commune 80 %, a métropole's own requests 3 %, the rest split
 * between the other communes. With one commune, the seed is the town's alone, as before.
 *
 * `lean` (the 10 M figures' seed, to stay within ~40 GB): a request's timeline keeps only the events the
 * figures fold reads (created, status_changed, reply: ≈ 1.9 per request instead of ≈ 2.5 — no `assigned`,
 * no internal `note`) and its audit trail only `ticket.create` (1 per request instead of ≈ 3 — no
 * `ticket.assign`, `ticket.status`, `citizen.read`).
 * @param {{ connect: () => Promise<import('pg').Client>, tickets: number, citizens?: number, days?: number, lean?: boolean, shares?: Record<string, number>, log?: (s: string) => void }} opts
 * @returns figures: rows per table, seconds per phase, rows/s
 */
export async function seed({
  connect,
  tickets: N,
  citizens: C = Math.round(N * 0.4),
  days: DAYS = DEFAULT_DAYS,
  lean = false,
  shares = undefined,
  log = console.log,
}) {
  const a = await connect();
  const b = await connect();
  const phases = {};
  const t0 = performance.now();
  try {
    for (const c of [a, b]) {
      await c.query(`SET synchronous_commit = off; SET session_replication_role = replica;
        SET work_mem = '64MB'; SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 1`);
    }

    // --- reference data: the communes, their categories, routing and agents ---------------------
    const { rows: communes } = await a.query(`SELECT c.id, c.code, c.name, c.kind, c.parent_id, c.is_default,
        coalesce(ts.reference_prefix, 'GRC') AS prefix
      FROM communes c LEFT JOIN town_settings ts ON ts.commune_id = c.id ORDER BY c.is_default DESC, c.code`);
    const { rows: cats } = await a.query(`SELECT c.id, c.code, c.commune_id, c.default_department_id, d.shared
      FROM categories c JOIN departments d ON d.id = c.default_department_id WHERE c.active ORDER BY c.commune_id, c.code`);
    const { rows: rules } = await a.query(`SELECT category_id, department_id, area, position FROM routing_rules ORDER BY position, id`);
    const { rows: deptAgents } = await a.query(`SELECT ad.department_id, array_agg(a.id ORDER BY a.email) AS agents
      FROM agent_departments ad JOIN agents a ON a.id = ad.agent_id WHERE a.active AND a.role <> 'admin' GROUP BY ad.department_id`);
    const [{ start_date: startDate }] = (await a.query(`SELECT to_char(current_date - ${DAYS}, 'YYYY-MM-DD') AS start_date`)).rows;
    if (!cats.length) throw new Error('no categories: load the demo town first');
    if (!communes.length) throw new Error('no commune: run the migrations first');
    // each commune's share of the requests (and of the citizens)
    const others = communes.filter((c) => !c.is_default && c.kind !== 'metropole').length;
    const weight = (c) =>
      shares
        ? (shares[c.code] ?? 0)
        : c.is_default
          ? 0.8
          : c.kind === 'metropole'
            ? 0.03
            : (0.2 - 0.03 * communes.filter((x) => x.kind === 'metropole').length) / Math.max(1, others);
    const total = communes.reduce((n, c) => n + weight(c), 0);
    if (!(total > 0)) throw new Error(`no commune has a share: ${JSON.stringify(shares)}`);
    let cum = 0;
    let cLo = 1;
    for (const [k, c] of communes.entries()) {
      c.idx = k + 1;
      c.share = weight(c) / total;
      cum += c.share;
      c.upTo = cum; // a ticket's random draw below this (and above the previous one's): this commune
      c.cLo = cLo;
      c.cN = k === communes.length - 1 ? C - cLo + 1 : Math.max(1, Math.round(C * c.share));
      cLo += c.cN;
    }
    const defaultCommune = communes.find((c) => c.is_default) ?? communes[0];
    const drawn = communes.filter((c) => c.share > 0); // the communes that get requests

    // --- helper tables, shared by both connections ----------------------------------------
    await a.query(`DROP SCHEMA IF EXISTS ${S} CASCADE; CREATE SCHEMA ${S}`);
    await a.query(`CREATE TABLE ${S}.existing AS SELECT id FROM tickets`);
    await a.query(
      `CREATE TABLE ${S}.cat (idx int PRIMARY KEY, category_id uuid, code text, located boolean, subjects text[], details text[])`,
    );
    await a.query(`CREATE TABLE ${S}.route (idx int, zone int, department_id uuid, PRIMARY KEY (idx, zone))`);
    await a.query(`CREATE TABLE ${S}.dept_agents (department_id uuid PRIMARY KEY, agents uuid[])`);
    await a.query(`CREATE TABLE ${S}.year_base (y int PRIMARY KEY, first_g bigint, off bigint)`);
    await a.query(`CREATE TABLE ${S}.commune (idx int PRIMARY KEY, id uuid, prefix text, c_lo bigint, c_n bigint, pick int[])`);
    const zonePoint = {
      0: null,
      1: [STREETS[0][2], STREETS[0][1]],
      2: [NORTH_STREETS[0][2], NORTH_STREETS[0][1]],
      3: [PARK_SPOTS[0][2], PARK_SPOTS[0][1]],
    };
    const catIdx = new Map();
    for (const [i, c] of cats.entries()) {
      const ph = CATEGORY_PHRASES[c.code] ?? FALLBACK_PHRASES;
      catIdx.set(c.id, i + 1);
      // the streets and areas of the phrases are Saint-Aubin's (the default commune's): other communes' requests carry no place
      await a.query(`INSERT INTO ${S}.cat VALUES ($1, $2, $3, $4, $5, $6)`, [
        i + 1,
        c.id,
        c.code,
        LOCATED.has(c.code) && c.commune_id === defaultCommune.id,
        ph.subjects,
        ph.details,
      ]);
      const own = rules.filter((r) => r.category_id === c.id);
      for (const zone of [0, 1, 2, 3]) {
        await a.query(`INSERT INTO ${S}.route VALUES ($1, $2, $3)`, [i + 1, zone, route(own, c.default_department_id, zonePoint[zone])]);
      }
    }
    for (const cm of communes) {
      // its own categories, and its métropole's of a shared department
      const pick = [];
      for (const c of cats)
        if (c.commune_id === cm.id || (cm.parent_id && c.commune_id === cm.parent_id && c.shared))
          for (let k = 0; k < (CATEGORY_WEIGHTS[c.code] ?? 2); k++) pick.push(catIdx.get(c.id));
      if (!pick.length && cm.share > 0) throw new Error(`commune ${cm.code} has no category for its share of the requests`);
      await a.query(`INSERT INTO ${S}.commune VALUES ($1, $2, $3, $4, $5, $6)`, [
        cm.idx,
        cm.id,
        cm.prefix,
        cm.cLo,
        cm.cN,
        pick.length ? pick : [0],
      ]);
    }
    log(
      `  communes: ${communes.map((c) => `${c.code} ${(c.share * 100).toFixed(1)} % (${c.prefix}, ${c.cN.toLocaleString('en')} citizens)`).join(', ')}`,
    );
    for (const d of deptAgents) await a.query(`INSERT INTO ${S}.dept_agents VALUES ($1, $2)`, [d.department_id, d.agents]);
    // Day d (0 … DAYS-1) holds tickets first_g(d) … first_g(d+1)-1, so a year's first sequence number is known upfront.
    // The year's number is the install's (one sequence per year for every commune, as in the app): the seeded ones follow
    // the highest of that year whatever its prefix.
    const firstG = (d) => Math.floor((d * N + DAYS - 1) / DAYS) + 1;
    const start = new Date(`${startDate}T00:00:00Z`);
    const lastYear = new Date(start.getTime() + (DAYS - 1) * 86400e3).getUTCFullYear();
    for (let y = start.getUTCFullYear(); y <= lastYear; y++) {
      const dy = Math.max(0, Math.round((Date.UTC(y, 0, 1) - start.getTime()) / 86400e3));
      const {
        rows: [{ off }],
      } = await a.query(
        `SELECT coalesce(max(substring(reference from '[0-9]+$')::bigint), 0) AS off FROM tickets WHERE reference LIKE $1`,
        [`%-${y}-%`],
      );
      await a.query(`INSERT INTO ${S}.year_base VALUES ($1, $2, $3)`, [y, firstG(dy), off]);
    }

    // --- drop secondary indexes (recreated after the load) ---------------------------------
    const { rows: indexes } = await a.query(`SELECT i.schemaname, i.tablename, i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename IN ('tickets', 'citizens', 'ticket_events', 'audit_events')
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`);
    for (const ix of indexes) await a.query(`DROP INDEX ${ix.schemaname}.${ix.indexname}`);
    log(`  dropped ${indexes.length} secondary indexes; ${cats.length} categories in ${communes.length} commune(s), start ${startDate}`);

    const halves = (n) => [
      [1, Math.floor(n / 2)],
      [Math.floor(n / 2) + 1, n],
    ];

    // --- citizens ----------------------------------------------------------------------------
    // a citizen's commune: by ranges of g (${S}.commune.c_lo, c_n), its requests' citizens are drawn from its range
    const communeOf = (col) =>
      communes.length === 1
        ? lit(communes[0].id) + '::uuid'
        : `CASE ${communes
            .slice(0, -1)
            .map((c) => `WHEN ${col} < ${c.cLo + c.cN} THEN ${lit(c.id)}::uuid`)
            .join(' ')} ELSE ${lit(communes.at(-1).id)}::uuid END`;
    const cityOf = (col) =>
      communes.length === 1
        ? `'Saint-Aubin-sur-Loire'`
        : `CASE ${communes
            .slice(0, -1)
            .map(
              (c) =>
                `WHEN ${col} < ${c.cLo + c.cN} THEN ${lit(c.is_default ? 'Saint-Aubin-sur-Loire' : c.name.replace(/^Commune de /, ''))}`,
            )
            .join(' ')} ELSE ${lit(communes.at(-1).name.replace(/^Commune de /, ''))} END`;
    const citizenSql = (
      lo,
      hi,
    ) => `INSERT INTO citizens (id, commune_id, kind, first_name, last_name, organisation_name, contact_person, email, phone,
        address, postcode, city, preferred_channel, created_at, updated_at)
      SELECT ${S}.uid('c' || g), ${communeOf('g')},
        CASE WHEN g % 40 = 0 THEN 'organisation' ELSE 'resident' END,
        CASE WHEN g % 40 = 0 THEN NULL ELSE fn END,
        CASE WHEN g % 40 = 0 THEN NULL ELSE ln END,
        CASE WHEN g % 40 = 0 THEN (${arr(ORGANISATIONS)})[1 + g % ${ORGANISATIONS.length}] END,
        CASE WHEN g % 40 = 0 THEN fn || ' ' || ln END,
        CASE WHEN g % 5 < 3 THEN lower(${S}.ascii(fn)) || '.' || lower(${S}.ascii(ln)) || g || '@' || (ARRAY['example.org', 'example.net', 'example.com'])[1 + g % 3] END,
        CASE WHEN g % 5 > 0 THEN '+3363998' || lpad((g % 10000)::text, 4, '0') END,
        (1 + g % 120) || ' ' || (${arr(STREETS.map((s) => s[0]))})[1 + (g / 7) % ${STREETS.length}],
        '37999', ${cityOf('g')},
        (ARRAY['email', 'phone', 'web', 'mail'])[1 + g % 4],
        now() - make_interval(days => ((${DAYS} + 30) * (1 - g::float8 / ${C}))::int), now() - make_interval(days => ((${DAYS} + 30) * (1 - g::float8 / ${C}))::int)
      FROM (SELECT g, (${arr(FIRST_NAMES)})[1 + g % ${FIRST_NAMES.length}] AS fn,
                   (${arr(LAST_NAMES)})[1 + (g / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}] AS ln
            FROM generate_series(${lo}::bigint, ${hi}::bigint) g) s`;
    // Deterministic ids shaped as UUID v4 (the API validates version and variant).
    await a.query(`CREATE FUNCTION ${S}.uid(text) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT overlay(overlay(md5($1) placing '4' from 13) placing '8' from 17)::uuid $$`);
    await a.query(
      `CREATE FUNCTION ${S}.ascii(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT translate(grc_unaccent($1), ' ''', '--') $$`,
    );
    phases.citizens = (
      await timed(log, `citizens (${C.toLocaleString('en')})`, () =>
        Promise.all(halves(C).map(([lo, hi], i) => [a, b][i].query(citizenSql(lo, hi)))),
      )
    ).seconds;

    // --- tickets -------------------------------------------------------------------------------
    const rare = RARE_EVERY > 1 ? `CASE WHEN g % ${RARE_EVERY} = ${4242 % RARE_EVERY} THEN ${lit(' ' + RARE_SENTENCE)} ELSE '' END` : `''`;
    const ticketSql = (
      lo,
      hi,
    ) => `INSERT INTO tickets (id, commune_id, reference, channel, category_id, department_id, assignee_id, citizen_id,
        subject, description, address, latitude, longitude, priority, status, created_by, created_at, updated_at, resolved_at, closed_at, version)
      SELECT id, commune_id, reference, channel, category_id, department_id, assignee_id, citizen_id, subject, description, address, latitude, longitude,
        priority, status, created_by, created_at,
        least(now(), coalesce(closed_at, resolved_at, created_at + make_interval(hours => (r12 * 72)::int))) AS updated_at,
        resolved_at, closed_at, 1 + (assignee_id IS NOT NULL)::int + (status <> 'new')::int
      FROM (
        SELECT ${S}.uid('t' || x.g) AS id, x.commune_id,
          x.prefix || '-' || x.y || '-' || CASE WHEN x.seq < 1000000 THEN lpad(x.seq::text, 6, '0') ELSE x.seq::text END AS reference,
          x.channel, c.category_id, rt.department_id,
          CASE WHEN x.status <> 'new' AND x.r8 < 0.42 THEN da.agents[1 + floor(x.r9 * cardinality(da.agents))::int] END AS assignee_id,
          CASE WHEN x.r10 < 0.88 THEN ${S}.uid('c' || (x.c_lo + floor(x.r11 * x.c_n))::bigint) END AS citizen_id,
          c.subjects[1 + x.g % cardinality(c.subjects)] AS subject,
          (${arr(OPENINGS)})[1 + (x.g / 3) % ${OPENINGS.length}] || ' ' || c.details[1 + (x.g / 7) % cardinality(c.details)]
            || CASE WHEN x.place IS NOT NULL THEN ' C’est ' || CASE WHEN x.zone = 3 THEN 'dans le ' ELSE 'au ' END || x.place || '.' ELSE '' END
            || ${rare} || ' ' || (${arr(CLOSINGS)})[1 + (x.g / 11) % ${CLOSINGS.length}] AS description,
          x.place AS address, x.lat AS latitude, x.lng AS longitude, x.priority, x.status,
          CASE WHEN x.channel IN ('phone', 'counter', 'mail') THEN da.agents[1 + floor(x.r10 * cardinality(da.agents))::int] END AS created_by,
          x.created_at,
          CASE WHEN x.status IN ('resolved', 'closed') THEN least(now(), x.created_at + make_interval(hours => (4 + x.r12 * 480)::int)) END AS resolved_at,
          CASE WHEN x.status = 'closed' THEN least(now(), x.created_at + make_interval(hours => (4 + x.r12 * 480 + 168)::int)) END AS closed_at,
          x.r12
        FROM (
          SELECT w.*, w.g - yb.first_g + 1 + yb.off AS seq, yb.y,
            CASE w.zone WHEN 1 THEN (1 + floor(w.r4 * 120)::int) || ' ' || (${arr(STREETS.map((s) => s[0]))})[1 + floor(w.r3 * ${STREETS.length})::int]
                        WHEN 2 THEN (1 + floor(w.r4 * 40)::int) || ' ' || (${arr(NORTH_STREETS.map((s) => s[0]))})[1 + floor(w.r3 * ${NORTH_STREETS.length})::int]
                        WHEN 3 THEN (${arr(PARK_SPOTS.map((s) => s[0]))})[1 + floor(w.r3 * ${PARK_SPOTS.length})::int] END AS place,
            CASE w.zone WHEN 1 THEN (${numArr(STREETS.map((s) => s[1]))})[1 + floor(w.r3 * ${STREETS.length})::int]
                        WHEN 2 THEN (${numArr(NORTH_STREETS.map((s) => s[1]))})[1 + floor(w.r3 * ${NORTH_STREETS.length})::int]
                        WHEN 3 THEN (${numArr(PARK_SPOTS.map((s) => s[1]))})[1 + floor(w.r3 * ${PARK_SPOTS.length})::int] END + (w.r4 - 0.5) * 0.0006 AS lat,
            CASE w.zone WHEN 1 THEN (${numArr(STREETS.map((s) => s[2]))})[1 + floor(w.r3 * ${STREETS.length})::int]
                        WHEN 2 THEN (${numArr(NORTH_STREETS.map((s) => s[2]))})[1 + floor(w.r3 * ${NORTH_STREETS.length})::int]
                        WHEN 3 THEN (${numArr(PARK_SPOTS.map((s) => s[2]))})[1 + floor(w.r3 * ${PARK_SPOTS.length})::int] END + (w.r13 - 0.5) * 0.0006 AS lng,
            (w.day::timestamp + interval '8 hours' + w.p * interval '11 hours') AT TIME ZONE 'Europe/Paris' AS created_at,
            CASE WHEN ${DAYS} - 1 - w.d < 60
              THEN CASE WHEN w.r5 < 0.25 THEN 'new' WHEN w.r5 < 0.6 THEN 'open' WHEN w.r5 < 0.7 THEN 'waiting_citizen' WHEN w.r5 < 0.85 THEN 'resolved' ELSE 'closed' END
              ELSE CASE WHEN w.r5 < 0.01 THEN 'new' WHEN w.r5 < 0.04 THEN 'open' WHEN w.r5 < 0.05 THEN 'waiting_citizen' WHEN w.r5 < 0.15 THEN 'resolved' ELSE 'closed' END
            END AS status,
            CASE WHEN w.r6 < 0.35 THEN 'web' WHEN w.r6 < 0.60 THEN 'phone' WHEN w.r6 < 0.80 THEN 'email' WHEN w.r6 < 0.90 THEN 'counter'
                 WHEN w.r6 < 0.95 THEN 'mail' ELSE 'open311' END AS channel,
            CASE WHEN w.r7 < 0.10 THEN 0 WHEN w.r7 < 0.80 THEN 1 WHEN w.r7 < 0.97 THEN 2 ELSE 3 END AS priority
          FROM (
            SELECT v.*, (DATE ${lit(startDate)} + v.d::int) AS day,
              (v.g - ((v.d * ${N} + ${DAYS - 1}) / ${DAYS} + 1))::float8
                / greatest(1, (((v.d + 1) * ${N} + ${DAYS - 1}) / ${DAYS} + 1) - ((v.d * ${N} + ${DAYS - 1}) / ${DAYS} + 1)) AS p,
              cm.id AS commune_id, cm.prefix, cm.c_lo, cm.c_n, cm.pick[1 + floor(v.r1 * cardinality(cm.pick))::int] AS cat_idx,
              CASE WHEN v.r2 < 0.35 THEN 0 WHEN v.r2 < 0.85 THEN 1 WHEN v.r2 < 0.97 THEN 2 ELSE 3 END AS zone0
            FROM (
              SELECT g, ((g - 1) * ${DAYS}) / ${N} AS d,
                random() r1, random() r2, random() r3, random() r4, random() r5, random() r6, random() r7,
                random() r8, random() r9, random() r10, random() r11, random() r12, random() r13, random() r14
              FROM generate_series(${lo}::bigint, ${hi}::bigint) g OFFSET 0
            ) v
            JOIN ${S}.commune cm ON cm.idx = ${
              drawn.length === 1
                ? drawn[0].idx
                : `CASE ${drawn
                    .slice(0, -1)
                    .map((c) => `WHEN v.r14 < ${c.upTo} THEN ${c.idx}`)
                    .join(' ')} ELSE ${drawn.at(-1).idx} END`
            }
          ) w0
          CROSS JOIN LATERAL (SELECT w0.*, CASE WHEN cc.located THEN w0.zone0 ELSE 0 END AS zone FROM ${S}.cat cc WHERE cc.idx = w0.cat_idx) w
          JOIN ${S}.year_base yb ON yb.y = extract(year FROM w.day)::int
        ) x
        JOIN ${S}.cat c ON c.idx = x.cat_idx
        JOIN ${S}.route rt ON rt.idx = x.cat_idx AND rt.zone = x.zone
        LEFT JOIN ${S}.dept_agents da ON da.department_id = rt.department_id
      ) t`;
    phases.tickets = (
      await timed(log, `tickets (${N.toLocaleString('en')})`, () =>
        Promise.all(halves(N).map(([lo, hi], i) => [a, b][i].query(ticketSql(lo, hi)))),
      )
    ).seconds;

    // --- timeline (≈ 2.5 per ticket) and audit trail (≈ 3 per ticket), in parallel -----------------
    const seeded = `FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ${S}.existing x0 WHERE x0.id = t.id)`;
    const eventsSql = `INSERT INTO ticket_events (ticket_id, commune_id, kind, actor_id, at, body, data)
      SELECT t.id, t.commune_id, e.kind, e.actor, e.at, e.body, e.data
      ${seeded.replace(
        'WHERE',
        `CROSS JOIN LATERAL (VALUES
        ('created', t.created_by, t.created_at, NULL::text, jsonb_build_object('channel', t.channel, 'departmentId', t.department_id), true),
        ('assigned', t.assignee_id, t.created_at + interval '20 minutes', NULL, jsonb_build_object('from', NULL, 'to', t.assignee_id), ${lean ? 'false' : 't.assignee_id IS NOT NULL'}),
        ('status_changed', coalesce(t.assignee_id, t.created_by), coalesce(t.closed_at, t.resolved_at, t.updated_at), NULL,
          jsonb_build_object('from', 'new', 'to', t.status), t.status <> 'new'),
        ('reply', coalesce(t.assignee_id, t.created_by), coalesce(t.resolved_at, t.updated_at) - interval '1 minute',
          (${arr(REPLIES)})[1 + abs(hashtext(t.reference)) % ${REPLIES.length}], '{}'::jsonb, abs(hashtext(t.reference)) % 100 < 10),
        ('note', coalesce(t.assignee_id, t.created_by), t.created_at + interval '1 day',
          (${arr(NOTES)})[1 + abs(hashtext(t.subject || t.reference)) % ${NOTES.length}], '{}'::jsonb,
          ${lean ? 'false' : 't.assignee_id IS NOT NULL AND abs(hashtext(t.subject || t.reference)) % 100 < 15'})
      ) e(kind, actor, at, body, data, keep) WHERE e.keep AND`,
      )}`;
    const auditSql = `INSERT INTO audit_events (commune_id, at, actor_id, actor_label, action, entity_type, entity_id, changes, ip)
      SELECT t.commune_id, e.at, e.actor, coalesce(ag.email, 'citoyen'), e.action, e.entity_type, e.entity_id, e.changes, '10.0.0.' || (1 + abs(hashtext(t.reference)) % 200)
      ${seeded.replace(
        'WHERE',
        `CROSS JOIN LATERAL (VALUES
        (t.created_at, t.created_by, 'ticket.create', 'ticket', t.id::text, jsonb_build_object(
          'reference', jsonb_build_object('before', NULL, 'after', t.reference), 'channel', jsonb_build_object('before', NULL, 'after', t.channel),
          'categoryId', jsonb_build_object('before', NULL, 'after', t.category_id), 'departmentId', jsonb_build_object('before', NULL, 'after', t.department_id),
          'subject', jsonb_build_object('before', NULL, 'after', t.subject)), true),
        (t.created_at + interval '20 minutes', t.assignee_id, 'ticket.assign', 'ticket', t.id::text,
          jsonb_build_object('assigneeId', jsonb_build_object('before', NULL, 'after', t.assignee_id)), ${lean ? 'false' : 't.assignee_id IS NOT NULL'}),
        (coalesce(t.closed_at, t.resolved_at, t.updated_at), coalesce(t.assignee_id, t.created_by), 'ticket.status', 'ticket', t.id::text,
          jsonb_build_object('status', jsonb_build_object('before', 'new', 'after', t.status)), ${lean ? 'false' : "t.status <> 'new'"}),
        (t.created_at + interval '5 minutes', coalesce(t.assignee_id, t.created_by), 'citizen.read', 'citizen', t.citizen_id::text, '{}'::jsonb,
          ${lean ? 'false' : 't.citizen_id IS NOT NULL AND abs(hashtext(t.reference)) % 100 < 75'})
      ) e(at, actor, action, entity_type, entity_id, changes, keep)
      LEFT JOIN agents ag ON ag.id = e.actor
      WHERE e.keep AND`,
      )}`;
    const [ev, au] = await Promise.all([
      timed(log, 'ticket_events', () => a.query(eventsSql)),
      timed(log, 'audit_events', () => b.query(auditSql)),
    ]);
    phases.events = ev.seconds;
    phases.audit = au.seconds;

    // --- rebuild the indexes (the GIN full-text index on one connection, the rest on the other) ---
    const gin = indexes.filter((ix) => /USING gin/i.test(ix.indexdef));
    const btree = indexes.filter((ix) => !/USING gin/i.test(ix.indexdef));
    const runAll = async (c, list) => {
      for (const ix of list) await c.query(ix.indexdef);
    };
    phases.indexes = (await timed(log, `indexes (${indexes.length})`, () => Promise.all([runAll(a, gin), runAll(b, btree)]))).seconds;

    // References: the app's per-year counters continue after the seeded numbers.
    const { rows: years } = await a.query(`SELECT y, off + ${N} AS upper FROM ${S}.year_base`);
    for (const { y } of years) {
      await a.query(`CREATE SEQUENCE IF NOT EXISTS ticket_number_${y}`);
      await a.query(
        `SELECT setval('ticket_number_${y}', greatest(1, (SELECT coalesce(max(substring(reference from '[0-9]+$')::bigint), 1)
        FROM tickets WHERE reference LIKE $1)))`,
        [`%-${y}-%`],
      );
    }

    phases.vacuum = (
      await timed(log, 'vacuum analyze', () =>
        Promise.all([
          (async () => {
            await a.query('VACUUM (ANALYZE) tickets');
            await a.query('VACUUM (ANALYZE) citizens');
          })(),
          (async () => {
            await b.query('VACUUM (ANALYZE) ticket_events');
            await b.query('VACUUM (ANALYZE) audit_events');
          })(),
        ]),
      )
    ).seconds;

    // Integrity: what the skipped foreign-key triggers would have checked.
    const {
      rows: [chk],
    } = await a.query(`SELECT
      (SELECT count(*) FROM tickets t WHERE t.citizen_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM citizens z WHERE z.id = t.citizen_id)) AS orphan_citizens,
      (SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM categories c WHERE c.id = t.category_id)
          OR NOT EXISTS (SELECT 1 FROM departments d WHERE d.id = t.department_id)) AS orphan_refs,
      (SELECT count(*) FROM tickets t WHERE t.assignee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agents g WHERE g.id = t.assignee_id)) AS orphan_assignees`);
    if (Number(chk.orphan_citizens) || Number(chk.orphan_refs) || Number(chk.orphan_assignees)) {
      throw new Error(`seed integrity check failed: ${JSON.stringify(chk)}`);
    }
    await a.query(`DROP SCHEMA ${S} CASCADE`);

    const {
      rows: [counts],
    } = await a.query(`SELECT (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(*) FROM citizens)::int AS citizens,
      (SELECT count(*) FROM ticket_events)::int AS ticket_events, (SELECT count(*) FROM audit_events)::int AS audit_events,
      (SELECT count(*) FROM tickets WHERE search_vector @@ websearch_to_tsquery('grc_french', 'mérule'))::int AS rare_word_tickets,
      (SELECT count(*) FROM tickets WHERE search_vector @@ websearch_to_tsquery('grc_french', 'trottoir'))::int AS common_word_tickets,
      (SELECT count(*) FROM tickets WHERE assignee_id IS NOT NULL)::int AS assigned,
      (SELECT jsonb_object_agg(code, n) FROM (SELECT c.code, count(*)::int AS n FROM tickets t JOIN communes c ON c.id = t.commune_id GROUP BY c.code) x) AS per_commune,
      (SELECT count(*) FROM tickets t JOIN departments d ON d.id = t.department_id WHERE d.shared AND d.commune_id <> t.commune_id)::int AS shared_service,
      pg_size_pretty(pg_database_size(current_database())) AS db_size`);
    const seconds = (performance.now() - t0) / 1000;
    const rows = N + C + (counts.ticket_events ?? 0) + (counts.audit_events ?? 0);
    return {
      seconds,
      phases,
      counts,
      rowsInserted: rows,
      rowsPerSecond: Math.round(rows / seconds),
      ticketsPerSecond: Math.round(N / seconds),
    };
  } finally {
    await a.end();
    await b.end();
  }
}
