import { Injectable } from '@nestjs/common';
import { PassThrough, pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { exceljs, pdfkit } from '../../common/on-demand';
import { monthPeriod, periodInstants, previousPeriod, type FigureCode } from '@grc/domain';
import type { Actor } from '../auth/authenticated-agent';
import { REQUEST_EXPORT_COLUMNS, ReportingRepository } from './reporting.repository';
import { BREAKDOWN_FIGURES, ReportingService, type Dashboard } from './reporting.service';
import type { ExportQueryDto, MonthlyReportQueryDto } from './reporting.dto';

export interface ExportFile {
  mediaType: string;
  filename: string;
  /** whole (the PDF report), or streamed (the exports) */
  body: Buffer | Readable;
}

type Cell = string | number | boolean | null;

/** The header of every export: what the figures are and which filters made them (codes: the file is data, not prose). */
const headerRows = (d: Pick<Dashboard, 'period' | 'timeZone' | 'filters'>, kind: string): Cell[][] => [
  ['export', kind],
  ['periode_debut', d.period.from],
  ['periode_fin', d.period.to],
  ['fuseau', d.timeZone],
  ...Object.entries(d.filters).map(([k, v]): Cell[] => [`filtre_${k}`, Array.isArray(v) ? v.join(',') : v]),
  ['definitions', 'docs/reporting.md'],
  [],
];

const num = (v: number | null | undefined, digits = 2): Cell => (v === null || v === undefined ? null : Number(v.toFixed(digits)));

/** The per-request export's column names, in the file's order. */
const REQUEST_COLUMNS = REQUEST_EXPORT_COLUMNS.map(([name]) => name);

/** The requests' rows as cells, their column names first; stopping early (the client gone) ends the query. */
async function* requestRows(found: AsyncIterable<Record<string, unknown>>): AsyncGenerator<Cell[]> {
  yield [...REQUEST_COLUMNS];
  for await (const r of found)
    yield REQUEST_COLUMNS.map((c): Cell => {
      const v = r[c];
      return v instanceof Date ? v.toISOString() : typeof v === 'number' ? num(v, 2) : ((v as Cell | undefined) ?? null);
    });
}

/**
 * The per-request CSV: the file's header (csv-stringify), the columns' names, then the bytes PostgreSQL wrote
 * (ReportingRepository.requests, `csv`). Stopping early (the client gone) ends the copy.
 */
async function* requestCsv(header: Cell[][], lines: AsyncIterable<Buffer>): AsyncGenerator<string | Buffer> {
  yield stringifySync([...header, [...REQUEST_COLUMNS]], { delimiter: ';', bom: true });
  yield* lines;
}

/** Several tables' rows one after the other (the file's header, then its table). */
async function* concat(...parts: Array<AsyncIterable<Cell[]> | Iterable<Cell[]>>): AsyncGenerator<Cell[]> {
  for (const part of parts) for await (const r of part) yield r;
}

/** Exports of the dashboards (CSV, XLSX) and the monthly PDF report a head sends to the élus. */
@Injectable()
export class ReportingExportsService {
  constructor(
    private readonly figures: ReportingService,
    private readonly repo: ReportingRepository,
  ) {}

  /**
   * The table (breakdown, by department unless asked) or the requests received in the period. The requests are
   * streamed from the database to the client (CSV as PostgreSQL writes it after the file's header, XLSX through
   * exceljs's streaming writer): a year of a large department is 266,000 rows at 10 M requests.
   */
  async export(actor: Actor, q: ExportQueryDto): Promise<ExportFile> {
    const kind = q.kind ?? 'breakdown';
    const by = q.by ?? 'department';
    const { period, timeZone } = await this.figures.period(q);
    const { scope, visible, base } = await this.figures.scope(actor, q, kind === 'breakdown' ? by : null);
    const meta = { period, timeZone, filters: { ...this.figures.filtersOf(q), ...(kind === 'breakdown' ? { by } : {}) } };
    const header = headerRows(meta, kind);
    const name = `indicateurs-${kind}-${period.from}-${period.to}`;
    const csvFile = { mediaType: 'text/csv; charset=utf-8', filename: `${name}.csv` };
    let table: AsyncIterable<Cell[]> | Iterable<Cell[]>;
    if (kind === 'breakdown') {
      const rows = await this.figures.breakdownRows(scope, visible, by, period, timeZone, base);
      table = [
        ['cle', 'libelle', 'parent', ...BREAKDOWN_FIGURES],
        ...rows.map((r): Cell[] => [r.key, r.label, r.parentKey, ...BREAKDOWN_FIGURES.map((c) => num(r.values[c] ?? null, 4))]),
      ];
    } else {
      const { start, end } = periodInstants(period, timeZone);
      // a failure half-way (the database gone) destroys the response: the client sees a cut download, not a file
      if (q.format === 'csv')
        return { ...csvFile, body: Readable.from(requestCsv(header, await this.repo.requests(scope, start, end, { as: 'csv' }))) };
      table = requestRows(await this.repo.requests(scope, start, end, { as: 'rows' }));
    }
    const rows = concat(header, table);
    if (q.format === 'csv') {
      const csv = stringify({ delimiter: ';', bom: true, cast: { boolean: (b) => String(b) } });
      const body = pipeline(Readable.from(rows), csv, () => undefined);
      return { ...csvFile, body };
    }
    const body = new PassThrough();
    const wb = new (exceljs().stream.xlsx.WorkbookWriter)({ stream: body, useStyles: true });
    wb.creator = 'GRC';
    const ws = wb.addWorksheet('indicateurs', { views: [{ state: 'frozen', ySplit: header.length + 1 }] });
    void (async () => {
      let n = 0;
      for await (const r of rows) {
        const row = ws.addRow(r);
        if (++n === header.length + 1) row.font = { bold: true };
        row.commit();
      }
      ws.commit();
      await wb.commit();
    })().catch((e: Error) => body.destroy(e));
    return { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: `${name}.xlsx`, body };
  }

  /** The monthly report (PDF, French): the month's figures against the previous month, and per department. */
  async monthlyReport(actor: Actor, q: MonthlyReportQueryDto): Promise<ExportFile> {
    const period = monthPeriod(q.month);
    const d = await this.figures.dashboard(actor, { ...period, departmentId: q.departmentId, by: 'department' });
    const PDFDocument = pdfkit();
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: `Rapport mensuel ${q.month}`, Author: 'GRC', Subject: 'Indicateurs' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
    const fmt = (code: FigureCode, v: number | null) => {
      if (v === null) return '—';
      if (code.endsWith('_rate') || code.endsWith('_share') || code.endsWith('_ratio'))
        return `${(v * 100).toFixed(1).replace('.', ',')} %`;
      if (code.includes('business')) return `${(v / 60).toFixed(1).replace('.', ',')} h ouvrées`;
      if (code.includes('days')) return `${v.toFixed(1).replace('.', ',')} j`;
      return String(Math.round(v));
    };
    const prev = previousPeriod(period);
    doc.font('Helvetica-Bold').fontSize(16).text(`Rapport mensuel — ${q.month}`);
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(`Période du ${period.from} au ${period.to} (${d.timeZone}), comparée au ${prev.from} – ${prev.to}.`);
    doc.text(d.scope.whole ? 'Périmètre : toute la commune.' : `Périmètre : ${d.scope.departmentIds.length} service(s).`);
    doc.moveDown().font('Helvetica-Bold').fontSize(12).text('Indicateurs');
    doc.font('Helvetica').fontSize(10);
    for (const f of d.figures) doc.text(`${PDF_LABELS[f.code]} : ${fmt(f.code, f.value)} (mois précédent : ${fmt(f.code, f.previous)})`);
    doc.moveDown().font('Helvetica-Bold').fontSize(12).text('Par service');
    doc.font('Helvetica').fontSize(10);
    for (const r of d.breakdown?.rows ?? [])
      doc.text(
        `${r.label ?? r.key} : ${fmt('received', r.values.received ?? null)} reçues, ${fmt('resolved', r.values.resolved ?? null)} résolues, stock ${fmt('backlog', r.values.backlog ?? null)}, délai tenu ${fmt('sla_resolution_met_rate', r.values.sla_resolution_met_rate ?? null)}`,
      );
    doc
      .moveDown()
      .fontSize(8)
      .text('Définitions de chaque indicateur : docs/reporting.md (affichées à côté de chaque chiffre dans la console).');
    doc.end();
    await done;
    return { mediaType: 'application/pdf', filename: `rapport-${q.month}.pdf`, body: Buffer.concat(chunks) };
  }
}

/** The report's French names of the figures (the PDF is the one document written in the town's language). */
const PDF_LABELS: Record<FigureCode, string> = {
  received: 'Demandes reçues',
  resolved: 'Demandes résolues',
  closed: 'Demandes clôturées',
  backlog: 'Stock en fin de période',
  first_response_business_median: 'Première réponse, médiane (temps ouvré)',
  first_response_business_p90: 'Première réponse, 90e centile (temps ouvré)',
  first_response_days_median: 'Première réponse, médiane (jours calendaires)',
  first_response_days_p90: 'Première réponse, 90e centile (jours calendaires)',
  resolution_business_median: 'Résolution, médiane (temps ouvré)',
  resolution_business_p90: 'Résolution, 90e centile (temps ouvré)',
  resolution_days_median: 'Résolution, médiane (jours calendaires)',
  resolution_days_p90: 'Résolution, 90e centile (jours calendaires)',
  sla_first_response_met_rate: 'Délai de première réponse tenu',
  sla_resolution_met_rate: 'Délai de résolution tenu',
  sla_breaches: 'Dépassements de délai',
  sla_escalations: 'Escalades',
  reopen_rate: 'Taux de réouverture',
  circuit_share: 'Part passée par un circuit de validation',
  duplicates_ratio: 'Part de doublons',
};
