import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Citizen, CitizenMessage, CitizenSummary, TicketSummary } from '@grc/domain';
import { notFound } from '../../common/problem';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { CitizenInputDto, CitizenSearchDto, CitizenUpdateDto } from './citizen.dto';
import { CitizensService } from './citizens.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFound('Citoyen') });

@ApiTags('citizens')
@Controller('citizens')
export class CitizensController {
  constructor(private readonly citizens: CitizensService) {}

  @RequirePermission('citizens.read')
  @Get()
  search(@CurrentActor() actor: Actor, @Query() query: CitizenSearchDto): Promise<CitizenSummary[]> {
    return this.citizens.search(actor, query.q);
  }

  @RequirePermission('citizens.write')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: CitizenInputDto): Promise<Citizen> {
    return this.citizens.create(actor, dto);
  }

  @RequirePermission('citizens.read')
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<Citizen> {
    return this.citizens.get(actor, id);
  }

  @RequirePermission('citizens.write')
  @Put(':id')
  update(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: CitizenUpdateDto): Promise<Citizen> {
    return this.citizens.update(actor, id, dto);
  }

  /** The 360° view: the citizen's requests in the departments the agent may see (nothing of the others, not even a count). */
  @RequirePermission('tickets.read')
  @Get(':id/tickets')
  tickets(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<TicketSummary[]> {
    return this.citizens.tickets(actor, id);
  }

  /** The 360° view's messages across the person's visible requests (replies, their messages, public notes), audited as a read. */
  @RequirePermission('tickets.read')
  @Get(':id/messages')
  messages(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<CitizenMessage[]> {
    return this.citizens.messages(actor, id);
  }
}
