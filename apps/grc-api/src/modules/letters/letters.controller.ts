import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Letter } from '@grc/domain';
import { notFound } from '../../common/problem';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { CurrentActor, CurrentAgent, RequirePermission } from '../auth/decorators';
import { sendDocument } from '../citizen-rights/send-document';
import { LettersQueryDto } from './letters.dto';
import { LettersService } from './letters.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFound('Courrier') });
const binary = { schema: { type: 'string', format: 'binary' } };

/** Replies by post: "courrier à envoyer" (the queue of the agent's departments), the letter's PDF, "mark as sent". */
@ApiTags('letters')
@Controller('letters')
export class LettersController {
  constructor(private readonly letters: LettersService) {}

  @RequirePermission('tickets.reply')
  @Get()
  list(@CurrentAgent() agent: AuthenticatedAgent, @Query() q: LettersQueryDto): Promise<Letter[]> {
    return this.letters.list(agent, q);
  }

  /** The letter as a PDF with the town's letterhead (made when downloaded); another department's: 404. */
  @RequirePermission('tickets.reply')
  @Get(':id/pdf')
  @ApiProduces('application/pdf')
  @ApiOkResponse(binary)
  async pdf(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    const { filename, doc } = await this.letters.pdf(actor, id);
    return sendDocument(res, 'application/pdf', filename, doc);
  }

  /** The agent posted it: marked sent, on the ticket's timeline, audited; 409 when already sent. */
  @RequirePermission('tickets.reply')
  @Post(':id/sent')
  @HttpCode(200)
  markSent(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<Letter> {
    return this.letters.markSent(actor, id);
  }
}
