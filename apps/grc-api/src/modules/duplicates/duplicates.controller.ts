import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { DuplicatesView, TicketDetail } from '@grc/domain';
import { notFound } from '../../common/problem';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { CurrentActor, CurrentAgent, RequirePermission } from '../auth/decorators';
import { LinkDto, UnlinkDto } from './duplicates.dto';
import { DuplicatesService } from './duplicates.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFound('Demande') });

@ApiTags('tickets')
@Controller('tickets')
export class DuplicatesController {
  constructor(private readonly duplicates: DuplicatesService) {}

  /** The master this ticket follows, its followers, and open requests that resemble it. */
  @RequirePermission('tickets.read')
  @Get(':id/duplicates')
  view(@CurrentAgent() agent: AuthenticatedAgent, @Param('id', uuid) id: string): Promise<DuplicatesView> {
    return this.duplicates.view(agent, id);
  }

  @RequirePermission('tickets.update')
  @Post(':id/link')
  link(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: LinkDto): Promise<TicketDetail> {
    return this.duplicates.link(actor, id, dto.masterId, dto.version);
  }

  @RequirePermission('tickets.update')
  @Post(':id/unlink')
  unlink(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: UnlinkDto): Promise<TicketDetail> {
    return this.duplicates.unlink(actor, id, dto.version);
  }
}
