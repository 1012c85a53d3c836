/**
 * Pure decisions the API applies before it changes a ticket. Each returns `{ ok: true }`
 * (or `{ ok: true, value }`) or a typed refusal with a French message and the field at fault.
 */
import { Result, ok, refuse, textLength } from '../errors';
import type { Role } from '../access/roles';
import { TicketStatus, canTransition } from './ticket-status';

export const STATUS_LABELS_FR: Record<TicketStatus, string> = {
  new: 'Nouvelle',
  open: 'En cours',
  waiting_citizen: 'En attente de l’usager',
  resolved: 'Résolue',
  closed: 'Clôturée',
};

export const STATUS_COMMENT_MAX = 20_000;
export const TRANSFER_REASON_MIN = 3;
export const TRANSFER_REASON_MAX = 1_000;
export const MESSAGE_BODY_MAX = 20_000;

/**
 * Status change: the move must be in the transition table; closing a ticket nobody has looked
 * at yet (from `new`) requires a comment saying why; reopening requires nothing.
 */
export function decideStatusChange(current: TicketStatus, target: TicketStatus, opts: { comment?: string | null } = {}): Result {
  const comment = (opts.comment ?? '').trim();
  if (current === target) {
    return refuse('status.unchanged', `La demande est déjà au statut « ${STATUS_LABELS_FR[current]} ».`, 'status');
  }
  if (!canTransition(current, target)) {
    return refuse(
      'status.transition_not_allowed',
      `Impossible de passer du statut « ${STATUS_LABELS_FR[current]} » au statut « ${STATUS_LABELS_FR[target]} ».`,
      'status',
    );
  }
  if (textLength(comment) > STATUS_COMMENT_MAX) {
    return refuse('status.comment_too_long', `Le commentaire ne doit pas dépasser ${STATUS_COMMENT_MAX} caractères.`, 'comment');
  }
  if (current === 'new' && target === 'closed' && comment === '') {
    return refuse(
      'status.comment_required',
      'Un commentaire est obligatoire pour clôturer une demande qui n’a pas été traitée.',
      'comment',
    );
  }
  return ok();
}

/** Transfer to another department: a reason (3 to 1000 characters, trimmed) is mandatory. */
export function decideTransfer(fromDeptId: string, toDeptId: string, reason: string | null | undefined): Result<{ reason: string }> {
  if (!toDeptId) return refuse('transfer.department_required', 'Choisissez le service destinataire.', 'departmentId');
  if (fromDeptId === toDeptId) {
    return refuse('transfer.same_department', 'La demande est déjà dans ce service.', 'departmentId');
  }
  const r = (reason ?? '').trim();
  if (r === '') return refuse('transfer.reason_required', 'Le motif du transfert est obligatoire.', 'reason');
  const n = textLength(r);
  if (n < TRANSFER_REASON_MIN) {
    return refuse('transfer.reason_too_short', `Le motif du transfert doit compter au moins ${TRANSFER_REASON_MIN} caractères.`, 'reason');
  }
  if (n > TRANSFER_REASON_MAX) {
    return refuse('transfer.reason_too_long', `Le motif du transfert ne doit pas dépasser ${TRANSFER_REASON_MAX} caractères.`, 'reason');
  }
  return ok({ reason: r });
}

const ASSIGNING_ROLES: readonly Role[] = ['agent', 'head', 'admin'];

export interface AssignmentActor {
  id: string;
  role: Role;
  departmentIds: readonly string[];
}
export interface AssignmentCandidate {
  id: string;
  active: boolean;
  departmentIds: readonly string[];
}

/**
 * Assignment. Unassigning (assignee null) is always allowed. Anyone may take a ticket for
 * themselves; agents may otherwise assign to an active member of the ticket's department,
 * heads and admins to any active member of the ticket's department.
 * Whether the actor may see the ticket at all is checked separately (visibleDepartmentIds).
 */
export function decideAssignment(actor: AssignmentActor, assignee: AssignmentCandidate | null, ticketDepartmentId: string): Result {
  if (assignee === null) return ok();
  if (!assignee.active) {
    return refuse('assignment.assignee_inactive', 'Cet agent est désactivé : il ne peut pas recevoir de demande.', 'assigneeId');
  }
  if (assignee.id === actor.id) return ok();
  // Same rule for every role today (agents, heads and admins may all dispatch within the
  // ticket's department); an unknown role is refused (deny by default).
  if (!ASSIGNING_ROLES.includes(actor.role)) {
    return refuse('assignment.forbidden', 'Vous n’avez pas le droit d’attribuer cette demande.', 'assigneeId');
  }
  if (!assignee.departmentIds.includes(ticketDepartmentId)) {
    return refuse(
      'assignment.assignee_not_in_department',
      'Cet agent n’appartient pas au service de la demande : transférez d’abord la demande.',
      'assigneeId',
    );
  }
  return ok();
}

/** reply: e-mailed to the citizen; note: agents only; public_note: published (Open311 status_notes), e-mailed to nobody */
export type MessageKind = 'reply' | 'note' | 'public_note';
export const MESSAGE_KINDS: readonly MessageKind[] = ['reply', 'note', 'public_note'];

/** Reply to the citizen or internal note: body trimmed, 1 to 20 000 characters. Returns the trimmed body. */
export function validateMessageBody(body: string | null | undefined): Result<string> {
  const b = typeof body === 'string' ? body.trim() : '';
  if (b === '') return refuse('message.body_required', 'Le message ne peut pas être vide.', 'body');
  if (textLength(b) > MESSAGE_BODY_MAX) {
    return refuse('message.body_too_long', `Le message ne doit pas dépasser ${MESSAGE_BODY_MAX} caractères.`, 'body');
  }
  return ok(b);
}

/** Same as validateMessageBody, plus the kind. */
export function validateMessage(input: { kind: unknown; body: string | null | undefined }): Result<{ kind: MessageKind; body: string }> {
  if (!(MESSAGE_KINDS as readonly unknown[]).includes(input.kind)) {
    return refuse(
      'message.kind_invalid',
      'Le type de message doit être « reply » (réponse), « note » (note interne) ou « public_note » (note publique).',
      'kind',
    );
  }
  const body = validateMessageBody(input.body);
  if (!body.ok) return body;
  return ok({ kind: input.kind as MessageKind, body: body.value });
}
