import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { InboxCounters, Page, TicketCount, TicketDetail, TicketSummary } from '@grc/domain';
import { notFound } from '../../common/problem';
import { envAtImport } from '../../config/environment';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { CurrentActor, CurrentAgent, RequirePermission } from '../auth/decorators';
import { AttachmentsService, type UploadedFile as File } from './attachments.service';
import { sendAttachment } from './attachment-download';
import { InboxQueryDto } from './inbox.dto';
import { InboxQuery } from './inbox.query';
import { AssignDto, AttachmentUploadDto, CreateTicketDto, MessageDto, StatusChangeDto, TransferDto, UpdateTicketDto } from './ticket.dto';
import { TicketsService } from './tickets.service';

// A malformed id names nothing: 404, like an id of another department's ticket.
const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFound('Demande') });

@ApiTags('tickets')
@Controller('tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly inbox: InboxQuery,
    private readonly attachments: AttachmentsService,
  ) {}

  @RequirePermission('tickets.read')
  @Get()
  list(@CurrentAgent() agent: AuthenticatedAgent, @Query() query: InboxQueryDto): Promise<Page<TicketSummary>> {
    return this.inbox.list(agent, query);
  }

  @RequirePermission('tickets.read')
  @Get('counters')
  counters(@CurrentAgent() agent: AuthenticatedAgent): Promise<InboxCounters> {
    return this.inbox.counters(agent);
  }

  /** How many tickets GET /tickets with the same query would list: `{ open, all }` (capped at 10,000). */
  @RequirePermission('tickets.read')
  @Get('count')
  count(@CurrentAgent() agent: AuthenticatedAgent, @Query() query: InboxQueryDto): Promise<TicketCount> {
    return this.inbox.count(agent, query);
  }

  @RequirePermission('tickets.create')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: CreateTicketDto): Promise<TicketDetail> {
    return this.tickets.create(actor, dto);
  }

  @RequirePermission('tickets.read')
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<TicketDetail> {
    return this.tickets.read(actor, id);
  }

  @RequirePermission('tickets.update')
  @Patch(':id')
  update(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: UpdateTicketDto): Promise<TicketDetail> {
    return this.tickets.update(actor, id, dto);
  }

  @RequirePermission('tickets.assign')
  @Post(':id/assign')
  assign(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: AssignDto): Promise<TicketDetail> {
    return this.tickets.assign(actor, id, dto);
  }

  @RequirePermission('tickets.transfer')
  @Post(':id/transfer')
  transfer(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: TransferDto): Promise<TicketDetail> {
    return this.tickets.transfer(actor, id, dto);
  }

  @RequirePermission('tickets.update')
  @Post(':id/status')
  status(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: StatusChangeDto): Promise<TicketDetail> {
    return this.tickets.changeStatus(actor, id, dto);
  }

  @RequirePermission('tickets.reply')
  @Post(':id/messages')
  message(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() dto: MessageDto): Promise<TicketDetail> {
    return this.tickets.addMessage(actor, id, dto);
  }

  @RequirePermission('tickets.update')
  @Post(':id/attachments')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: envAtImport('GRC_MAX_UPLOAD_BYTES') + 1, files: 1, fields: 5 } }))
  upload(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @Body() dto: AttachmentUploadDto,
    @UploadedFile() file: File | undefined,
  ): Promise<TicketDetail> {
    return this.attachments.add(actor, id, dto.version, file);
  }

  @RequirePermission('tickets.read')
  @Get(':id/attachments/:attachmentId')
  async download(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @Param('attachmentId', uuid) attachmentId: string,
    @Res() res: Response,
  ): Promise<void> {
    return sendAttachment(res, await this.attachments.open(actor, id, attachmentId));
  }
}
