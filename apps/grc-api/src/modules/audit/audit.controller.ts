import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { CurrentAgent, RequirePermission } from '../auth/decorators';
import { AuditQueryDto, type AuditEventView } from './audit.dto';
import { AuditService } from './audit.service';

/** The audit trail of one record. Heads see their departments' tickets' trail; the rest is for admins. */
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @RequirePermission('audit.read')
  @Get()
  list(@CurrentAgent() agent: AuthenticatedAgent, @Query() q: AuditQueryDto): Promise<AuditEventView[]> {
    return this.audit.trail(agent, q);
  }
}
