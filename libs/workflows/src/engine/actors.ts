/**
 * Who acts. An actor acts in their own name, or on behalf of a colleague who delegated to them for a
 * period (a head away names a delegate): the delegate then acts with the delegator's role and
 * departments, and the step is recorded as made by the delegate "on behalf of" the delegator.
 * Delegations apply to approvals and opinions; drafting and cancelling are done in one's own name.
 */
import type { WorkflowRole } from '../definition/schema';

export interface Delegation {
  fromAgentId: string;
  fromRole: WorkflowRole;
  fromDepartmentIds: readonly string[];
  /** ISO 8601 instants: active when from <= now < to. */
  from: string;
  to: string;
}

/** `system` is the scheduler (timers) and the citizen-facing channels. */
export type ActorRole = WorkflowRole | 'system';

export interface Actor {
  id: string;
  role: ActorRole;
  departmentIds: readonly string[];
  /** Delegations received. */
  delegations?: readonly Delegation[];
}

export const SYSTEM_ACTOR: Actor = Object.freeze({ id: 'system', role: 'system', departmentIds: Object.freeze([]) as readonly string[] });

/** The identity an actor acts under: their own, or a delegator's. */
export interface Identity {
  agentId: string;
  role: ActorRole;
  departmentIds: readonly string[];
}

export interface Capacity {
  /** Whose role and departments apply. */
  identity: Identity;
  /** Set when acting on behalf of a delegator (= identity.agentId). */
  onBehalfOf?: string;
}

export const isDelegationActive = (d: Delegation, now: string): boolean => {
  const t = Date.parse(now);
  return Date.parse(d.from) <= t && t < Date.parse(d.to);
};

/**
 * Picks the capacity under which `actor` may do something `admits` accepts at `now`: their own
 * identity first, else the first active delegation that is admitted. `onBehalfOf` forces a given
 * delegator (or the actor's own id to force acting in one's own name).
 */
export function resolveCapacity(
  actor: Actor,
  now: string,
  admits: (identity: Identity) => boolean,
  onBehalfOf?: string,
): Capacity | undefined {
  const own: Identity = { agentId: actor.id, role: actor.role, departmentIds: actor.departmentIds };
  if ((onBehalfOf === undefined || onBehalfOf === actor.id) && admits(own)) return { identity: own };
  if (onBehalfOf === actor.id) return undefined;
  for (const d of actor.delegations ?? []) {
    if (d.fromAgentId === actor.id || (onBehalfOf !== undefined && d.fromAgentId !== onBehalfOf)) continue;
    if (!isDelegationActive(d, now)) continue;
    const identity: Identity = { agentId: d.fromAgentId, role: d.fromRole, departmentIds: d.fromDepartmentIds };
    if (admits(identity)) return { identity, onBehalfOf: d.fromAgentId };
  }
  return undefined;
}

/** Delegations of `actor` active at `now` (for the UI: "you are acting for ..."). */
export const activeDelegations = (actor: Actor, now: string): Delegation[] =>
  (actor.delegations ?? []).filter((d) => d.fromAgentId !== actor.id && isDelegationActive(d, now));
