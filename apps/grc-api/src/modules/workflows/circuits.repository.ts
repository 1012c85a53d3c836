import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { priorityFromRank } from '@grc/domain';
import { AgentsRepository } from '../agents/agents.repository';
import { DepartmentsRepository } from '../reference/departments.repository';
import type { PublishedDefinition, TicketContext, WorkflowInstanceState } from '@grc/workflows';

export interface InstanceRow {
  ticket_id: string;
  definition_code: string;
  version: number;
  state: WorkflowInstanceState;
  status: string;
}
export interface TicketRow {
  id: string;
  version: number;
  department_id: string;
  department_code: string;
  department_name: string;
  category_id: string;
  category_code: string;
  priority: number;
  channel: string;
  status: string;
  assignee_id: string | null;
  reference: string;
  subject: string;
}

/**
 * Every query on `ticket_workflows` (a ticket's running or finished circuit), and what the circuits
 * read of the ticket (as the engine sees it); agents' names and the departments' names and parents come
 * from AgentsRepository.namesOf and DepartmentsRepository.byCode. The ticket itself is
 * written only through TicketsService.mutate; the instance row here, in the ticket's transaction.
 * Each method takes the caller's EntityManager.
 */
@Injectable()
export class CircuitsRepository {
  constructor(
    private readonly agents: AgentsRepository,
    private readonly departmentRows: DepartmentsRepository,
  ) {}

  async ticket(m: EntityManager, id: string): Promise<TicketRow | undefined> {
    const [t] = await m.query(
      `SELECT t.id, t.version, t.department_id, d.code AS department_code, d.name AS department_name, t.category_id, c.code AS category_code,
         t.priority, t.channel, t.status, t.assignee_id, t.reference, t.subject
       FROM tickets t JOIN departments d ON d.id = t.department_id JOIN categories c ON c.id = t.category_id WHERE t.id = $1`,
      [id],
    );
    return t;
  }

  async instance(m: EntityManager, ticketId: string): Promise<InstanceRow | undefined> {
    const [r] = await m.query(`SELECT ticket_id, definition_code, version, state, status FROM ticket_workflows WHERE ticket_id = $1`, [
      ticketId,
    ]);
    return r;
  }

  /**
   * The ticket for the engine. With the definition, the parents of the departments its approvals
   * name (the way out of a self-approval deadlock: the parent department's head stands in).
   */
  async context(m: EntityManager, t: TicketRow, def?: PublishedDefinition): Promise<TicketContext> {
    const ctx: TicketContext = {
      ticketId: t.id,
      departmentId: t.department_code,
      fields: {
        category: t.category_code,
        priority: priorityFromRank(t.priority),
        channel: t.channel,
        status: t.status,
        department: t.department_code,
      },
    };
    if (!def) return ctx;
    const named = new Set<string>();
    for (const s of Object.values(def.steps))
      if (s.kind === 'approval')
        for (const a of s.approvers) if (a.department) named.add(a.department === '$ticket' ? t.department_code : a.department);
    if (!named.size) return ctx;
    const parents = await this.parents(m);
    const parentDepartments: Record<string, string> = {};
    for (const code of named) if (parents.has(code)) parentDepartments[code] = parents.get(code)!;
    return Object.keys(parentDepartments).length ? { ...ctx, parentDepartments } : ctx;
  }

  /** Sync variant when the caller has no definition (cheap filters). */
  contextOf(t: TicketRow): TicketContext {
    return {
      ticketId: t.id,
      departmentId: t.department_code,
      fields: {
        category: t.category_code,
        priority: priorityFromRank(t.priority),
        channel: t.channel,
        status: t.status,
        department: t.department_code,
      },
    };
  }

