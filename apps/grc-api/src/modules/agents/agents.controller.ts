import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Agent } from '@grc/domain';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { idParam } from '../reference/id-param';
import { AgentSearchDto, CreateAgentDto, PasswordResetDto, UpdateAgentDto } from './agent.dto';
import { AgentsService } from './agents.service';

@ApiTags('agents')
@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  /** The directory: who can be assigned, in which departments; with q / departmentId / limit, the pickers' search. */
  @RequirePermission('reference.read')
  @Get()
  list(@Query() query: AgentSearchDto): Promise<Agent[]> {
    return this.agents.list(query);
  }

  @RequirePermission('admin.agents')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateAgentDto): Promise<Agent> {
    return this.agents.create(actor, body);
  }

  @RequirePermission('admin.agents')
  @Put(':id')
  update(@CurrentActor() actor: Actor, @Param('id', idParam('Agent')) id: string, @Body() body: UpdateAgentDto): Promise<Agent> {
    return this.agents.update(actor, id, body);
  }

  /** A temporary password: the agent's sessions end, its next login may only change it. */
  @RequirePermission('admin.agents')
  @Post(':id/password-reset')
  @HttpCode(200)
  resetPassword(@CurrentActor() actor: Actor, @Param('id', idParam('Agent')) id: string, @Body() body: PasswordResetDto): Promise<Agent> {
    return this.agents.resetPassword(actor, id, body.password);
  }

  /** Removes the agent's second factor (a lost phone): it enrols again at its next login if the town requires one. */
  @RequirePermission('admin.agents')
  @Delete(':id/second-factor')
  @HttpCode(204)
  resetSecondFactor(@CurrentActor() actor: Actor, @Param('id', idParam('Agent')) id: string): Promise<void> {
    return this.agents.resetSecondFactor(actor, id);
  }
}
