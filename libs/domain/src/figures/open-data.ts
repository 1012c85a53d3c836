/**
 * The public dataset of the town's service performance: monthly aggregates per department, category,
 * channel and area, with no personal data, and small counts suppressed: a cell whose requests number
 * fewer than the threshold is merged into the month's "autres" row; when that row is still under the
 * threshold, its figures are blanked (null) and `suppressed` says so. Pure: the worker passes each
 * month's counts per cell (the figures' monthly cube, summed over priorities) and the resolution delays
 * of the requests resolved in it, and `openDataMonth` rolls the backlog on from one month to the next.
 *
 * The definitions (the dashboards' own, so that the baromètre and a DGS's month agree):
 * - received: received in the month; resolved: finally resolved in the month (a reopened request counts
 *   when it is resolved again);
 * - backlog at the month's end: received before it and not finally resolved before it — the backlog at its
 *   start, plus the month's received, less the month's settled (resolved, counted in the month of
 *   greatest(received, resolved));
 * - a cell's requests (the threshold's count): the month's received plus the backlog at its start, i.e. every
 *   request received, resolved or open in the month;
 * - delays: calendar days, the citizen's waits left out, of the requests resolved in the month;
 * - SLA compliance: the resolution clocks that stopped in the month, and the share of them met.
 */
import { median, p90, ratio } from './stats';

export const OPEN_DATA_OTHERS = 'autres';
export const OPEN_DATA_DEFAULT_THRESHOLD = 5;
export const OPEN_DATA_DEFAULT_LICENCE = 'Licence Ouverte / Open Licence version 2.0';
export const OPEN_DATA_DEFAULT_LICENCE_URL = 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/';

/** A cell of the dataset: department, category and channel codes, area (null: no position, or outside every area). */
export interface OpenDataKey {
  department: string;
  category: string;
  channel: string;
  area: string | null;
}

/** One cell's counts in one month. */
export interface OpenDataCounts extends OpenDataKey {
  received: number;
  resolved: number;
  /** resolved, counted in the month of greatest(received, resolved): what leaves the backlog */
  settled: number;
  slaMet: number;
  slaTotal: number;
}

/** One cell's backlog at an instant (the requests received before it and not finally resolved before it). */
export interface OpenDataBacklog extends OpenDataKey {
  open: number;
}

/** The resolution delays (calendar days) of one cell's requests resolved in a month. */
export interface OpenDataDelays extends OpenDataKey {
  days: readonly number[];
}

export interface OpenDataRow {
  mois: string;
  service: string;
  categorie: string;
  canal: string;
  quartier: string;
  demandes_recues: number | null;
  demandes_resolues: number | null;
  stock_fin_de_mois: number | null;
  delai_resolution_median_jours: number | null;
  delai_resolution_p90_jours: number | null;
  taux_respect_delai: number | null;
  /** true: the figures of this row were blanked (fewer requests than the threshold, even merged) */
  secret_statistique: boolean;
}

/** The baromètre's month: the whole town's figures, blanked when it counted fewer requests than the threshold. */
export interface BarometerMonth {
  month: string;
  received: number | null;
  resolved: number | null;
  backlog: number | null;
  resolutionDaysMedian: number | null;
  slaResolutionMetRate: number | null;
  /** fewer requests than the threshold this month: figures blanked */
  suppressed: boolean;
}

const round = (v: number | null, digits: number): number | null => (v === null ? null : Number(v.toFixed(digits)));
const NO_AREA = 'non_localise';
const keyOf = (k: OpenDataKey) => [k.department, k.category, k.channel, k.area ?? NO_AREA].join('\u0000');

interface Cell {
  key: [string, string, string, string];
  requests: number;
  received: number;
  resolved: number;
  backlog: number;
  days: number[];
  met: number;
  clocks: number;
}

const emptyCell = (key: Cell['key']): Cell => ({ key, requests: 0, received: 0, resolved: 0, backlog: 0, days: [], met: 0, clocks: 0 });

function merge(into: Cell, c: Cell): void {
  into.requests += c.requests;
  into.received += c.received;
  into.resolved += c.resolved;
  into.backlog += c.backlog;
  into.met += c.met;
  into.clocks += c.clocks;
  for (const d of c.days) into.days.push(d);
}

