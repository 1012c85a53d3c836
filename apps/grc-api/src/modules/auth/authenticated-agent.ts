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
  /** member of a front-desk department (departments.front_desk): grants the citizen directory */
  frontDesk: boolean;
  /** the commune the session works for (sessions.commune_id, agent_communes); absent for system actors */
  communeId?: string;
  /** the session's id (GET /account/sessions marks it current); absent for system actors */
  sessionId?: string;
  /** an administrator reset the password: until it is changed the session reaches only the account routes */
  mustChangePassword?: boolean;
  /** a TOTP second factor is enrolled */
  secondFactor?: boolean;
  /** the town requires a second factor of admins and this one has none: the session reaches only enrolment */
  secondFactorEnrolmentRequired?: boolean;
}

/** Whether the session may only reach the routes marked `@AllowRestricted()` (password change, enrolment). */
export const isRestricted = (agent: AuthenticatedAgent): boolean =>
  agent.mustChangePassword === true || agent.secondFactorEnrolmentRequired === true;

/** Who acts, from where: passed explicitly to services so that audit rows name them. */
export interface Actor {
  agent: AuthenticatedAgent;
  ip: string | null;
  /** background work (SLA escalations, workflow timers): names the process; there is no agent row */
  system?: string;
}

/** The agents.id to store for this actor: null for the system. */
export const actorId = (actor: Actor): string | null => (actor.system ? null : actor.agent.id);

/** An actor for the worker's own decisions: sees every department, is audited as `system:<label>`. */
export const systemActor = (label: string): Actor => ({
  system: label,
  ip: null,
  agent: {
    id: '00000000-0000-0000-0000-000000000000',
    email: `system:${label}`,
    displayName: `Système (${label})`,
    role: 'admin',
    locale: 'fr',
    departmentIds: [],
    visibleDepartmentIds: [],
    frontDesk: false,
  },
});
