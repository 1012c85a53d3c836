import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { SlaBreachesDto, SlaCalendarDto, SlaCalendarInput, SlaPolicyDto, SlaPolicyInput, TicketSlaDto } from '@grc/domain';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { CurrentActor, CurrentAgent, RequirePermission } from '../auth/decorators';
import { idParam } from '../reference/id-param';
import { SlaConfigService } from './sla-config.service';
import { SlaEngine } from './sla.engine';
import { SlaViewService } from './sla-view.service';

@ApiTags('sla')
@Controller()
export class SlaController {
  constructor(
    private readonly config: SlaConfigService,
    private readonly view: SlaViewService,
    private readonly engine: SlaEngine,
  ) {}

  /** A ticket's deadlines, remaining business time, pauses and history (404 outside the agent's departments). */
  @RequirePermission('tickets.read')
  @Get('tickets/:id/sla')
  ticket(@CurrentAgent() agent: AuthenticatedAgent, @Param('id', idParam('Demande')) id: string): Promise<TicketSlaDto> {
    return this.view.ticket(agent, id);
  }

  /** Breached open tickets of the departments the head supervises (all for admins), by department. */
  @RequirePermission('audit.read')
  @Get('sla/breaches')
  breaches(@CurrentAgent() agent: AuthenticatedAgent): Promise<SlaBreachesDto> {
    return this.view.breaches(agent);
  }

  @RequirePermission('admin.config')
  @Get('sla/calendars')
  calendars(): Promise<SlaCalendarDto[]> {
    return this.config.listCalendars();
  }

  @RequirePermission('admin.config')
  @Post('sla/calendars')
  createCalendar(@CurrentActor() actor: Actor, @Body() body: SlaCalendarInput): Promise<SlaCalendarDto> {
    return this.config.createCalendar(actor, body);
  }

  @RequirePermission('admin.config')
  @Put('sla/calendars/:id')
  updateCalendar(
    @CurrentActor() actor: Actor,
    @Param('id', idParam('Calendrier')) id: string,
    @Body() body: SlaCalendarInput,
  ): Promise<SlaCalendarDto> {
    return this.config.updateCalendar(actor, id, body);
  }

  @RequirePermission('admin.config')
  @Delete('sla/calendars/:id')
  @HttpCode(204)
  deleteCalendar(@CurrentActor() actor: Actor, @Param('id', idParam('Calendrier')) id: string): Promise<void> {
    return this.config.deleteCalendar(actor, id);
  }

  @RequirePermission('admin.config')
  @Get('sla/policies')
  policies(): Promise<SlaPolicyDto[]> {
    return this.config.listPolicies();
  }

  @RequirePermission('admin.config')
  @Post('sla/policies')
  createPolicy(@CurrentActor() actor: Actor, @Body() body: SlaPolicyInput): Promise<SlaPolicyDto> {
    return this.config.createPolicy(actor, body);
  }

  @RequirePermission('admin.config')
  @Put('sla/policies/:id')
  async updatePolicy(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: SlaPolicyInput): Promise<SlaPolicyDto> {
    const saved = await this.config.updatePolicy(actor, id, body); // validates applyToOpen with the rest
    if (body.applyToOpen !== true) return saved;
    // after the policy's own commit: each request is recomputed in its own transaction
    return { ...saved, reappliedTo: await this.engine.reapply(actor, await this.config.policy(saved.id)) };
  }
}
