import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type {
  Delegation,
  TicketDetail,
  TicketWorkflowView,
  WorkflowBinding,
  WorkflowDefinitionSummary,
  WorkflowDefinitionVersion,
  WorkflowDryRun,
  WorkflowInbox,
  WorkflowValidation,
} from '@grc/domain';
import { notFound } from '../../common/problem';
import { idParam } from '../reference/id-param';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { CurrentActor, CurrentAgent, RequirePermission } from '../auth/decorators';
import { CircuitDryRunService } from './circuit-dry-run.service';
import { CircuitInboxQuery } from './circuit-inbox.query';
import { DelegationsService } from './delegations.service';
import { WorkflowDefinitionsService } from './definitions.service';
import { TicketWorkflowsService } from './ticket-workflows.service';
import {
  DelegationDto,
  WorkflowActionDto,
  WorkflowBindingDto,
  WorkflowDryRunDto,
  WorkflowExportQueryDto,
  WorkflowImportDto,
  WorkflowSourceDto,
} from './workflow.dto';

const CODE = /^[a-z][a-z0-9_-]*$/;
const code = (c: string) => {
  if (!CODE.test(c) || c.length > 64) throw notFound('Circuit');
  return c;
};

/** Administration of circuits: definitions, versions, import/export, bindings. */
@ApiTags('workflows')
@Controller('workflows')
export class WorkflowsAdminController {
  constructor(
    private readonly definitions: WorkflowDefinitionsService,
    private readonly dryRuns: CircuitDryRunService,
  ) {}

  @RequirePermission('admin.config')
  @Get('definitions')
  list(): Promise<WorkflowDefinitionSummary[]> {
    return this.definitions.list();
  }

  /** Checks a definition without saving it: every error with its path, warnings, the diagram. */
  @RequirePermission('admin.config')
  @Post('definitions/validate')
  @HttpCode(200)
  async validate(@Body() dto: WorkflowSourceDto): Promise<WorkflowValidation> {
    const v = await this.definitions.validate(dto);
    delete v.definition;
    return v;
  }

  /** Walks a sample request through a definition (saved or not): who would act at each step. Nothing saved. */
  @RequirePermission('admin.config')
  @Post('definitions/dry-run')
  @HttpCode(200)
  dryRun(@Body() dto: WorkflowDryRunDto): Promise<WorkflowDryRun> {
    return this.dryRuns.run(dto);
  }

  /** Saves the definition as the draft of its id (422 listing every error, nothing saved). */
  @RequirePermission('admin.config')
  @Post('definitions')
  save(@CurrentActor() actor: Actor, @Body() dto: WorkflowSourceDto): Promise<WorkflowDefinitionVersion> {
    return this.definitions.saveDraft(actor, dto);
  }

  /** Import of a shared file: one definition or a list, all or nothing, published at once if asked. */
  @RequirePermission('admin.config')
  @Post('definitions/import')
  import(@CurrentActor() actor: Actor, @Body() dto: WorkflowImportDto): Promise<WorkflowDefinitionVersion[]> {
    return this.definitions.import(actor, dto);
  }

  @RequirePermission('admin.config')
  @Get('definitions/:code')
  latest(@Param('code') c: string): Promise<WorkflowDefinitionVersion> {
    return this.definitions.version(code(c), 'latest').catch(() => this.definitions.version(code(c), 'draft'));
  }

  @RequirePermission('admin.config')
  @Get('definitions/:code/versions/:version')
  version(
    @Param('code') c: string,
    @Param('version', new ParseIntPipe({ exceptionFactory: () => notFound('Version') })) v: number,
  ): Promise<WorkflowDefinitionVersion> {
    return this.definitions.version(code(c), v);
  }

  @RequirePermission('admin.config')
  @Get('definitions/:code/draft')
  draft(@Param('code') c: string): Promise<WorkflowDefinitionVersion> {
    return this.definitions.version(code(c), 'draft');
  }

  @RequirePermission('admin.config')
  @Delete('definitions/:code/draft')
  @HttpCode(204)
  discard(@CurrentActor() actor: Actor, @Param('code') c: string): Promise<void> {
    return this.definitions.discardDraft(actor, code(c));
  }

