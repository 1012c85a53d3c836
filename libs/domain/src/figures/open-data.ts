/**
 * The public dataset of the town's service performance: monthly aggregates per department, category,
 * channel and area, with no personal data, and small counts suppressed: a cell whose requests number
 * fewer than the threshold is merged into the month's "autres" row; when that row is still under the
 * threshold, its figures are blanked (null) and `suppressed` says so. Pure: the worker passes the
 * facts of a month (requests received, resolved or open in it) and writes the files.
 */
import { median, p90, ratio } from './stats';

export const OPEN_DATA_OTHERS = 'autres';
export const OPEN_DATA_DEFAULT_THRESHOLD = 5;
export const OPEN_DATA_DEFAULT_LICENCE = 'Licence Ouverte / Open Licence version 2.0';
export const OPEN_DATA_DEFAULT_LICENCE_URL = 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/';

export interface OpenDataFact {
  department: string;
  category: string;
  channel: string;
  /** null: no position, or outside every area */
  area: string | null;
  receivedAt: Date;
  resolvedAt: Date | null;
  resolutionDays: number | null;
  slaResolution: 'met' | 'missed' | null;
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

const round = (v: number | null, digits: number): number | null => (v === null ? null : Number(v.toFixed(digits)));
const NO_AREA = 'non_localise';

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

function add(cell: Cell, f: OpenDataFact, start: number, end: number): boolean {
  const r = f.receivedAt.getTime();
  const s = f.resolvedAt?.getTime() ?? null;
  const received = r >= start && r < end;
  const resolved = s !== null && s >= start && s < end;
  const backlog = r < end && (s === null || s >= end);
  if (!received && !resolved && !backlog) return false;
  cell.requests++;
  if (received) cell.received++;
  if (backlog) cell.backlog++;
  if (resolved) {
    cell.resolved++;
    if (f.resolutionDays !== null) cell.days.push(f.resolutionDays);
    if (f.slaResolution) {
      cell.clocks++;
      if (f.slaResolution === 'met') cell.met++;
    }
  }
  return true;
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

/** The rows of one month ('YYYY-MM', instants [start, end)), small cells merged, sorted by their keys. */
export function openDataRows(month: string, start: Date, end: Date, facts: readonly OpenDataFact[], threshold: number): OpenDataRow[] {
  const s = start.getTime();
  const e = end.getTime();
  const cells = new Map<string, { cell: Cell; facts: OpenDataFact[] }>();
  for (const f of facts) {
    const key: Cell['key'] = [f.department, f.category, f.channel, f.area ?? NO_AREA];
    const k = key.join('\u0000');
    let c = cells.get(k);
    if (!c) cells.set(k, (c = { cell: emptyCell(key), facts: [] }));
    if (add(c.cell, f, s, e)) c.facts.push(f);
  }
  const others = emptyCell([OPEN_DATA_OTHERS, OPEN_DATA_OTHERS, OPEN_DATA_OTHERS, OPEN_DATA_OTHERS]);
  const rows: OpenDataRow[] = [];
  for (const { cell, facts: fs } of cells.values()) {
    if (cell.requests === 0) continue;
    if (cell.requests >= threshold) rows.push(rowOf(month, cell, false));
    else for (const f of fs) add(others, f, s, e);
  }
  const key = (r: OpenDataRow) => [r.service, r.categorie, r.canal, r.quartier].join('\u0000');
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (others.requests > 0) rows.push(rowOf(month, others, others.requests < threshold));
  return rows;
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
