import fc from 'fast-check';
import { PERMISSIONS, Permission, ROLES, ROLE_PERMISSIONS, Role, hasPermission, isRole, permissionsOf } from './roles';

/** The matrix, written out: a permission is granted only where listed (deny by default). */
const GRANTED: Record<Permission, readonly Role[]> = {
  'tickets.read': ['agent', 'head', 'admin', 'elected'],
  'tickets.create': ['agent', 'head', 'admin'],
  'tickets.update': ['agent', 'head', 'admin'],
  'tickets.assign': ['agent', 'head', 'admin'],
  'tickets.transfer': ['agent', 'head', 'admin'],
  'tickets.reply': ['agent', 'head', 'admin'],
  'citizens.read': ['agent', 'head', 'admin', 'dpo'],
  'citizens.write': ['agent', 'head', 'admin'],
  'citizens.directory': ['admin', 'dpo'],
  'reference.read': ['agent', 'head', 'admin', 'elected', 'dpo'],
  'audit.read': ['head', 'admin', 'dpo'],
  rgpd: ['admin', 'dpo'],
  'admin.config': ['admin'],
  'admin.agents': ['admin'],
  'workflows.act': ['agent', 'head', 'admin', 'elected'],
  'workflows.delegate': ['head', 'admin', 'elected'],
  'reports.read': ['head', 'admin', 'elected'],
};

describe('role × permission matrix', () => {
  const cells = ROLES.flatMap((role) => PERMISSIONS.map((p) => [role, p, GRANTED[p].includes(role)] as const));

  it('covers every cell', () => expect(cells).toHaveLength(ROLES.length * PERMISSIONS.length));

  it.each(cells)('%s may %s: %s', (role, permission, granted) => {
    expect(hasPermission(role, permission)).toBe(granted);
  });

  it('roles are ordered: each one can do at least what the previous can', () => {
    for (const p of PERMISSIONS) {
      if (hasPermission('agent', p)) expect(hasPermission('head', p)).toBe(true);
      if (hasPermission('head', p)) expect(hasPermission('admin', p)).toBe(true);
    }
  });

  it('lists only known permissions', () => {
    for (const r of ROLES) for (const p of ROLE_PERMISSIONS[r]) expect(PERMISSIONS).toContain(p);
  });
});

describe('front desk (a member of a department flagged frontDesk)', () => {
  it('adds the citizen directory to agents and heads, nothing else, and nothing to the élu', () => {
    expect(hasPermission('agent', 'citizens.directory')).toBe(false);
    expect(hasPermission('agent', 'citizens.directory', { frontDesk: true })).toBe(true);
    expect(hasPermission('head', 'citizens.directory', { frontDesk: true })).toBe(true);
    expect(hasPermission('elected', 'citizens.directory', { frontDesk: true })).toBe(false);
    expect(new Set(permissionsOf('agent', { frontDesk: true }))).toEqual(new Set([...permissionsOf('agent'), 'citizens.directory']));
    expect(permissionsOf('elected', { frontDesk: true })).toEqual(permissionsOf('elected'));
    expect(hasPermission('agent', 'admin.config', { frontDesk: true })).toBe(false);
  });
});

describe('the DPO (need-to-know)', () => {
  it('answers rights requests and reads the trail, never handles a request nor administers', () => {
    expect(new Set(permissionsOf('dpo'))).toEqual(new Set(['rgpd', 'audit.read', 'citizens.directory', 'citizens.read', 'reference.read']));
    for (const p of PERMISSIONS.filter((x) => x.startsWith('tickets.') || x.startsWith('admin.') || x.startsWith('workflows.')))
      expect(hasPermission('dpo', p)).toBe(false);
    expect(hasPermission('dpo', 'citizens.write')).toBe(false);
    expect(permissionsOf('dpo', { frontDesk: true })).toEqual(permissionsOf('dpo'));
  });
});

describe('deny by default', () => {
  it('refuses unknown permissions and unknown roles', () => {
    expect(hasPermission('admin', 'tickets.delete' as Permission)).toBe(false);
    expect(hasPermission('agent', '' as Permission)).toBe(false);
    expect(hasPermission('guest' as Role, 'tickets.read')).toBe(false);
    expect(hasPermission('__proto__' as Role, 'tickets.read')).toBe(false);
    expect(hasPermission('constructor' as Role, 'tickets.read')).toBe(false);
  });

  it('property: any string that is not a listed permission is refused to every role', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...ROLES), (p, role) => {
        fc.pre(!(PERMISSIONS as readonly string[]).includes(p));
        expect(hasPermission(role, p as Permission)).toBe(false);
      }),
    );
  });

  it('isRole', () => {
    expect(ROLES.every(isRole)).toBe(true);
    expect(['Admin', 'root', '', null, undefined].some(isRole)).toBe(false);
  });
});