  private deptCache: { at: number; names: Map<string, string>; parents: Map<string, string> } | null = null;
  /** Department names and parents by code, kept 30 s (renames and moves show up within that delay). */
  private async departments(m: EntityManager) {
    if (this.deptCache && Date.now() - this.deptCache.at < 30_000) return this.deptCache;
    const rows = await this.departmentRows.byCode(m);
    this.deptCache = {
      at: Date.now(),
      names: new Map(rows.map((d) => [d.code, d.name])),
      parents: new Map(rows.flatMap((d) => (d.parent ? [[d.code, d.parent] as [string, string]] : []))),
    };
    return this.deptCache;
  }

  async departmentNames(m: EntityManager): Promise<Map<string, string>> {
    return (await this.departments(m)).names;
  }

  private async parents(m: EntityManager): Promise<Map<string, string>> {
    return (await this.departments(m)).parents;
  }

  /** Agents' names (the circuits' actors; 'system' and non-ids left out). */
  names(m: EntityManager, ids: string[]): Promise<Map<string, string>> {
    return this.agents.namesOf(ids, m);
  }

  /** The running circuit's step, with the definition's name and the step's label (null when none runs). */
  async running(
    m: EntityManager,
    ticketId: string,
  ): Promise<{ definition_code: string; step_id: string; name: string | null; step_label: string | null } | undefined> {
    const [running] = await m.query(
      `SELECT tw.definition_code, tw.step_id, wd.name, wd.definition->'steps'->tw.step_id->>'label' AS step_label
       FROM ticket_workflows tw LEFT JOIN workflow_definitions wd ON wd.code = tw.definition_code AND wd.version = tw.version
       WHERE tw.ticket_id = $1 AND tw.status = 'active'`,
      [ticketId],
    );
    return running;
  }

  /** Whether the ticket's circuit is waiting for the citizen now. */
  async waitsForCitizen(m: EntityManager, ticketId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM ticket_workflows WHERE ticket_id = $1 AND status = 'active' AND step_kind = 'wait_for_citizen'`,
      [ticketId],
    );
    return rows.length > 0;
  }

  /** Running circuits at a step that waits for an agent (approval, opinion, draft), with their tickets; oldest change first. */
  inboxRows(m: EntityManager): Promise<Array<InstanceRow & TicketRow & { tv: number }>> {
    return m.query(
      `SELECT tw.ticket_id, tw.definition_code, tw.version, tw.state, tw.status,
         t.id, t.version AS tv, t.department_id, d.code AS department_code, d.name AS department_name, t.category_id, c.code AS category_code,
         t.priority, t.channel, t.status, t.assignee_id, t.reference, t.subject
       FROM ticket_workflows tw JOIN tickets t ON t.id = tw.ticket_id JOIN departments d ON d.id = t.department_id JOIN categories c ON c.id = t.category_id
       WHERE tw.status = 'active' AND tw.step_kind IN ('approval', 'opinion', 'draft')
       ORDER BY tw.updated_at`,
    );
  }

  /** Writes the ticket's instance row (one per ticket: a new circuit replaces a finished one). */
  async save(m: EntityManager, ticketId: string, state: WorkflowInstanceState): Promise<void> {
    await m.query(
      `INSERT INTO ticket_workflows (ticket_id, definition_code, version, state, status, step_id, step_kind, started_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (ticket_id) DO UPDATE SET definition_code = EXCLUDED.definition_code, version = EXCLUDED.version, state = EXCLUDED.state,
         status = EXCLUDED.status, step_id = EXCLUDED.step_id, step_kind = EXCLUDED.step_kind, started_at = EXCLUDED.started_at, updated_at = now()`,
      [
        ticketId,
        state.definitionId,
        state.version,
        JSON.stringify(state),
        state.status,
        state.current.stepId,
        state.current.kind,
        state.startedAt,
      ],
    );
  }

  /** Whether the ticket exists (a timer may outlive it). */
  async ticketExists(m: EntityManager, ticketId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM tickets WHERE id = $1`, [ticketId]);
    return rows.length > 0;
  }
}
