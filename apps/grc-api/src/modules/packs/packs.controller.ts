import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { sendDocument } from '../citizen-rights/send-document';
import type { ImportResult } from './pack-transfer';
import { PackImportDto } from './packs.dto';
import { PacksService } from './packs.service';

const binary = { schema: { type: 'string', format: 'binary' } } as const;
/** a fixed date in the archive: the same configuration gives the same zip */
const MTIME = new Date('2026-01-01T00:00:00Z');

/** The town's configuration as a town pack (issue 15): download it, import one (preview, then apply). */
@ApiTags('packs')
@Controller('admin/pack')
export class PacksController {
  constructor(private readonly packs: PacksService) {}

  /** The whole configuration as a zip of the pack's YAML files (no demo data, no password). */
  @RequirePermission('admin.config')
  @Get()
  @ApiProduces('application/zip')
  @ApiOkResponse(binary)
  async export(@Res() res: Response): Promise<void> {
    const zip = new ZipFile();
    for (const [path, text] of Object.entries(await this.packs.exportFiles())) zip.addBuffer(Buffer.from(text, 'utf8'), path, { mtime: MTIME });
    zip.end();
    return sendDocument(res, 'application/zip', 'pack-commune.zip', zip.outputStream as Readable);
  }

  /** `dryRun: true`: the differences only; `false`: all of them applied in one transaction (422 with every error for an invalid pack). */
  @RequirePermission('admin.config')
  @Post('import')
  @HttpCode(200)
  import(@CurrentActor() actor: Actor, @Body() body: PackImportDto): Promise<ImportResult> {
    return this.packs.import(actor, body.files, body.dryRun);
  }
}
