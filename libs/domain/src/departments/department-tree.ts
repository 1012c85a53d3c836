/**
 * The department tree: directions contain services (and sub-directions); a service never
 * contains a direction. What an agent sees is their departments plus everything below them.
 */
import { Result, ok, refuse } from '../errors';

export type DepartmentKind = 'direction' | 'service';
export const DEPARTMENT_KINDS: readonly DepartmentKind[] = ['direction', 'service'];

export interface DepartmentNode {
  id: string;
  parentId: string | null;
  kind: DepartmentKind;
  active: boolean;
  name?: string;
}

/** parent id → children, in the order of `all`. */
export function childrenIndex<T extends DepartmentNode>(all: readonly T[]): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const d of all) {
    if (d.parentId === null) continue;
    const list = index.get(d.parentId);
    if (list) list.push(d);
    else index.set(d.parentId, [d]);
  }
  return index;
}

/** Ids of the given departments and of all their descendants (inactive ones included). Cycle-safe. */
export function descendantIds(all: readonly DepartmentNode[], rootIds: Iterable<string>): Set<string> {
  const children = childrenIndex(all);
  const seen = new Set<string>();
  const stack = [...rootIds];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const c of children.get(id) ?? []) stack.push(c.id);
  }
  return seen;
}

/**
 * Departments whose tickets an agent may see: the ones they belong to plus every descendant.
 * Known ids come out in the order of `all`; unknown member ids are kept at the end.
 */
export function visibleDepartmentIds(all: readonly DepartmentNode[], memberOf: readonly string[]): string[] {
  const visible = descendantIds(all, memberOf);
  const known = all.filter((d) => visible.has(d.id)).map((d) => d.id);
  const knownSet = new Set(known);
  return [...known, ...[...visible].filter((id) => !knownSet.has(id))];
}

/** Ancestors from the root down to the department itself (empty when unknown). Cycle-safe. */
export function departmentAncestry<T extends DepartmentNode>(all: readonly T[], id: string): T[] {
  const byId = new Map(all.map((d) => [d.id, d]));
  const chain: T[] = [];
  const seen = new Set<string>();
  let cur = byId.get(id);
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    chain.unshift(cur);
    cur = cur.parentId === null ? undefined : byId.get(cur.parentId);
  }
  return chain;
}

/**
 * Each department's ancestry, root down to itself (departmentAncestry for all of them): a figure counted per
 * department is rolled up the tree by counting it again under each of these.
 */
export function ancestryIndex(all: readonly DepartmentNode[]): Map<string, string[]> {
  return new Map(all.map((d) => [d.id, departmentAncestry(all, d.id).map((a) => a.id)]));
}

/** Names from the root down, e.g. ['Direction des services techniques', 'Voirie']. */
export function departmentPath(all: ReadonlyArray<DepartmentNode & { name: string }>, id: string): string[] {
  return departmentAncestry(all, id).map((d) => d.name);
}

/**
 * Moving a department under a new parent (or creating it there: pass `kind` when `id` is not
 * in `all` yet). Refuses: unknown parent, itself, one of its own descendants (a cycle), and a
 * service as the parent of a direction.
 */
export function validateParentChange(
  all: readonly DepartmentNode[],
  id: string,
  newParentId: string | null,
  kind?: DepartmentKind,
): Result {
  if (newParentId === null) return ok();
  const parent = all.find((d) => d.id === newParentId);
  if (!parent) return refuse('department.parent_not_found', 'Le service parent n’existe pas.', 'parentId');
  if (newParentId === id) {
    return refuse('department.parent_is_self', 'Un service ne peut pas être son propre parent.', 'parentId');
  }
  if (descendantIds(all, [id]).has(newParentId)) {
    return refuse(
      'department.parent_cycle',
      'Le parent choisi est rattaché à ce service : cela créerait une boucle dans l’organigramme.',
      'parentId',
    );
  }
  const ownKind = kind ?? all.find((d) => d.id === id)?.kind;
  if (ownKind === 'direction' && parent.kind === 'service') {
    return refuse('department.direction_under_service', 'Une direction ne peut pas être rattachée à un service.', 'parentId');
  }
  return ok();
}

/** Changing a department's kind: a service may not have directions below it. */
export function validateKindChange(all: readonly DepartmentNode[], id: string, kind: DepartmentKind): Result {
  const self = all.find((d) => d.id === id);
  const parent = self?.parentId ? all.find((d) => d.id === self.parentId) : undefined;
  if (kind === 'direction' && parent?.kind === 'service') {
    return refuse('department.direction_under_service', 'Une direction ne peut pas être rattachée à un service.', 'kind');
  }
  if (kind === 'service' && all.some((d) => d.parentId === id && d.kind === 'direction')) {
    return refuse('department.service_with_directions', 'Ce service contient des directions : il ne peut pas devenir un service.', 'kind');
  }
  return ok();
}
