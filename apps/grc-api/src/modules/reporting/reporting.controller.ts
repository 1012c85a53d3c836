import { Body, Controller, Get, Header, Param, Put, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { pipeline } from 'node:stream';
import type { Response } from 'express';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, Public, RequirePermission } from '../auth/decorators';
import { OpenDataService, type BarometerMonth, type OpenDataSettings } from './open-data.service';
import { ExportQueryDto, FiguresQueryDto, MonthlyReportQueryDto, OpenDataSettingsDto } from './reporting.dto';
import { ReportingExportsService, type ExportFile } from './reporting-exports.service';
import { ReportingService, type Dashboard } from './reporting.service';

const binary = { schema: { type: 'string', format: 'binary' } } as const;

const send = (res: Response, f: ExportFile): void => {
  res.setHeader('Content-Type', f.mediaType);
  res.setHeader('Content-Disposition', `attachment; filename="${f.filename}"`);
  res.setHeader('Cache-Control', 'private, no-store');
  if (Buffer.isBuffer(f.body)) res.end(f.body);
  // streamed: an error half-way destroys the response (a cut download), the source is destroyed when the client leaves
  else pipeline(f.body, res, () => undefined);
};

/** Dashboards, exports and the monthly report: `reports.read` (heads, élus, admins), scoped by department. */
@ApiTags('reporting')
@Controller('reporting')
export class ReportingController {
  constructor(
    private readonly figures: ReportingService,
    private readonly exports: ReportingExportsService,
    private readonly openData: OpenDataService,
  ) {}

  /** The period's figures with the previous period, the backlog's age profile, a breakdown, circuits' steps; each figure with its inbox filters. */
  @RequirePermission('reports.read')
  @Get('dashboard')
  dashboard(@CurrentActor() actor: Actor, @Query() q: FiguresQueryDto): Promise<Dashboard> {
    return this.figures.dashboard(actor, q);
  }

  /** A breakdown's table (or the requests of the period) as CSV or XLSX, the period and filters in the file's first rows. */
  @RequirePermission('reports.read')
  @Get('export')
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse(binary)
  async export(@CurrentActor() actor: Actor, @Query() q: ExportQueryDto, @Res() res: Response): Promise<void> {
    send(res, await this.exports.export(actor, q));
  }

  /** The monthly report (PDF) a head sends to the élus. */
  @RequirePermission('reports.read')
  @Get('monthly-report')
  @ApiProduces('application/pdf')
  @ApiOkResponse(binary)
  async monthlyReport(@CurrentActor() actor: Actor, @Query() q: MonthlyReportQueryDto, @Res() res: Response): Promise<void> {
    send(res, await this.exports.monthlyReport(actor, q));
  }

  @RequirePermission('admin.config')
  @Get('open-data/settings')
  openDataSettings(): Promise<OpenDataSettings> {
    return this.openData.settings();
  }

  @RequirePermission('admin.config')
  @Put('open-data/settings')
  saveOpenDataSettings(@CurrentActor() actor: Actor, @Body() dto: OpenDataSettingsDto): Promise<OpenDataSettings> {
    return this.openData.saveSettings(actor, dto);
  }
}

/** The public dataset and the baromètre (no login): stable URLs, the files the worker regenerates daily. */
@ApiTags('public')
@Public()
@Controller('public')
export class OpenDataController {
  constructor(private readonly openData: OpenDataService) {}

  /** The published files with their URLs, sizes, hashes and the licence. */
  @Get('open-data')
  @Header('Cache-Control', 'public, max-age=300')
  index(): ReturnType<OpenDataService['index']> {
    return this.openData.index();
  }

  /** One published file (CSV, JSON, Table Schema, JSON Schema, baromètre). */
  @Get('open-data/:name')
  @ApiOkResponse(binary)
  async file(@Param('name') name: string, @Res() res: Response): Promise<void> {
    const f = await this.openData.file(name);
    res.setHeader('Content-Type', f.mediaType);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('ETag', `"${f.sha256}"`);
    res.setHeader('Last-Modified', f.generatedAt.toUTCString());
    res.end(f.content);
  }

  /** The baromètre page's figures: the last 12 complete months of the town (same definitions, same suppression). */
  @Get('barometer')
  @Header('Cache-Control', 'public, max-age=300')
  async barometer(): Promise<{
    town: string;
    licence: { title: string; path: string };
    generatedAt: string | null;
    threshold: number;
    months: BarometerMonth[];
  }> {
    try {
      return JSON.parse((await this.openData.file('barometre.json')).content.toString('utf8'));
    } catch {
      const s = await this.openData.settings();
      return { town: '', licence: { title: s.licenceTitle, path: s.licenceUrl }, generatedAt: null, threshold: s.threshold, months: [] };
    }
  }
}
