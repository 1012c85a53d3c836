import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  MAIL_EVENTS,
  MAIL_LOCALES,
  type MailDelivery,
  type Mailbox,
  type MailEvent,
  type MailLocale,
  type MailTemplate,
  type QuarantinedMail,
  type RenderedMail,
  type ReplyTemplate,
} from '@grc/domain';
import { notFound } from '../../common/problem';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { CurrentActor, CurrentAgent, RequirePermission } from '../auth/decorators';
import { TicketsService } from '../tickets/tickets.service';
import {
  MailboxDto,
  MailTemplateDto,
  MailTemplatePreviewDto,
  RenderReplyTemplateDto,
  ReplyTemplateDto,
  ReplyTemplatesQueryDto,
} from './mail.dto';
import { MailboxesService } from './mailboxes.service';
import { OutboxService } from './outbox.service';
import { MailTemplatesService } from './templates.service';

const uuid = (what: string) => new ParseUUIDPipe({ exceptionFactory: () => notFound(what) });

/** Admin configuration of the e-mail channel, and the reply templates agents use. */
@ApiTags('mail')
@Controller('mail')
export class MailController {
  constructor(
    private readonly templates: MailTemplatesService,
    private readonly mailboxes: MailboxesService,
    private readonly outbox: OutboxService,
    private readonly tickets: TicketsService,
  ) {}

  @RequirePermission('admin.config')
  @Get('templates')
  listTemplates(): Promise<MailTemplate[]> {
    return this.templates.list();
  }

  @RequirePermission('admin.config')
  @Put('templates/:event/:locale')
  updateTemplate(
    @CurrentActor() actor: Actor,
    @Param('event') event: string,
    @Param('locale') locale: string,
    @Body() dto: MailTemplateDto,
  ): Promise<MailTemplate> {
    if (!(MAIL_EVENTS as readonly string[]).includes(event) || !(MAIL_LOCALES as readonly string[]).includes(locale))
      throw notFound('Modèle d’e-mail');
    return this.templates.update(actor, event as MailEvent, locale as MailLocale, dto);
  }

  @RequirePermission('admin.config')
  @Post('templates/preview')
  @HttpCode(200)
  preview(@Body() dto: MailTemplatePreviewDto): RenderedMail {
    return this.templates.preview(dto.event, dto);
  }

  @RequirePermission('tickets.reply')
  @Get('reply-templates')
  replyTemplates(@CurrentAgent() agent: AuthenticatedAgent, @Query() q: ReplyTemplatesQueryDto): Promise<ReplyTemplate[]> {
    return this.templates.replyTemplates(agent, q.ticketId);
  }

  @RequirePermission('admin.config')
  @Post('reply-templates')
  createReplyTemplate(@CurrentActor() actor: Actor, @Body() dto: ReplyTemplateDto): Promise<ReplyTemplate> {
    return this.templates.saveReplyTemplate(actor, null, dto);
  }

  @RequirePermission('admin.config')
  @Put('reply-templates/:id')
  updateReplyTemplate(
    @CurrentActor() actor: Actor,
    @Param('id', uuid('Modèle de réponse')) id: string,
    @Body() dto: ReplyTemplateDto,
  ): Promise<ReplyTemplate> {
    return this.templates.saveReplyTemplate(actor, id, dto);
  }

  @RequirePermission('admin.config')
  @Delete('reply-templates/:id')
  @HttpCode(204)
  deleteReplyTemplate(@CurrentActor() actor: Actor, @Param('id', uuid('Modèle de réponse')) id: string): Promise<void> {
    return this.templates.deleteReplyTemplate(actor, id);
  }

