/**
 * Roles and what each may do. Deny by default: a permission not listed for a role is refused,
 * and every API route declares the permission it needs.
 */
export const ROLES = ['agent', 'head', 'admin', 'elected'] as const;
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
  'reference.read',
  'admin.config',
  'admin.agents',
  'audit.read',
  'workflows.act',
  'workflows.delegate',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const AGENT: readonly Permission[] = [
  'tickets.read', 'tickets.create', 'tickets.update', 'tickets.assign', 'tickets.transfer', 'tickets.reply',
  'citizens.read', 'citizens.write', 'reference.read', 'workflows.act',
];

/**
 * `elected` (élu): signs sensitive replies in validation circuits. Reads the tickets of their
 * departments and takes workflow steps (approve, reject, delegate while away); nothing else.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  agent: AGENT,
  head: [...AGENT, 'audit.read', 'workflows.delegate'],
  admin: [...PERMISSIONS],
  elected: ['tickets.read', 'reference.read', 'workflows.act', 'workflows.delegate'],
};

/** Deny by default: an unknown role or permission (e.g. from a stale token) is refused, never an exception. */
export const hasPermission = (role: Role, permission: Permission): boolean =>
  Object.prototype.hasOwnProperty.call(ROLE_PERMISSIONS, role) && ROLE_PERMISSIONS[role].includes(permission);
export const isRole = (v: unknown): v is Role => (ROLES as readonly unknown[]).includes(v);