function rowOf(month: string, c: Cell, blank: boolean): OpenDataRow {
  return {
    mois: month,
    service: c.key[0],
    categorie: c.key[1],
    canal: c.key[2],
    quartier: c.key[3],
    demandes_recues: blank ? null : c.received,
    demandes_resolues: blank ? null : c.resolved,
    stock_fin_de_mois: blank ? null : c.backlog,
    delai_resolution_median_jours: blank ? null : round(median(c.days), 1),
    delai_resolution_p90_jours: blank ? null : round(p90(c.days), 1),
    taux_respect_delai: blank ? null : round(ratio(c.met, c.clocks), 3),
    secret_statistique: blank,
  };
}

export interface OpenDataMonth {
  /** the month's rows, small cells merged into "autres", sorted by their keys ("autres" last) */
  rows: OpenDataRow[];
  barometer: BarometerMonth;
  /** the backlog per cell at the month's end: the next month's `backlog` */
  backlog: OpenDataBacklog[];
}

/**
 * One month ('YYYY-MM') of the dataset from the backlog per cell at its start, its counts and its resolution
 * delays per cell; returns its rows, its baromètre figures and the backlog at its end.
 */
export function openDataMonth(
  month: string,
  backlog: readonly OpenDataBacklog[],
  counts: readonly OpenDataCounts[],
  delays: readonly OpenDataDelays[],
  threshold: number,
): OpenDataMonth {
  const cells = new Map<string, { key: OpenDataKey; c: Cell }>();
  const cell = (k: OpenDataKey): Cell => {
    const id = keyOf(k);
    let e = cells.get(id);
    if (!e) cells.set(id, (e = { key: k, c: emptyCell([k.department, k.category, k.channel, k.area ?? NO_AREA]) }));
    return e.c;
  };
  for (const b of backlog) {
    const c = cell(b);
    c.requests += b.open;
    c.backlog += b.open;
  }
  for (const n of counts) {
    const c = cell(n);
    c.requests += n.received;
    c.received += n.received;
    c.resolved += n.resolved;
    c.backlog += n.received - n.settled;
    c.met += n.slaMet;
    c.clocks += n.slaTotal;
  }
  for (const d of delays) {
    const c = cell(d);
    for (const v of d.days) c.days.push(v);
  }

  const others = emptyCell([OPEN_DATA_OTHERS, OPEN_DATA_OTHERS, OPEN_DATA_OTHERS, OPEN_DATA_OTHERS]);
  const town = emptyCell([OPEN_DATA_OTHERS, OPEN_DATA_OTHERS, OPEN_DATA_OTHERS, OPEN_DATA_OTHERS]);
  const rows: OpenDataRow[] = [];
  const after: OpenDataBacklog[] = [];
  for (const { key: k, c } of cells.values()) {
    if (c.backlog !== 0) after.push({ department: k.department, category: k.category, channel: k.channel, area: k.area, open: c.backlog });
    merge(town, c);
    if (c.requests === 0) continue;
    if (c.requests >= threshold) rows.push(rowOf(month, c, false));
    else merge(others, c);
  }
  const sortKey = (r: OpenDataRow) => [r.service, r.categorie, r.canal, r.quartier].join('\u0000');
  rows.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  if (others.requests > 0) rows.push(rowOf(month, others, others.requests < threshold));

  const suppressed = town.requests < threshold;
  const med = median(town.days);
  const rate = ratio(town.met, town.clocks);
  return {
    rows,
    barometer: {
      month,
      received: suppressed ? null : town.received,
      resolved: suppressed ? null : town.resolved,
      backlog: suppressed ? null : town.backlog,
      resolutionDaysMedian: suppressed || med === null ? null : Number(med.toFixed(1)),
      slaResolutionMetRate: suppressed || rate === null ? null : Number(rate.toFixed(3)),
      suppressed,
    },
    backlog: after,
  };
}

export const OPEN_DATA_COLUMNS = [
  'mois',
  'service',
  'categorie',
  'canal',
  'quartier',
  'demandes_recues',
  'demandes_resolues',
  'stock_fin_de_mois',
  'delai_resolution_median_jours',
  'delai_resolution_p90_jours',
  'taux_respect_delai',
  'secret_statistique',
] as const satisfies ReadonlyArray<keyof OpenDataRow>;

