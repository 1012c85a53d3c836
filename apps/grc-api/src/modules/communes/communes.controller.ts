import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { CommuneMember, CommuneView } from '@grc/domain';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { idParam } from '../reference/id-param';
import { CreateCommuneDto, UpdateCommuneDto } from './communes.dto';
import { CommunesService } from './communes.service';

/** A métropole's communes (Administration › Communes): its administrators only (403 elsewhere). */
@ApiTags('communes')
@Controller('communes')
export class CommunesController {
  constructor(private readonly communes: CommunesService) {}

  @RequirePermission('admin.config')
  @Get()
  list(@CurrentActor() actor: Actor): Promise<CommuneView[]> {
    return this.communes.list(actor);
  }

  @RequirePermission('admin.config')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateCommuneDto): Promise<CommuneView> {
    return this.communes.create(actor, body);
  }

  @RequirePermission('admin.config')
  @Put(':id')
  update(@CurrentActor() actor: Actor, @Param('id', idParam('Commune')) id: string, @Body() body: UpdateCommuneDto): Promise<CommuneView> {
    return this.communes.update(actor, id, body);
  }

  @RequirePermission('admin.config')
  @Get(':id/members')
  members(@CurrentActor() actor: Actor, @Param('id', idParam('Commune')) id: string): Promise<CommuneMember[]> {
    return this.communes.members(actor, id);
  }

  @RequirePermission('admin.config')
  @Put(':id/members/:agentId')
  addMember(
    @CurrentActor() actor: Actor,
    @Param('id', idParam('Commune')) id: string,
    @Param('agentId', idParam('Agent')) agentId: string,
  ): Promise<CommuneMember[]> {
    return this.communes.addMember(actor, id, agentId);
  }

  @RequirePermission('admin.config')
  @Delete(':id/members/:agentId')
  removeMember(
    @CurrentActor() actor: Actor,
    @Param('id', idParam('Commune')) id: string,
    @Param('agentId', idParam('Agent')) agentId: string,
  ): Promise<CommuneMember[]> {
    return this.communes.removeMember(actor, id, agentId);
  }
}
