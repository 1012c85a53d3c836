/**
 * A circuit as a graph for drawing and for its text alternative: the steps in reading order
 * (breadth-first from the initial step, then those it cannot reach) and every edge — transitions in
 * their order, and where an approval's rejection goes back to.
 */
import type { Outcome, StepKind, Transition, WorkflowDefinition } from '../definition/schema';

export interface CircuitNode {
  id: string;
  kind: StepKind;
  label: string | null;
  initial: boolean;
  reachable: boolean;
}
export interface CircuitEdge {
  from: string;
  to: string;
  /** a transition (with its index in the step's transitions) or a rejection back to a draft */
  kind: 'transition' | 'reject';
  on: Outcome | 'rejected';
  index: number | null;
  guarded: boolean;
  /** the target step does not exist */
  dangling: boolean;
}
export interface CircuitGraph {
  nodes: CircuitNode[];
  edges: CircuitEdge[];
}

export function circuitGraph(def: WorkflowDefinition): CircuitGraph {
  const has = (id: string) => Object.prototype.hasOwnProperty.call(def.steps, id);
  const order: string[] = [];
  const queue = has(def.initial) ? [def.initial] : [];
  while (queue.length) {
    const id = queue.shift()!;
    if (order.includes(id) || !has(id)) continue;
    order.push(id);
    for (const t of (def.steps[id]!.transitions ?? []) as Transition[]) queue.push(t.to);
  }
  const reachable = new Set(order);
  for (const id of Object.keys(def.steps)) if (!reachable.has(id)) order.push(id);
  const nodes = order.map((id) => {
    const s = def.steps[id]!;
    return { id, kind: s.kind, label: s.label ?? null, initial: id === def.initial, reachable: reachable.has(id) };
  });
  const edges: CircuitEdge[] = [];
  for (const id of order) {
    const s = def.steps[id]!;
    ((s.transitions ?? []) as Transition[]).forEach((t, i) =>
      edges.push({ from: id, to: t.to, kind: 'transition', on: t.on, index: i, guarded: t.guard !== undefined, dangling: !has(t.to) }),
    );
    if (s.kind === 'approval' && s.rejectTo !== undefined)
      edges.push({ from: id, to: s.rejectTo, kind: 'reject', on: 'rejected', index: null, guarded: false, dangling: !has(s.rejectTo) });
  }
  return { nodes, edges };
}
