import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { dryRun, type DryRunActor, type WorkflowRole } from '@grc/workflows';
import type { Agent, WorkflowDryRun, WorkflowDryRunActor, WorkflowDryRunRequest } from '@grc/domain';
import { ProblemException } from '../../common/problem';
import { AgentsRepository } from '../agents/agents.repository';
import { CategoriesRepository } from '../reference/categories.repository';
import { DepartmentsRepository } from '../reference/departments.repository';
import { WorkflowDefinitionsService, invalidDefinition } from './definitions.service';

/**
 * The dry run of a circuit (the rule is `dryRun` of @grc/workflows): the sample's ids become the
 * codes the definition speaks, and each expected actor the town's active agents who fit — by role
 * and department membership, as the engine checks them (delegations aside). Reads only.
 */
@Injectable()
export class CircuitDryRunService {
  constructor(
    @InjectEntityManager() private readonly reader: EntityManager,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly agents: AgentsRepository,
    private readonly categories: CategoriesRepository,
    private readonly departments: DepartmentsRepository,
  ) {}

  async run(req: WorkflowDryRunRequest): Promise<WorkflowDryRun> {
    const { validation: checked, definition } = await this.definitions.check(req);
    if (!definition) throw invalidDefinition(checked.errors, 'Le circuit ne peut pas être lu : rien à parcourir.');

    const departments = (await this.departments.list(this.reader)).filter((d) => d.active);
    const department = departments.find((d) => d.id === req.sample.departmentId);
    const fieldErrors: Array<{ field: string; message: string; code: string }> = [];
    if (!department) fieldErrors.push({ field: 'sample.departmentId', message: 'Service inconnu.', code: 'unknown' });
    const category = req.sample.categoryId ? await this.categories.codeOf(req.sample.categoryId, this.reader) : null;
    if (req.sample.categoryId && !category)
      fieldErrors.push({ field: 'sample.categoryId', message: 'Catégorie inconnue.', code: 'unknown' });
    if (fieldErrors.length)
      throw new ProblemException(422, 'Demande d’essai invalide', fieldErrors.map((e) => e.message).join(' '), fieldErrors);

    const result = dryRun(definition, {
      department: department!.code,
      category,
      priority: req.sample.priority,
      channel: req.sample.channel ?? null,
      status: req.sample.status ?? null,
      ...(req.sample.authorRole ? { author: { role: req.sample.authorRole as WorkflowRole } } : {}),
    });

    const agents = (await this.agents.list(this.reader)).filter((a) => a.active);
    const idOf = new Map(departments.map((d) => [d.code, d.id]));
    const nameOf = new Map(departments.map((d) => [d.code, d.name]));
    const member = (a: Agent, code: string) => idOf.has(code) && a.departmentIds.includes(idOf.get(code)!);
    const deps = (codes: string[] | null) => (codes === null ? null : codes.map((code) => ({ code, name: nameOf.get(code) ?? null })));
    const who = (list: Agent[]) => list.map((a) => ({ id: a.id, displayName: a.displayName }));
    const resolve = (x: DryRunActor): WorkflowDryRunActor => {
      const base = { roles: null, departments: null, agentId: null, agents: [] };
      switch (x.kind) {
        case 'role':
          return {
            ...base,
            kind: 'role',
            roles: [x.role],
            departments: deps(x.department === null ? null : [x.department]),
            agents: who(agents.filter((a) => a.role === x.role && (x.department === null || member(a, x.department)))),
          };
        case 'roles':
          return {
            ...base,
            kind: 'roles',
            roles: x.roles,
            departments: deps(x.departments),
            agents: who(
              agents.filter(
                (a) => (x.roles as string[]).includes(a.role) && (x.departments === null || x.departments.some((d) => member(a, d))),
              ),
            ),
          };
        case 'department':
          return {
            ...base,
            kind: 'department',
            roles: x.roles,
            departments: deps([x.department]),
            agents: who(agents.filter((a) => member(a, x.department) && (x.roles === null || (x.roles as string[]).includes(a.role)))),
          };
        case 'agent':
          return { ...base, kind: 'agent', agentId: x.agentId, agents: who(agents.filter((a) => a.id === x.agentId)) };
        default:
          return { ...base, kind: x.kind };
      }
    };
    return {
      status: result.status,
      reason: result.reason,
      end: result.end,
      steps: result.steps.map((s) => ({
        ...s,
        actors: s.actors.map(resolve),
        notified: s.notified.map(resolve),
        assigned: s.assigned.map(resolve),
      })),
      errors: checked.errors,
      warnings: checked.warnings,
    };
  }
}
