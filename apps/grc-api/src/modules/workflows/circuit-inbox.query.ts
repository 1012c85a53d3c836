import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { apply, availableActions, type WorkflowAction } from '@grc/workflows';
import type { WorkflowInbox, WorkflowInboxItem, WorkflowPerson } from '@grc/domain';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { canSeeDepartment } from '../tickets/ticket-access';
import { CircuitsRepository } from './circuits.repository';
import { PARTICIPANT_ACTIONS } from './circuit-scope';
import { DelegationsService } from './delegations.service';
import { WorkflowDefinitionsService } from './definitions.service';

/** « À valider »: tickets waiting for the agent (or a colleague they stand in for): approvals, opinions, drafts sent back to them. */
@Injectable()
export class CircuitInboxQuery {
  constructor(
    /** reads outside a transaction */
    @InjectEntityManager() private readonly reader: EntityManager,
    private readonly rows: CircuitsRepository,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly delegations: DelegationsService,
  ) {}

  async inbox(agent: AuthenticatedAgent): Promise<WorkflowInbox> {
    const m = this.reader;
    const who = await this.delegations.engineActor(m, agent);
    const now = new Date().toISOString();
    const rows = await this.rows.inboxRows(m);
    const identities = [
      { id: agent.id, role: agent.role as string, depts: who.departmentIds },
      ...(who.delegations ?? [])
        .filter((d) => d.from <= now && now < d.to)
        .map((d) => ({ id: d.fromAgentId, role: d.fromRole as string, depts: d.fromDepartmentIds })),
    ];
    const names = await this.rows.names(
      m,
      identities.map((i) => i.id),
    );
    const items: WorkflowInboxItem[] = [];
    for (const r of rows) {
      const st = r.state;
      const c = st.current;
      // cheap filter before asking the engine (a head may stand in for a slot of a department below his)
      if (c.kind === 'draft' && st.draft?.authorId !== agent.id) continue;
      if (
        c.kind === 'approval' &&
        !(c.approvals ?? []).some(
          (s) => !s.approvedBy && identities.some((i) => (s.agentId ? s.agentId === i.id : s.role === i.role || i.role === 'head')),
        )
      )
        continue;
      if (
        c.kind === 'opinion' &&
        !(c.opinions ?? []).some((o) => o.status === 'pending' && identities.some((i) => i.depts.includes(o.departmentId)))
      )
        continue;
      const visible = canSeeDepartment(agent, r.department_id);
      const def = await this.definitions.resolve(r.definition_code, r.version, m);
      const ctx = await this.rows.context(m, { ...r, version: r.tv }, def);
      const acts = availableActions(def, st, who, now, ctx).filter(
        (a) => a.type !== 'cancel' && (visible || PARTICIPANT_ACTIONS.has(a.type)),
      );
      const due = c.kind === 'opinion' ? c.dueAt : c.slaDueAt;
      const base = {
        ticketId: r.ticket_id,
        reference: r.reference,
        subject: r.subject,
        department: { code: r.department_code, name: r.department_name },
        definitionCode: r.definition_code,
        version: r.version,
        stepId: c.stepId,
        stepLabel: def.steps[c.stepId]?.label ?? null,
        enteredAt: c.enteredAt,
        dueAt: due ?? null,
        late: due !== undefined && due < now,
        visible,
      };
      const behalf = (a: WorkflowAction): WorkflowPerson | null => {
        const res = apply(def, st, a, who, now, ctx);
        const b = res.ok ? res.state.history.at(-1)?.onBehalfOf : undefined;
        return b ? { id: b, displayName: names.get(b) ?? b } : null;
      };
      const approve = acts.find((a) => a.type === 'approve' || a.type === 'reject');
      if (c.kind === 'approval' && approve) items.push({ ...base, reason: 'approval', onBehalfOf: behalf(approve) });
      for (const a of acts)
        if (a.type === 'give_opinion') items.push({ ...base, reason: 'opinion', opinionDepartment: a.departmentId, onBehalfOf: behalf(a) });
      if (c.kind === 'draft' && acts.some((a) => a.type === 'submit_draft')) items.push({ ...base, reason: 'draft', onBehalfOf: null });
    }
    return {
      items,
      counts: {
        total: items.length,
        approvals: items.filter((i) => i.reason === 'approval').length,
        opinions: items.filter((i) => i.reason === 'opinion').length,
        drafts: items.filter((i) => i.reason === 'draft').length,
        late: items.filter((i) => i.late).length,
      },
    };
  }
}
