import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import {
  monthPeriod,
  monthsEndingAt,
  OPEN_DATA_COLUMNS,
  OPEN_DATA_DEFAULT_LICENCE,
  OPEN_DATA_DEFAULT_LICENCE_URL,
  OPEN_DATA_DEFAULT_THRESHOLD,
  openDataJsonSchema,
  openDataMonth,
  openDataTableSchema,
  periodInstants,
  type BarometerMonth,
  type OpenDataRow,
} from '@grc/domain';
import { notFound } from '../../common/problem';
import { AuditService, auditActor } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { TownSettingsRepository } from '../town/town-settings.repository';
import { ReportingFactsService } from './reporting-facts.service';
import { ReportingRepository } from './reporting.repository';
import type { OpenDataSettingsDto } from './reporting.dto';

/** The stable names of the published files (their URLs: /api/v1/public/open-data/<name>). */
export const OPEN_DATA_FILES = {
  csv: 'indicateurs-mensuels.csv',
  json: 'indicateurs-mensuels.json',
  tableSchema: 'indicateurs-mensuels.schema.json',
  jsonSchema: 'indicateurs-mensuels.json-schema.json',
  barometer: 'barometre.json',
} as const;

export type { BarometerMonth };

export interface OpenDataSettings {
  csvSeparator: ';' | ',';
  threshold: number;
  months: number;
  licenceTitle: string;
  licenceUrl: string;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');

/**
 * The public dataset (issue 11): monthly aggregates per department, category, channel and area, computed
 * from the rollup (the monthly cube's counts, the facts' resolution delays) by the domain's `openDataMonth`
 * (small counts merged into "autres", blanked if still small), written as CSV + JSON + Table Schema + JSON Schema and the baromètre's 12 months, all replaced
 * in one transaction. The worker regenerates them daily; the public routes serve the stored files.
 */
@Injectable()
export class OpenDataService {
  private readonly log = new Logger('OpenData');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: ReportingRepository,
    private readonly facts: ReportingFactsService,
    private readonly town: TownSettingsRepository,
    private readonly audit: AuditService,
  ) {}

  async settings(): Promise<OpenDataSettings> {
    const r = await this.repo.settings();
    return {
      csvSeparator: r?.csv_separator ?? ';',
      threshold: r?.threshold ?? OPEN_DATA_DEFAULT_THRESHOLD,
      months: r?.months ?? 24,
      licenceTitle: r?.licence_title ?? OPEN_DATA_DEFAULT_LICENCE,
      licenceUrl: r?.licence_url ?? OPEN_DATA_DEFAULT_LICENCE_URL,
    };
  }

  async saveSettings(actor: Actor, dto: OpenDataSettingsDto): Promise<OpenDataSettings> {
    const before = await this.settings();
    await this.db.transaction(async (m) => {
      await this.repo.saveSettings(m, dto);
      const changes: Record<string, { before: unknown; after: unknown }> = {};
      for (const k of Object.keys(before) as Array<keyof OpenDataSettings>)
        if (before[k] !== dto[k]) changes[k] = { before: before[k], after: dto[k] };
      await this.audit.record(m, auditActor(actor), 'open_data.settings', 'open_data', 'settings', changes);
    });
    return this.settings();
  }

  /** Regenerates every file; the months are the `months` complete months before `asOf`'s month. */
  async generate(asOf = new Date()): Promise<{ rows: number; months: number }> {
    const s = await this.settings();
    const town = await this.town.get();
    const timeZone = town?.timezone ?? 'Europe/Paris';
    const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(asOf);
    const [y, mo] = today.split('-').map(Number);
    const lastComplete = new Date(Date.UTC(y, mo - 2, 1)).toISOString().slice(0, 10);
    const months = monthsEndingAt(lastComplete, s.months);
    // the months' counts from the figures' cube (built now if the worker has not yet): a month at a time, the
    // backlog rolled on from the one before, all in one snapshot (a refresh meanwhile moves no figure between
    // two months); nothing per request is held but a month's resolution delays
    await this.facts.ensureCube();
    const rows: OpenDataRow[] = [];
    const barometer: BarometerMonth[] = [];
    await this.db.transaction('REPEATABLE READ', async (m) => {
      let backlog = await this.repo.openDataBacklog(`${months[0]}-01`, m);
      for (const month of months) {
        const { start, end } = periodInstants(monthPeriod(month), timeZone);
        const counts = await this.repo.openDataCounts(`${month}-01`, m);
        const out = openDataMonth(month, backlog, counts, await this.repo.openDataDelays(start, end, m), s.threshold);
        rows.push(...out.rows);
        barometer.push(out.barometer);
        backlog = out.backlog;
      }
    });
    const licence = { title: s.licenceTitle, path: s.licenceUrl };
    const generatedAt = new Date().toISOString();
    const csv = Buffer.from(
      stringify(
        rows.map((r) => OPEN_DATA_COLUMNS.map((c) => (r[c] === null ? '' : String(r[c])))),
        { header: true, columns: [...OPEN_DATA_COLUMNS], delimiter: s.csvSeparator },
      ),
      'utf8',
    );
    const tableSchema = { ...openDataTableSchema(licence, s.threshold), dialect: { delimiter: s.csvSeparator, header: true } };
    const files = [
      { name: OPEN_DATA_FILES.csv, mediaType: 'text/csv; charset=utf-8', content: csv },
      {
        name: OPEN_DATA_FILES.json,
        mediaType: 'application/json',
        content: json({
          titre: tableSchema.title,
          commune: town?.name ?? '',
          licence,
          genere_le: generatedAt,
          seuil_secret_statistique: s.threshold,
          donnees: rows,
        }),
      },
      { name: OPEN_DATA_FILES.tableSchema, mediaType: 'application/json', content: json(tableSchema) },
      { name: OPEN_DATA_FILES.jsonSchema, mediaType: 'application/schema+json', content: json(openDataJsonSchema()) },
      {
        name: OPEN_DATA_FILES.barometer,
        mediaType: 'application/json',
        content: json({ town: town?.name ?? '', licence, generatedAt, threshold: s.threshold, months: barometer.slice(-12) }),
      },
    ].map((f) => ({ ...f, sha256: sha(f.content) }));
    await this.db.transaction((m) => this.repo.publish(m, files));
    this.log.log(`open data regenerated: ${rows.length} rows over ${months.length} months`);
    return { rows: rows.length, months: months.length };
  }

  /** The index of the published files, with their stable URLs and the licence. */
  async index(): Promise<{
    licence: { title: string; path: string };
    files: Array<{ name: string; url: string; mediaType: string; sha256: string; size: number; generatedAt: string }>;
  }> {
    const s = await this.settings();
    const files = await this.repo.files();
    return {
      licence: { title: s.licenceTitle, path: s.licenceUrl },
      files: files.map((f) => ({
        name: f.name,
        url: `/api/v1/public/open-data/${f.name}`,
        mediaType: f.media_type,
        sha256: f.sha256,
        size: f.size,
        generatedAt: new Date(f.generated_at).toISOString(),
      })),
    };
  }

  async file(name: string): Promise<{ mediaType: string; content: Buffer; sha256: string; generatedAt: Date }> {
    if (!(Object.values(OPEN_DATA_FILES) as string[]).includes(name)) throw notFound('Fichier');
    const f = await this.repo.file(name);
    if (!f) throw notFound('Fichier');
    return { mediaType: f.media_type, content: f.content, sha256: f.sha256, generatedAt: f.generated_at };
  }
}
