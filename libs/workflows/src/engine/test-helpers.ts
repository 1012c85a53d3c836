/* Shared fixtures for the specs (not exported from the library). */
import { publish, emptyRegistry, WorkflowRegistry } from '../versioning';
import { DEMO_TOWN_WORKFLOWS } from '../examples/demo-town';
import type { PublishedDefinition } from '../definition/schema';
import type { Actor } from './actors';
import type { ApplyResult, TicketContext, WorkflowInstanceState } from './state';

export const demoRegistry = (): WorkflowRegistry =>
  DEMO_TOWN_WORKFLOWS.reduce((reg, d) => {
    const r = publish(reg, d);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.registry;
  }, emptyRegistry());

export const demo = (id: string): PublishedDefinition => demoRegistry().definitions[id]![0]!;

export const agent = (id: string, dep: string, extra: Partial<Actor> = {}): Actor => ({
  id,
  role: 'agent',
  departmentIds: [dep],
  ...extra,
});
export const head = (id: string, dep: string, extra: Partial<Actor> = {}): Actor => ({ id, role: 'head', departmentIds: [dep], ...extra });
export const elected = (id: string): Actor => ({ id, role: 'elected', departmentIds: [] });

export const ticket = (departmentId: string, fields: TicketContext['fields'] = {}): TicketContext => ({
  ticketId: 't-1',
  departmentId,
  fields,
});

export function ok(r: ApplyResult): { state: WorkflowInstanceState; effects: Extract<ApplyResult, { ok: true }>['effects'] } {
  if (!r.ok) throw new Error(`refused: ${r.code} ${r.message}`);
  return r;
}