  /** The template filled with this ticket's values, for the composer (the agent still edits and sends it). */
  @RequirePermission('tickets.reply')
  @Post('reply-templates/:id/render')
  @HttpCode(200)
  async renderReplyTemplate(
    @CurrentAgent() agent: AuthenticatedAgent,
    @Param('id', uuid('Modèle de réponse')) id: string,
    @Body() dto: RenderReplyTemplateDto,
  ): Promise<{ text: string }> {
    await this.tickets.assertVisible(agent, dto.ticketId);
    const ctx = await this.outbox.contextFor(dto.ticketId);
    if (!ctx) throw notFound('Demande');
    return this.templates.renderReplyTemplate(id, this.outbox.variables(ctx, { agentName: agent.displayName }));
  }

  @RequirePermission('admin.config')
  @Get('mailboxes')
  listMailboxes(): Promise<Mailbox[]> {
    return this.mailboxes.list();
  }

  @RequirePermission('admin.config')
  @Post('mailboxes')
  createMailbox(@CurrentActor() actor: Actor, @Body() dto: MailboxDto): Promise<Mailbox> {
    return this.mailboxes.save(actor, null, dto);
  }

  @RequirePermission('admin.config')
  @Put('mailboxes/:id')
  updateMailbox(
    @CurrentActor() actor: Actor,
    @Param('id', uuid('Boîte aux lettres')) id: string,
    @Body() dto: MailboxDto,
  ): Promise<Mailbox> {
    return this.mailboxes.save(actor, id, dto);
  }

  @RequirePermission('admin.config')
  @Delete('mailboxes/:id')
  @HttpCode(204)
  deleteMailbox(@CurrentActor() actor: Actor, @Param('id', uuid('Boîte aux lettres')) id: string): Promise<void> {
    return this.mailboxes.remove(actor, id);
  }

  @RequirePermission('admin.config')
  @Post('mailboxes/:id/poll')
  @HttpCode(202)
  pollMailbox(@Param('id', uuid('Boîte aux lettres')) id: string): Promise<Mailbox> {
    return this.mailboxes.pollSoon(id);
  }

  @RequirePermission('admin.config')
  @Get('quarantine')
  quarantine(): Promise<QuarantinedMail[]> {
    return this.mailboxes.quarantine();
  }

  /** The message as received (message/rfc822, downloaded, never rendered by the browser). */
  @RequirePermission('admin.config')
  @Get('quarantine/:id/raw')
  async quarantineRaw(@Param('id', uuid('Message en quarantaine')) id: string): Promise<StreamableFile> {
    const raw = await this.mailboxes.quarantineRaw(id);
    return new StreamableFile(raw, {
      type: 'message/rfc822',
      disposition: `attachment; filename="quarantaine-${id}.eml"`,
      length: raw.length,
    });
  }

  @RequirePermission('admin.config')
  @Delete('quarantine/:id')
  @HttpCode(204)
  deleteQuarantined(@CurrentActor() actor: Actor, @Param('id', uuid('Message en quarantaine')) id: string): Promise<void> {
    return this.mailboxes.deleteQuarantined(actor, id);
  }
}

/** Delivery state of a ticket's e-mails (timeline). */
@ApiTags('mail')
@Controller('tickets/:id/mail-deliveries')
export class TicketMailController {
  constructor(
    private readonly outbox: OutboxService,
    private readonly tickets: TicketsService,
  ) {}

  /** agents who answer citizens (not the elected, who only read tickets) */
  @RequirePermission('tickets.reply')
  @Get()
  async list(@CurrentAgent() agent: AuthenticatedAgent, @Param('id', uuid('Demande')) id: string): Promise<MailDelivery[]> {
    await this.tickets.assertVisible(agent, id);
    return this.outbox.deliveries(id);
  }

  @RequirePermission('tickets.reply')
  @Post(':deliveryId/retry')
  @HttpCode(200)
  async retry(
    @CurrentAgent() agent: AuthenticatedAgent,
    @Param('id', uuid('Demande')) id: string,
    @Param('deliveryId', uuid('E-mail')) deliveryId: string,
  ): Promise<MailDelivery> {
    await this.tickets.assertVisible(agent, id);
    return this.outbox.retry(id, deliveryId);
  }
}
