import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Put, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { TicketPresence } from '@grc/domain';
import { notFound } from '../../common/problem';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { CurrentAgent, RequirePermission } from '../auth/decorators';
import { PresenceBeatDto } from './live.dto';
import { LiveService } from './live.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFound('Demande') });

/**
 * Live updates (docs/live.md): server-sent event streams of ticket changes (ids only; the console
 * re-reads through REST) and presence on a ticket. Reconnection sends `Last-Event-ID` (the standard
 * header EventSource sends) and gets what it missed.
 */
@ApiTags('live')
@Controller('live')
export class LiveController {
  constructor(private readonly live: LiveService) {}

  /** The inbox's stream: created / changed / moved tickets of the departments the agent sees. */
  @RequirePermission('tickets.read')
  @Get('inbox')
  @ApiProduces('text/event-stream')
  inbox(@CurrentAgent() agent: AuthenticatedAgent, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.live.inbox(agent, req, res);
  }

  /** One ticket's stream (its changes and presence); 404 like GET /tickets/:id. */
  @RequirePermission('tickets.read')
  @Get('tickets/:id')
  @ApiProduces('text/event-stream')
  ticket(
    @CurrentAgent() agent: AuthenticatedAgent,
    @Param('id', uuid) id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.live.ticket(agent, id, req, res);
  }

  @RequirePermission('tickets.read')
  @Get('tickets/:id/presence')
  presence(@CurrentAgent() agent: AuthenticatedAgent, @Param('id', uuid) id: string): Promise<TicketPresence> {
    return this.live.present(agent, id);
  }

  /** Heartbeat (every ~15 s while the ticket is open): viewing, or writing a reply / a note; answers who else is there. */
  @RequirePermission('tickets.read')
  @Put('tickets/:id/presence')
  beat(@CurrentAgent() agent: AuthenticatedAgent, @Param('id', uuid) id: string, @Body() dto: PresenceBeatDto): Promise<TicketPresence> {
    return this.live.beat(agent, id, dto.state);
  }

  @RequirePermission('tickets.read')
  @Delete('tickets/:id/presence')
  @HttpCode(204)
  leave(@CurrentAgent() agent: AuthenticatedAgent, @Param('id', uuid) id: string): Promise<void> {
    return this.live.leave(agent, id);
  }
}
