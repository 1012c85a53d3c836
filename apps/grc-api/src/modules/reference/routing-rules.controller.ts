import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import type { RoutingRule } from '@grc/domain';
import { invalidField } from '../../common/problem';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { idParam } from './id-param';
import { CreateRoutingRuleDto, UpdateRoutingRuleDto } from './routing-rule.dto';
import { RoutingRulesService } from './routing-rules.service';

const RULE = "Règle d'aiguillage";

@ApiTags('reference')
@Controller('routing-rules')
export class RoutingRulesController {
  constructor(private readonly rules: RoutingRulesService) {}

  @RequirePermission('reference.read')
  @Get()
  list(): Promise<RoutingRule[]> {
    return this.rules.list();
  }

  @RequirePermission('admin.config')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateRoutingRuleDto): Promise<RoutingRule> {
    return this.rules.create(actor, body);
  }

  @RequirePermission('admin.config')
  @Put(':id')
  update(@CurrentActor() actor: Actor, @Param('id', idParam(RULE)) id: string, @Body() body: UpdateRoutingRuleDto): Promise<RoutingRule> {
    return this.rules.update(actor, id, body);
  }

  /** `?version=` (optional) refuses the deletion with 409 when the rule changed since it was read. */
  @RequirePermission('admin.config')
  @ApiQuery({ name: 'version', required: false, type: Number })
  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentActor() actor: Actor, @Param('id', idParam(RULE)) id: string, @Query('version') version?: string): Promise<void> {
    const v = version === undefined || version === '' ? undefined : Number(version);
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw invalidField('version', 'Ce champ doit être un nombre entier.', 'isInt');
    await this.rules.remove(actor, id, v);
  }
}
