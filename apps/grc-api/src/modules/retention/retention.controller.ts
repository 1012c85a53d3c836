import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { RetentionRulesDto, type RetentionRuleView, type RetentionRunView } from './retention.dto';
import { RetentionService } from './retention.service';

/** Retention rules (per category and the town's default) and the runs' reports: the `rgpd` permission. */
@ApiTags('retention')
@Controller('retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @RequirePermission('rgpd')
  @Get('rules')
  rules(): Promise<RetentionRuleView[]> {
    return this.retention.rules();
  }

  /** Replaces the whole rule set (at most one per category and one default). */
  @RequirePermission('rgpd')
  @Put('rules')
  replace(@CurrentActor() actor: Actor, @Body() body: RetentionRulesDto): Promise<RetentionRuleView[]> {
    return this.retention.replaceRules(actor, body);
  }

  /** The last 50 runs of the retention job and of the purges, newest first, with their counts. */
  @RequirePermission('rgpd')
  @Get('runs')
  runs(): Promise<RetentionRunView[]> {
    return this.retention.runs();
  }
}
