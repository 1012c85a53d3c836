import type { Role } from '@grc/domain';

/** The agent behind a request, with the departments it may see (own + descendants; all for admins). */
export interface AuthenticatedAgent {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  locale: 'fr' | 'en';
  departmentIds: string[];
  visibleDepartmentIds: string[];
}

/** Who acts, from where: passed explicitly to services so that audit rows name them. */
export interface Actor {
  agent: AuthenticatedAgent;
  ip: string | null;
}