  @RequirePermission('admin.config')
  @Post('definitions/:code/publish')
  publish(@CurrentActor() actor: Actor, @Param('code') c: string): Promise<WorkflowDefinitionVersion> {
    return this.definitions.publish(actor, code(c));
  }

  /** A file to share with other towns (YAML by default). */
  @RequirePermission('admin.config')
  @Get('definitions/:code/export')
  async export(@Param('code') c: string, @Query() q: WorkflowExportQueryDto, @Res() res: Response): Promise<void> {
    const file = await this.definitions.export(code(c), q.version ?? 'latest', q.format ?? 'yaml');
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    res.send(file.body);
  }

  @RequirePermission('admin.config')
  @Get('bindings')
  bindings(): Promise<WorkflowBinding[]> {
    return this.definitions.bindings();
  }

  @RequirePermission('admin.config')
  @Post('bindings')
  bind(@CurrentActor() actor: Actor, @Body() dto: WorkflowBindingDto): Promise<WorkflowBinding> {
    return this.definitions.bind(actor, dto);
  }

  @RequirePermission('admin.config')
  @Delete('bindings/:id')
  @HttpCode(204)
  unbind(@CurrentActor() actor: Actor, @Param('id', idParam('Rattachement')) id: string): Promise<void> {
    return this.definitions.unbind(actor, id);
  }
}

/** The circuits' participants: inbox, delegations. */
@ApiTags('workflows')
@Controller('workflows')
export class WorkflowsController {
  constructor(
    private readonly circuits: CircuitInboxQuery,
    private readonly delegations: DelegationsService,
  ) {}

  /** Tickets awaiting my validation, my department's opinion, or my revised draft, with counts (delegations included). */
  @RequirePermission('workflows.act')
  @Get('inbox')
  inbox(@CurrentAgent() agent: AuthenticatedAgent): Promise<WorkflowInbox> {
    return this.circuits.inbox(agent);
  }

  @RequirePermission('workflows.delegate')
  @Get('delegations')
  list(@CurrentAgent() agent: AuthenticatedAgent): Promise<Delegation[]> {
    return this.delegations.list(agent);
  }

  @RequirePermission('workflows.delegate')
  @Post('delegations')
  create(@CurrentActor() actor: Actor, @Body() dto: DelegationDto): Promise<Delegation> {
    return this.delegations.create(actor, dto);
  }

  @RequirePermission('workflows.delegate')
  @Delete('delegations/:id')
  revoke(@CurrentActor() actor: Actor, @Param('id', idParam('Délégation')) id: string): Promise<Delegation> {
    return this.delegations.revoke(actor, id);
  }
}

const ticketId = idParam('Demande');

/** A ticket's circuit. */
@ApiTags('workflows')
@Controller('tickets')
export class TicketWorkflowController {
  constructor(private readonly workflows: TicketWorkflowsService) {}

  /** State, available actions for me, opinions (answered, late), draft and its revisions, history, diagram. */
  @RequirePermission('workflows.act')
  @Get(':id/workflow')
  get(@CurrentActor() actor: Actor, @Param('id', ticketId) id: string): Promise<TicketWorkflowView> {
    return this.workflows.view(actor, id);
  }

  /** The ticket as a participant of its circuit sees it (a consulted department, an approver from another service). */
  @RequirePermission('workflows.act')
  @Get(':id/workflow/ticket')
  ticket(@CurrentActor() actor: Actor, @Param('id', ticketId) id: string): Promise<TicketDetail> {
    return this.workflows.ticketDetail(actor, id);
  }

  /** One step: start, submit_draft, approve, reject, edit_and_approve, give_opinion, citizen_replied, cancel; `version` is the ticket's. */
  @RequirePermission('workflows.act')
  @Post(':id/workflow/actions')
  act(@CurrentActor() actor: Actor, @Param('id', ticketId) id: string, @Body() dto: WorkflowActionDto): Promise<TicketWorkflowView> {
    return this.workflows.act(actor, id, dto);
  }
}
