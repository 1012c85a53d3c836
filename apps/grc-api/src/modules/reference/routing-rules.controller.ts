import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AreaCollection, RoutingAreasImportReport, RoutingRule } from '@grc/domain';
import { invalidField } from '../../common/problem';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { idParam } from './id-param';
import { AreasImportQueryDto, CreateRoutingRuleDto, RoutingAreasGeoJsonDto, UpdateRoutingRuleDto } from './routing-rule.dto';
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

  /** Every rule's area as a GeoJSON FeatureCollection (`ruleId`, `name`, category and department codes). */
  @RequirePermission('reference.read')
  @Get('areas')
  exportAreas(): Promise<AreaCollection> {
    return this.rules.exportAreas();
  }

  /** A GeoJSON FeatureCollection of areas: `dryRun=true` previews, otherwise creates and updates the rules in one transaction. */
  @RequirePermission('admin.config')
  @Post('areas/import')
  @HttpCode(200)
  importAreas(
    @CurrentActor() actor: Actor,
    @Query() q: AreasImportQueryDto,
    @Body() body: RoutingAreasGeoJsonDto,
  ): Promise<RoutingAreasImportReport> {
    return this.rules.importAreas(actor, body, q.dryRun === 'true');
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