/** The Table Schema (frictionless specs, schema.data.gouv.fr conventions) of the CSV file. */
export function openDataTableSchema(licence: { title: string; path: string }, threshold: number) {
  const int = (name: string, title: string, description: string) => ({
    name,
    title,
    description,
    type: 'integer',
    constraints: { required: false, minimum: 0 },
  });
  const num = (name: string, title: string, description: string, max?: number) => ({
    name,
    title,
    description,
    type: 'number',
    constraints: { required: false, minimum: 0, ...(max !== undefined ? { maximum: max } : {}) },
  });
  const str = (name: string, title: string, description: string) => ({
    name,
    title,
    description,
    type: 'string',
    constraints: { required: true },
  });
  return {
    $schema: 'https://frictionlessdata.io/schemas/table-schema.json',
    name: 'grc-indicateurs-mensuels',
    title: 'Indicateurs mensuels de la relation aux usagers',
    description: `Agrégats mensuels des demandes des usagers par service, catégorie, canal et quartier. Aucune donnée personnelle. Les cellules de moins de ${threshold} demandes sont regroupées dans « ${OPEN_DATA_OTHERS} » ; si ce regroupement compte encore moins de ${threshold} demandes, ses chiffres sont masqués (secret_statistique = true).`,
    licenses: [licence],
    missingValues: [''],
    primaryKey: ['mois', 'service', 'categorie', 'canal', 'quartier'],
    fields: [
      {
        name: 'mois',
        title: 'Mois',
        description: 'Mois civil (AAAA-MM), fuseau de la commune',
        type: 'yearmonth',
        constraints: { required: true },
      },
      str('service', 'Service', 'Code du service traitant (ou « autres »)'),
      str('categorie', 'Catégorie', 'Code de la catégorie de la demande (ou « autres »)'),
      str('canal', 'Canal', 'Canal de réception : web, email, phone, counter, mail, open311 (ou « autres »)'),
      str('quartier', 'Quartier', 'Quartier (zone de routage) de la position de la demande, « non_localise » sans position'),
      int('demandes_recues', 'Demandes reçues', 'Demandes reçues dans le mois'),
      int('demandes_resolues', 'Demandes résolues', 'Demandes dont la résolution définitive tombe dans le mois'),
      int('stock_fin_de_mois', 'Stock en fin de mois', 'Demandes reçues et non résolues à la fin du mois'),
      num(
        'delai_resolution_median_jours',
        'Délai de résolution médian (jours)',
        'Médiane, en jours calendaires hors attente de l’usager, des demandes résolues dans le mois',
      ),
      num('delai_resolution_p90_jours', 'Délai de résolution, 90e centile (jours)', '90e centile du même délai'),
      num(
        'taux_respect_delai',
        'Taux de respect du délai',
        'Part des délais de résolution (SLA) terminés dans le mois et tenus (0 à 1)',
        1,
      ),
      {
        name: 'secret_statistique',
        title: 'Secret statistique',
        description: 'Chiffres masqués (moins de demandes que le seuil)',
        type: 'boolean',
        trueValues: ['true'],
        falseValues: ['false'],
        constraints: { required: true },
      },
    ],
  };
}

/** JSON Schema of the JSON file (validated by the tests with ajv). */
export function openDataJsonSchema() {
  const nint = { type: ['integer', 'null'], minimum: 0 };
  const nnum = { type: ['number', 'null'], minimum: 0 };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['titre', 'licence', 'genere_le', 'seuil_secret_statistique', 'donnees'],
    additionalProperties: false,
    properties: {
      titre: { type: 'string' },
      commune: { type: 'string' },
      licence: { type: 'object', required: ['title', 'path'], properties: { title: { type: 'string' }, path: { type: 'string' } } },
      genere_le: { type: 'string', format: 'date-time' },
      seuil_secret_statistique: { type: 'integer', minimum: 1 },
      donnees: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: [...OPEN_DATA_COLUMNS],
          properties: {
            mois: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' },
            service: { type: 'string', minLength: 1 },
            categorie: { type: 'string', minLength: 1 },
            canal: { type: 'string', minLength: 1 },
            quartier: { type: 'string', minLength: 1 },
            demandes_recues: nint,
            demandes_resolues: nint,
            stock_fin_de_mois: nint,
            delai_resolution_median_jours: nnum,
            delai_resolution_p90_jours: nnum,
            taux_respect_delai: { type: ['number', 'null'], minimum: 0, maximum: 1 },
            secret_statistique: { type: 'boolean' },
          },
        },
      },
    },
  };
}
