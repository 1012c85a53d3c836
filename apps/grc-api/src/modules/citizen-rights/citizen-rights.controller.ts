import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ErasureResult, MergeResult, PrivacyNotice, PrivacySettings } from '@grc/domain';
import { notFound } from '../../common/problem';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, Public, RequirePermission } from '../auth/decorators';
import { accessArchive } from './access-archive';
import { AccessExportService } from './access-export.service';
import { accessLetter } from './access-letter';
import { ErasureDto, MergeDto, PrivacySettingsDto } from './citizen-rights.dto';
import { ErasureService } from './erasure.service';
import { sendDocument } from './send-document';
import { PrivacyNoticeService } from './privacy-notice.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFound('Citoyen') });
const binary = { schema: { type: 'string', format: 'binary' } } as const;

/** The right of access (art. 15): for holders of `rgpd`, one person's data as an archive or a letter; each production audited. */
@ApiTags('citizen-rights')
@Controller('citizens')
export class CitizenRightsController {
  constructor(
    private readonly exports: AccessExportService,
    private readonly erasure: ErasureService,
  ) {}

  /** A zip: donnees.json (every table of the personal data registry), the letter, the attachments. */
  @RequirePermission('rgpd')
  @Get(':id/access-export')
  @ApiProduces('application/zip')
  @ApiOkResponse(binary)
  async archive(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    return sendDocument(
      res,
      'application/zip',
      `donnees-${id.slice(0, 8)}.zip`,
      accessArchive(await this.exports.produce(actor, id, 'zip')),
    );
  }

  /** The letter answering the request under article 15, in French (PDF). */
  @RequirePermission('rgpd')
  @Get(':id/access-letter')
  @ApiProduces('application/pdf')
  @ApiOkResponse(binary)
  async letter(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    return sendDocument(res, 'application/pdf', `acces-${id.slice(0, 8)}.pdf`, accessLetter(await this.exports.produce(actor, id, 'pdf')));
  }

  /** Erasure (art. 17): each request anonymised and kept or deleted by its category's retention rule, the record anonymised; 409 while requests are open unless `force`; a `reason` always. */
  @RequirePermission('rgpd')
  @Post(':id/erase')
  @HttpCode(200)
  erase(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: ErasureDto): Promise<ErasureResult> {
    return this.erasure.erase(actor, id, dto);
  }

  /** Merges another record of the same person into this one (with a reason): its requests move here, contacts combined, the other deleted. */
  @RequirePermission('rgpd')
  @Post(':id/merge')
  @HttpCode(200)
  merge(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: MergeDto): Promise<MergeResult> {
    return this.erasure.merge(actor, id, dto);
  }
}

/** The town's privacy settings (controller, DPO, purposes, legal basis, authority): read and changed by holders of `rgpd`. */
@ApiTags('citizen-rights')
@Controller('privacy-settings')
export class PrivacySettingsController {
  constructor(private readonly notices: PrivacyNoticeService) {}

  @RequirePermission('rgpd')
  @Get()
  get(): Promise<PrivacySettings> {
    return this.notices.get();
  }

  @RequirePermission('rgpd')
  @Put()
  update(@CurrentActor() actor: Actor, @Body() dto: PrivacySettingsDto): Promise<PrivacySettings> {
    return this.notices.update(actor, dto);
  }
}

/** The information notice (art. 13) of the public form and the tracking page, as data. */
@ApiTags('public')
@Controller('public')
@Public()
export class PrivacyNoticeController {
  constructor(private readonly notices: PrivacyNoticeService) {}

  @Get('privacy-notice')
  notice(): Promise<PrivacyNotice> {
    return this.notices.notice();
  }
}
