/**
 * Roles and what each may do. Deny by default: a permission not listed for a role is refused,
 * and every API route declares the permission it needs.
 */
export const ROLES = ['agent', 'head', 'admin', 'elected', 'dpo'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'tickets.read',
  'tickets.create',
  'tickets.update',
  'tickets.assign',
  'tickets.transfer',
  'tickets.reply',
  'citizens.read',
  'citizens.write',
  /** search and read every citizen of the town (front desk, admin); others reach a citizen through their departments' tickets */
  'citizens.directory',
  'reference.read',
  'admin.config',
  'admin.agents',
  'audit.read',
  /** the citizens' rights (access export, erasure, merge) and the retention rules: the DPO and admins */
  'rgpd',
  'workflows.act',
  'workflows.delegate',
  /** the dashboards, exports and monthly report of one's departments (heads, élus; admins: the whole town) */
  'reports.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const AGENT: readonly Permission[] = [
  'tickets.read',
  'tickets.create',
  'tickets.update',
  'tickets.assign',
  'tickets.transfer',
  'tickets.reply',
  'citizens.read',
  'citizens.write',
  'reference.read',
  'workflows.act',
];

/**
 * `dpo` (délégué à la protection des données): answers the citizens' rights requests (access export,
 * rectification by the services, erasure, merge), sets retention and reads the whole audit trail — so
 * `rgpd`, `audit.read` (every record's trail, not only a department's), and the citizen directory
 * (`citizens.directory` + `citizens.read`: a request comes from a person, found by name or contact,
 * whatever department their requests went to). Need-to-know: the DPO does not handle requests, so no
 * `tickets.*` (neither the inbox nor a ticket's detail: what a citizen's requests hold reaches the DPO
 * through the access export, itself audited), no `citizens.write` (rectification is the services'),
 * no administration. `reference.read` names departments and categories on those screens.
 *
 * `elected` (élu): signs sensitive replies in validation circuits. Reads the tickets of their
 * departments and takes workflow steps (approve, reject, delegate while away); nothing else.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  agent: AGENT,
  head: [...AGENT, 'audit.read', 'workflows.delegate', 'reports.read'],
  admin: [...PERMISSIONS],
  elected: ['tickets.read', 'reference.read', 'workflows.act', 'workflows.delegate', 'reports.read'],
  dpo: ['rgpd', 'audit.read', 'citizens.directory', 'citizens.read', 'reference.read'],
};

/**
 * What an agent gains by belonging to a front-desk department (accueil, guichet unique: a department
 * flagged `frontDesk`): the town's whole citizen directory, whatever its role. A front desk receives
 * people before anyone knows which service they need, so it must find them; every other agent is
 * need-to-know and reaches a citizen only through a ticket of a department it may see.
 */
export const FRONT_DESK_PERMISSIONS: readonly Permission[] = ['citizens.directory'];

/** What grants a permission beyond the role: membership of a front-desk department. */
export interface PermissionGrants {
  frontDesk?: boolean;
}

/** Deny by default: an unknown role or permission (e.g. from a stale token) is refused, never an exception. */
export const hasPermission = (role: Role, permission: Permission, grants: PermissionGrants = {}): boolean =>
  Object.prototype.hasOwnProperty.call(ROLE_PERMISSIONS, role) &&
  (ROLE_PERMISSIONS[role].includes(permission) ||
    (grants.frontDesk === true && role !== 'elected' && FRONT_DESK_PERMISSIONS.includes(permission)));

/** Every permission of this role with these grants (shown to the console in /auth/me). */
export const permissionsOf = (role: Role, grants: PermissionGrants = {}): Permission[] =>
  PERMISSIONS.filter((p) => hasPermission(role, p, grants));
export const isRole = (v: unknown): v is Role => (ROLES as readonly unknown[]).includes(v);
