/**
 * Who may call which route, on whose objects: the one table the authorisation matrix
 * (test/authorization.spec.ts) walks. Every route of the OpenAPI document, the Open311 GeoReport v2
 * routes and the citizen side have a row; a route served without a row fails the test, and so does a
 * row whose route is gone. The guard's decorators and the services' scope checks are proven against it.
 *
 * The rule a row states:
 * - `who: 'public'`: no login; every caller gets `ok`.
 * - otherwise anonymous gets 401, a role not listed 403 (the guard, before anything is read);
 * - `object`: the route acts on one object, tried as one of the caller's own ('own') and one of
 *   another department's or agent's ('other'). 'other' answers 404 (its existence is not revealed)
 *   unless the caller is in `reach` (default: the admin, who sees every department);
 * - no `object`: one cell per role.
 */
export const PRINCIPALS = ['anonymous', 'agent', 'head', 'elected', 'admin', 'frontDesk', 'dpo'] as const;
export type Principal = (typeof PRINCIPALS)[number];
type Agent = Exclude<Principal, 'anonymous'>;
export type Scope = 'own' | 'other' | 'none';

/**
 * - ticket: a ticket of the caller's department / of another department;
 * - citizen: a person with a ticket in the caller's department / only in another department;
 * - mine: a row that belongs to the caller (notification, delegation) / to another agent.
 */
export type ObjectKind = 'ticket' | 'citizen' | 'mine';

export interface RouteAccess {
  who: 'public' | readonly Agent[];
  object?: ObjectKind;
  /** 302: a browser redirect (the OpenID Connect sign-in) */
  ok: 200 | 201 | 202 | 204 | 302;
  /** who reaches the 'other' object too (default ['admin']) */
  reach?: readonly Agent[];
}

const STAFF: readonly Agent[] = ['agent', 'head', 'admin', 'frontDesk'];
/** who handles or signs requests (tickets.read): everyone but the DPO */
const TICKET_READERS: readonly Agent[] = [...STAFF, 'elected'];
/** every signed-in agent */
const EVERYONE: readonly Agent[] = [...TICKET_READERS, 'dpo'];
const ADMIN: readonly Agent[] = ['admin'];
const HEADS: readonly Agent[] = ['head', 'admin'];
/** readers of the audit trail (audit.read) */
const AUDITORS: readonly Agent[] = ['head', 'admin', 'dpo'];
const SIGNERS: readonly Agent[] = ['head', 'admin', 'elected'];
/** holders of the `rgpd` permission (citizens' rights, retention): admins and the DPO */
const RGPD: readonly Agent[] = ['admin', 'dpo'];
/** readers of citizens (citizens.read): the staff and the DPO, who finds the person a rights request is about */
const CITIZEN_READERS: readonly Agent[] = [...STAFF, 'dpo'];
/** the whole town's citizen directory */
const DIRECTORY: readonly Agent[] = ['admin', 'frontDesk', 'dpo'];

const admin = (ok: RouteAccess['ok'] = 200): RouteAccess => ({ who: ADMIN, ok });
const pub = (ok: RouteAccess['ok'] = 200): RouteAccess => ({ who: 'public', ok });

