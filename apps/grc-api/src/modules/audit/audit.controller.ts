import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { AuditExportQueryDto, AuditQueryDto, type AuditPage } from './audit.dto';
import { AuditService } from './audit.service';

/** The audit trail: the whole journal for the DPO and admins (rgpd), their departments' tickets' events for heads. */
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @RequirePermission('audit.read')
  @Get()
  list(@CurrentActor() actor: Actor, @Query() q: AuditQueryDto): Promise<AuditPage> {
    return this.audit.search(actor, q);
  }

  @RequirePermission('audit.read')
  @ApiProduces('text/csv')
  @Get('export.csv')
  export(@CurrentActor() actor: Actor, @Query() q: AuditExportQueryDto, @Res() res: Response): Promise<void> {
    return this.audit.exportCsv(actor, q, res);
  }
}
