import { shareRefusal, viewVisibleTo } from './saved-views';

describe('saved views: sharing', () => {
  it('a head shares with their own departments, an agent keeps views personal', () => {
    expect(shareRefusal({ role: 'agent', departmentIds: ['v'] }, [])).toBeNull();
    expect(shareRefusal({ role: 'agent', departmentIds: ['v'] }, ['v'])?.code).toBe('views.share_heads_only');
    expect(shareRefusal({ role: 'head', departmentIds: ['v'] }, ['v'])).toBeNull();
    expect(shareRefusal({ role: 'head', departmentIds: ['v'] }, ['v', 'e'])?.code).toBe('views.share_own_departments');
    expect(shareRefusal({ role: 'admin', departmentIds: [] }, ['e'])).toBeNull();
    expect(shareRefusal({ role: 'elected', departmentIds: ['u'] }, ['u'])?.code).toBe('views.share_heads_only');
  });
  it('a shared view is seen by the members of those departments only', () => {
    const view = { ownerId: 'head', sharedDepartmentIds: ['v'] };
    expect(viewVisibleTo({ id: 'head', departmentIds: [] }, view)).toBe(true);
    expect(viewVisibleTo({ id: 'julie', departmentIds: ['v'] }, view)).toBe(true);
    expect(viewVisibleTo({ id: 'antoine', departmentIds: ['e'] }, view)).toBe(false);
  });
});
