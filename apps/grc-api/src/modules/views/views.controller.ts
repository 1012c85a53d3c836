import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { SavedView } from '@grc/domain';
import { notFound } from '../../common/problem';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { CurrentActor, CurrentAgent, RequirePermission } from '../auth/decorators';
import { SavedViewDto, SavedViewUpdateDto } from './views.dto';
import { ViewsService } from './views.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFound('Vue') });

/** Saved views of the inbox: the agent's own and those a head shared with their departments (docs/live.md). */
@ApiTags('views')
@Controller('views')
export class ViewsController {
  constructor(private readonly views: ViewsService) {}

  @RequirePermission('tickets.read')
  @Get()
  list(@CurrentAgent() agent: AuthenticatedAgent): Promise<SavedView[]> {
    return this.views.list(agent);
  }

  @RequirePermission('tickets.read')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: SavedViewDto): Promise<SavedView> {
    return this.views.create(actor, dto);
  }

  @RequirePermission('tickets.read')
  @Put(':id')
  update(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: SavedViewUpdateDto): Promise<SavedView> {
    return this.views.update(actor, id, dto);
  }

  @RequirePermission('tickets.read')
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<void> {
    return this.views.remove(actor, id);
  }
}