export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /api/v1/health': pub(),
  // Kubernetes' probes (modules/health/probes.service.ts)
  'GET /api/v1/health/live': pub(),
  'GET /api/v1/health/ready': pub(),
  'POST /api/v1/auth/login': pub(),
  'GET /api/v1/auth/me': { who: EVERYONE, ok: 200 },
  'POST /api/v1/auth/logout': { who: EVERYONE, ok: 204 },
  // the session's commune (issue 15): one of the agent's, else 400 on communeId
  'PUT /api/v1/auth/commune': { who: EVERYONE, ok: 200 },
  // OpenID Connect sign-in (modules/auth/oidc): refusals are redirects to /login?sso_error=<code> too
  'GET /api/v1/auth/oidc/providers': pub(),
  'GET /api/v1/auth/oidc/{provider}/start': pub(302),
  'GET /api/v1/auth/oidc/{provider}/callback': pub(302),
  'GET /api/v1/auth/oidc/end-session': { who: EVERYONE, ok: 200 },
  'GET /api/v1/admin/identity-providers': admin(),
  'POST /api/v1/admin/identity-providers': admin(201),
  'PUT /api/v1/admin/identity-providers/{id}': admin(),
  'DELETE /api/v1/admin/identity-providers/{id}': admin(204),
  // the login's second step: the pending login's cookie says whose it is
  'POST /api/v1/auth/login/second-factor': pub(),
  // grc create-admin's sign-in link: the token says whose it is
  'POST /api/v1/auth/sign-in-link/check': pub(),
  'POST /api/v1/auth/sign-in-link/redeem': pub(),
  // one's own account: password, second factor, sessions ('mine': one's own session / another agent's)
  'POST /api/v1/account/password': { who: EVERYONE, ok: 204 },
  'GET /api/v1/account/second-factor': { who: EVERYONE, ok: 200 },
  'POST /api/v1/account/second-factor/enrolment': { who: EVERYONE, ok: 200 },
  'POST /api/v1/account/second-factor/confirm': { who: EVERYONE, ok: 200 },
  'POST /api/v1/account/second-factor/disable': { who: EVERYONE, ok: 204 },
  'GET /api/v1/account/sessions': { who: EVERYONE, ok: 200 },
  'POST /api/v1/account/sessions/close-others': { who: EVERYONE, ok: 200 },
  'DELETE /api/v1/account/sessions/{id}': { who: EVERYONE, object: 'mine', ok: 204, reach: [] },
  'GET /api/v1/security-settings': admin(),
  'PUT /api/v1/security-settings': admin(),
  'GET /api/v1/town-settings': admin(),
  'PUT /api/v1/town-settings': admin(),
  // a métropole's communes (Administration › Communes): the administrators of a métropole only. The matrix's principals
  // are a commune's (Saint-Aubin's), its administrator too: 403 for all of them; test/communes-admin.spec.ts proves the
  // métropole's administrator's 2xx and the refusal of a commune's administrators and of a métropole's agent
  'GET /api/v1/communes': { who: [], ok: 200 },
  'POST /api/v1/communes': { who: [], ok: 201 },
  'PUT /api/v1/communes/{id}': { who: [], ok: 200 },
  'GET /api/v1/communes/{id}/members': { who: [], ok: 200 },
  'PUT /api/v1/communes/{id}/members/{agentId}': { who: [], ok: 200 },
  'DELETE /api/v1/communes/{id}/members/{agentId}': { who: [], ok: 200 },
  // tickets
  'GET /api/v1/tickets': { who: TICKET_READERS, ok: 200 },
  'GET /api/v1/tickets/counters': { who: TICKET_READERS, ok: 200 },
  'GET /api/v1/tickets/count': { who: TICKET_READERS, ok: 200 },
  'POST /api/v1/tickets': { who: STAFF, ok: 201 },
  'GET /api/v1/tickets/{id}': { who: TICKET_READERS, object: 'ticket', ok: 200 },
  'PATCH /api/v1/tickets/{id}': { who: STAFF, object: 'ticket', ok: 200 },
  'POST /api/v1/tickets/{id}/assign': { who: STAFF, object: 'ticket', ok: 201 },
  'POST /api/v1/tickets/{id}/transfer': { who: STAFF, object: 'ticket', ok: 201 },
  'POST /api/v1/tickets/{id}/status': { who: STAFF, object: 'ticket', ok: 201 },
  'POST /api/v1/tickets/{id}/messages': { who: STAFF, object: 'ticket', ok: 201 },
  'POST /api/v1/tickets/{id}/attachments': { who: STAFF, object: 'ticket', ok: 201 },
  'GET /api/v1/tickets/{id}/attachments/{attachmentId}': { who: TICKET_READERS, object: 'ticket', ok: 200 },
  'GET /api/v1/tickets/{id}/sla': { who: TICKET_READERS, object: 'ticket', ok: 200 },
  'GET /api/v1/tickets/{id}/duplicates': { who: TICKET_READERS, object: 'ticket', ok: 200 },
  'POST /api/v1/tickets/{id}/link': { who: STAFF, object: 'ticket', ok: 201 },
  'POST /api/v1/tickets/{id}/unlink': { who: STAFF, object: 'ticket', ok: 201 },
  'GET /api/v1/tickets/{id}/mail-deliveries': { who: STAFF, object: 'ticket', ok: 200 },
  'POST /api/v1/tickets/{id}/mail-deliveries/{deliveryId}/retry': { who: STAFF, object: 'ticket', ok: 200 },
  // a ticket's circuit: its department's people; a participant of another department only through the circuit
  'GET /api/v1/tickets/{id}/workflow': { who: TICKET_READERS, object: 'ticket', ok: 200 },
  // live updates (modules/live, docs/live.md): server-sent event streams and presence, scoped like GET /tickets and /tickets/:id
  'GET /api/v1/live/inbox': { who: TICKET_READERS, ok: 200 },
  'GET /api/v1/live/tickets/{id}': { who: TICKET_READERS, object: 'ticket', ok: 200 },
  'GET /api/v1/live/tickets/{id}/presence': { who: TICKET_READERS, object: 'ticket', ok: 200 },
  'PUT /api/v1/live/tickets/{id}/presence': { who: TICKET_READERS, object: 'ticket', ok: 200 },
  'DELETE /api/v1/live/tickets/{id}/presence': { who: TICKET_READERS, object: 'ticket', ok: 204 },
  // saved views of the inbox (modules/views): one's own ('mine': one's own view / another agent's, which nobody else changes)
  'GET /api/v1/views': { who: TICKET_READERS, ok: 200 },
  'POST /api/v1/views': { who: TICKET_READERS, ok: 201 },
  'PUT /api/v1/views/{id}': { who: TICKET_READERS, object: 'mine', ok: 200, reach: [] },
  'DELETE /api/v1/views/{id}': { who: TICKET_READERS, object: 'mine', ok: 204, reach: [] },
  'GET /api/v1/tickets/{id}/workflow/ticket': { who: TICKET_READERS, object: 'ticket', ok: 200 },
  'POST /api/v1/tickets/{id}/workflow/actions': { who: TICKET_READERS, object: 'ticket', ok: 201 },
  // citizens: need-to-know; the directory (front desk, admin) reaches everyone
  'GET /api/v1/citizens': { who: CITIZEN_READERS, ok: 200 },
  'POST /api/v1/citizens': { who: STAFF, ok: 201 },
  'GET /api/v1/citizens/{id}': { who: CITIZEN_READERS, object: 'citizen', ok: 200, reach: DIRECTORY },
  'PUT /api/v1/citizens/{id}': { who: STAFF, object: 'citizen', ok: 200, reach: ['admin', 'frontDesk'] },
  'GET /api/v1/citizens/{id}/tickets': { who: TICKET_READERS, object: 'citizen', ok: 200, reach: ['admin', 'frontDesk'] },
  'GET /api/v1/citizens/{id}/messages': { who: TICKET_READERS, object: 'citizen', ok: 200, reach: ['admin', 'frontDesk'] },
  // the citizens' rights (modules/citizen-rights): the DPO and admins, for every person of the town
  'GET /api/v1/citizens/{id}/access-export': { who: RGPD, object: 'citizen', ok: 200, reach: RGPD },
  'GET /api/v1/citizens/{id}/access-letter': { who: RGPD, object: 'citizen', ok: 200, reach: RGPD },
  'POST /api/v1/citizens/{id}/erase': { who: RGPD, object: 'citizen', ok: 200, reach: RGPD },
  'POST /api/v1/citizens/{id}/merge': { who: RGPD, object: 'citizen', ok: 200, reach: RGPD },
  'GET /api/v1/privacy-settings': { who: RGPD, ok: 200 },
  'PUT /api/v1/privacy-settings': { who: RGPD, ok: 200 },
  // reference data: read by all, changed by the admin
  'GET /api/v1/departments': { who: EVERYONE, ok: 200 },
  'POST /api/v1/departments': admin(201),
  'PUT /api/v1/departments/{id}': admin(),
  'GET /api/v1/categories': { who: EVERYONE, ok: 200 },
  'POST /api/v1/categories': admin(201),
  'PUT /api/v1/categories/{id}': admin(),
  'GET /api/v1/routing-rules': { who: EVERYONE, ok: 200 },
  'POST /api/v1/routing-rules': admin(201),
  'PUT /api/v1/routing-rules/{id}': admin(),
  'DELETE /api/v1/routing-rules/{id}': admin(204),
  // the routing areas as GeoJSON (modules/reference, issue 12): export for every reader, import (preview or applied) for the admin
  'GET /api/v1/routing-rules/areas': { who: EVERYONE, ok: 200 },
  'POST /api/v1/routing-rules/areas/import': admin(200),
  'GET /api/v1/agents': { who: EVERYONE, ok: 200 },
  'POST /api/v1/agents': admin(201),
  'PUT /api/v1/agents/{id}': admin(),
  // the trail: heads for their departments' tickets; the DPO and the admin read the whole journal
  'GET /api/v1/audit': { who: AUDITORS, object: 'ticket', ok: 200, reach: RGPD },
  'GET /api/v1/audit/export.csv': { who: AUDITORS, object: 'ticket', ok: 200, reach: RGPD },
  'POST /api/v1/agents/{id}/password-reset': admin(),
  'DELETE /api/v1/agents/{id}/second-factor': admin(204),
  'GET /api/v1/open311-keys': admin(),
  'POST /api/v1/open311-keys': admin(201),
  'DELETE /api/v1/open311-keys/{id}': admin(200),
  // circuits: administration
  'GET /api/v1/workflows/definitions': admin(),
  'POST /api/v1/workflows/definitions': admin(201),
  'POST /api/v1/workflows/definitions/validate': admin(),
  'POST /api/v1/workflows/definitions/dry-run': admin(),
  'POST /api/v1/workflows/definitions/import': admin(201),
  'GET /api/v1/workflows/definitions/{code}': admin(),
  'GET /api/v1/workflows/definitions/{code}/versions/{version}': admin(),
  'GET /api/v1/workflows/definitions/{code}/draft': admin(),
  'DELETE /api/v1/workflows/definitions/{code}/draft': admin(204),
  'POST /api/v1/workflows/definitions/{code}/publish': admin(201),
  'GET /api/v1/workflows/definitions/{code}/export': admin(),
  'GET /api/v1/workflows/bindings': admin(),
  'POST /api/v1/workflows/bindings': admin(201),
  'DELETE /api/v1/workflows/bindings/{id}': admin(204),
  // circuits: one's own work
  'GET /api/v1/workflows/inbox': { who: TICKET_READERS, ok: 200 },
  'GET /api/v1/workflows/delegations': { who: SIGNERS, ok: 200 },
  'POST /api/v1/workflows/delegations': { who: SIGNERS, ok: 201 },
  'DELETE /api/v1/workflows/delegations/{id}': { who: SIGNERS, object: 'mine', ok: 200 },
  // SLA
  'GET /api/v1/sla/breaches': { who: HEADS, ok: 200 },
  'GET /api/v1/sla/calendars': admin(),
  'POST /api/v1/sla/calendars': admin(201),
  'PUT /api/v1/sla/calendars/{id}': admin(),
  'DELETE /api/v1/sla/calendars/{id}': admin(204),
  'GET /api/v1/sla/policies': admin(),
  'POST /api/v1/sla/policies': admin(201),
  'PUT /api/v1/sla/policies/{id}': admin(),
  // e-mail channel
  'GET /api/v1/mail/templates': admin(),
  'PUT /api/v1/mail/templates/{event}/{locale}': admin(),
  'POST /api/v1/mail/templates/preview': admin(),
  'GET /api/v1/mail/reply-templates': { who: STAFF, ok: 200 },
  'POST /api/v1/mail/reply-templates': admin(201),
  'PUT /api/v1/mail/reply-templates/{id}': admin(),
  'DELETE /api/v1/mail/reply-templates/{id}': admin(204),
  // renders for a ticket: the ticket is the object
  'POST /api/v1/mail/reply-templates/{id}/render': { who: STAFF, object: 'ticket', ok: 200 },
  'GET /api/v1/mail/mailboxes': admin(),
  'POST /api/v1/mail/mailboxes': admin(201),
  'PUT /api/v1/mail/mailboxes/{id}': admin(),
  'DELETE /api/v1/mail/mailboxes/{id}': admin(204),
  'POST /api/v1/mail/mailboxes/{id}/poll': admin(202),
  'GET /api/v1/mail/quarantine': admin(),
  'GET /api/v1/mail/quarantine/{id}/raw': admin(),
  'DELETE /api/v1/mail/quarantine/{id}': admin(204),
  // replies by post (modules/letters): the queue of one's departments; a letter is its ticket's ('other': 404)
  'GET /api/v1/letters': { who: STAFF, ok: 200 },
  'GET /api/v1/letters/{id}/pdf': { who: STAFF, object: 'ticket', ok: 200 },
  'POST /api/v1/letters/{id}/sent': { who: STAFF, object: 'ticket', ok: 200 },
  // one's own notifications (nobody reads another agent's, the admin neither)
  'GET /api/v1/notifications': { who: EVERYONE, ok: 200 },
  'GET /api/v1/notifications/unread-count': { who: EVERYONE, ok: 200 },
  'POST /api/v1/notifications/read-all': { who: EVERYONE, ok: 200 },
  'POST /api/v1/notifications/{id}/read': { who: EVERYONE, object: 'mine', ok: 200, reach: [] },
  // places (modules/places): addresses for every signed-in role, the map of requests like the inbox, the BAN import for the admin
  'GET /api/v1/places/search': { who: EVERYONE, ok: 200 },
  'GET /api/v1/places/reverse': { who: EVERYONE, ok: 200 },
  'GET /api/v1/places/map-settings': { who: EVERYONE, ok: 200 },
  'GET /api/v1/places/nearby': { who: TICKET_READERS, ok: 200 },
  'GET /api/v1/places/requests-map': { who: TICKET_READERS, ok: 200 },
  'GET /api/v1/places/summary': admin(),
  'POST /api/v1/places/imports': admin(201),
  'GET /api/v1/tickets/{id}/nearby': { who: TICKET_READERS, object: 'ticket', ok: 200 },
  'GET /api/v1/public/places/search': pub(),
  'GET /api/v1/public/places/reverse': pub(),
  'GET /api/v1/public/places/map-settings': pub(),
  // the citizen side, no account (modules/public; in the OpenAPI document)
  'GET /api/v1/public/form': pub(),
  'GET /api/v1/public/town': pub(),
  // 404 until an administrator gives the town a logo (the matrix's database has none: it checks the route is public)
  'GET /api/v1/public/town-logo': { who: 'public', ok: 200 },
  'GET /api/v1/public/privacy-notice': pub(),
  'POST /api/v1/public/requests': pub(201),
  'GET /api/v1/public/requests/{reference}': pub(),
  'POST /api/v1/public/requests/{reference}/messages': pub(),
  // retention (issue 10)
  'GET /api/v1/retention/rules': { who: RGPD, ok: 200 },
  'PUT /api/v1/retention/rules': { who: RGPD, ok: 200 },
  'GET /api/v1/retention/runs': { who: RGPD, ok: 200 },
  // figures, dashboards and open data (issue 11): reports.read, scoped by department in the service
  'GET /api/v1/reporting/dashboard': { who: SIGNERS, ok: 200 },
  'GET /api/v1/reporting/export': { who: SIGNERS, ok: 200 },
  'GET /api/v1/reporting/monthly-report': { who: SIGNERS, ok: 200 },
  'GET /api/v1/reporting/open-data/settings': admin(),
  'PUT /api/v1/reporting/open-data/settings': admin(),
  'GET /api/v1/public/open-data': pub(),
  'GET /api/v1/public/open-data/{name}': pub(),
  'GET /api/v1/public/barometer': pub(),
  // the town's configuration as a town pack (issue 15): export (zip), import (preview with dryRun, then apply)
  'GET /api/v1/admin/pack': admin(),
  'POST /api/v1/admin/pack/import': admin(),
};

/**
 * Open311 GeoReport v2 (modules/open311), outside the OpenAPI document: public, by the standard's
 * own rules (POST needs an api_key, checked by the service, not by a role).
 */
export const OPEN311_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /open311/v2/services.{format}': pub(),
  'GET /open311/v2/services/{service_code}.{format}': pub(),
  'GET /open311/v2/requests.{format}': pub(),
  'GET /open311/v2/requests/{service_request_id}.{format}': pub(),
  'GET /open311/v2/tokens/{token}.{format}': pub(),
  'POST /open311/v2/requests.{format}': pub(),
};

/** The status a cell must answer. */
export function expectedStatus(access: RouteAccess, who: Principal, scope: Scope): number {
  if (access.who === 'public') return access.ok;
  if (who === 'anonymous') return 401;
  if (!access.who.includes(who)) return 403;
  if (access.object && scope === 'other' && !(access.reach ?? ADMIN).includes(who)) return 404;
  return access.ok;
}
