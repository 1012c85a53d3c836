import type { AuthenticatedAgent } from '../auth/authenticated-agent';

/** Whether an agent may see tickets of this department: admins all, others their visible departments. */
export const canSeeDepartment = (agent: AuthenticatedAgent, departmentId: string): boolean =>
  agent.role === 'admin' || agent.visibleDepartmentIds.includes(departmentId);
