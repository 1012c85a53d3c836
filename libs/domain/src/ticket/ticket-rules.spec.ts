import fc from 'fast-check';
import { TICKET_STATUSES, canTransition } from './ticket-status';
import {
  decideAssignment,
  decideStatusChange,
  decideTransfer,
  validateMessage,
  validateMessageBody,
  AssignmentActor,
  AssignmentCandidate,
} from './ticket-rules';

describe('decideStatusChange', () => {
  it.each([
    ['new', 'open', undefined, null],
    ['new', 'closed', undefined, 'status.comment_required'],
    ['new', 'closed', '   ', 'status.comment_required'],
    ['new', 'closed', 'Doublon de GRC-2026-000012', null],
    ['open', 'closed', undefined, null],
    ['resolved', 'closed', undefined, null],
    ['closed', 'open', undefined, null],
    ['resolved', 'open', undefined, null],
    ['closed', 'resolved', undefined, 'status.transition_not_allowed'],
    ['open', 'new', undefined, 'status.transition_not_allowed'],
    ['open', 'open', undefined, 'status.unchanged'],
    ['open', 'resolved', 'x'.repeat(20_001), 'status.comment_too_long'],
  ] as const)('%s → %s (comment %j) → %s', (from, to, comment, code) => {
    const r = decideStatusChange(from, to, { comment });
    if (code === null) expect(r).toEqual({ ok: true });
    else expect(r).toMatchObject({ ok: false, code });
  });

  it('puts the comment error on the comment field, the others on status, in French', () => {
    expect(decideStatusChange('new', 'closed', {})).toEqual({
      ok: false,
      code: 'status.comment_required',
      field: 'comment',
      message: 'Un commentaire est obligatoire pour clôturer une demande qui n’a pas été traitée.',
    });
    const r = decideStatusChange('closed', 'waiting_citizen');
    expect(r).toMatchObject({ ok: false, field: 'status' });
    if (!r.ok) expect(r.message).toContain('Clôturée');
  });

  it('agrees with the transition table whenever a comment is given', () => {
    const s = fc.constantFrom(...TICKET_STATUSES);
    fc.assert(fc.property(s, s, (from, to) => decideStatusChange(from, to, { comment: 'ok' }).ok === canTransition(from, to)));
  });

  it('reopening never needs anything', () => {
    expect(decideStatusChange('closed', 'open').ok).toBe(true);
    expect(decideStatusChange('resolved', 'open', { comment: null }).ok).toBe(true);
  });
});

describe('decideTransfer', () => {
  it.each([
    ['a', 'b', 'Relève de la voirie', null],
    ['a', 'a', 'Relève de la voirie', 'transfer.same_department'],
    ['a', '', 'Relève de la voirie', 'transfer.department_required'],
    ['a', 'b', '', 'transfer.reason_required'],
    ['a', 'b', null, 'transfer.reason_required'],
    ['a', 'b', '   ', 'transfer.reason_required'],
    ['a', 'b', ' ab ', 'transfer.reason_too_short'],
    ['a', 'b', 'abc', null],
    ['a', 'b', 'é'.repeat(1000), null],
    ['a', 'b', 'é'.repeat(1001), 'transfer.reason_too_long'],
  ] as const)('%s → %s (%j) → %s', (from, to, reason, code) => {
    const r = decideTransfer(from, to, reason);
    if (code === null) expect(r.ok).toBe(true);
    else expect(r).toMatchObject({ ok: false, code });
  });

  it('returns the trimmed reason', () => {
    expect(decideTransfer('a', 'b', '  Relève de la voirie \n')).toEqual({ ok: true, value: { reason: 'Relève de la voirie' } });
  });

  it('accepts exactly the reasons of 3..1000 trimmed characters between two departments', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1100 }), (reason) => {
        const n = [...reason.trim()].length;
        expect(decideTransfer('a', 'b', reason).ok).toBe(n >= 3 && n <= 1000);
        expect(decideTransfer('a', 'a', reason).ok).toBe(false);
      }),
    );
  });
});

describe('decideAssignment', () => {
  const DEPT = 'voirie';
  const agent: AssignmentActor = { id: 'ag', role: 'agent', departmentIds: [DEPT] };
  const outsider: AssignmentActor = { id: 'out', role: 'agent', departmentIds: ['espaces-verts'] };
  const head: AssignmentActor = { id: 'hd', role: 'head', departmentIds: ['direction-technique'] };
  const admin: AssignmentActor = { id: 'ad', role: 'admin', departmentIds: [] };
  const colleague: AssignmentCandidate = { id: 'col', active: true, departmentIds: [DEPT] };
  const retired: AssignmentCandidate = { id: 'old', active: false, departmentIds: [DEPT] };
  const elsewhere: AssignmentCandidate = { id: 'else', active: true, departmentIds: ['espaces-verts'] };
  const self = (a: AssignmentActor, active = true): AssignmentCandidate => ({ id: a.id, active, departmentIds: a.departmentIds });

  it.each([
    ['agent unassigns', agent, null, null],
    ['agent takes it', agent, self(agent), null],
    ['agent outside the department takes it', outsider, self(outsider), null],
    ['agent gives it to a colleague of the department', agent, colleague, null],
    ['agent gives it to someone of another department', agent, elsewhere, 'assignment.assignee_not_in_department'],
    ['agent gives it to an inactive colleague', agent, retired, 'assignment.assignee_inactive'],
    ['head dispatches to a department member', head, colleague, null],
    ['head dispatches outside the department', head, elsewhere, 'assignment.assignee_not_in_department'],
    ['head dispatches to an inactive agent', head, retired, 'assignment.assignee_inactive'],
    ['admin dispatches to a department member', admin, colleague, null],
    ['admin dispatches outside the department', admin, elsewhere, 'assignment.assignee_not_in_department'],
    ['admin unassigns', admin, null, null],
    ['inactive self', agent, self(agent, false), 'assignment.assignee_inactive'],
  ] as const)('%s', (_label, actor, assignee, code) => {
    const r = decideAssignment(actor, assignee, DEPT);
    if (code === null) expect(r).toEqual({ ok: true });
    else expect(r).toMatchObject({ ok: false, code, field: 'assigneeId' });
  });

  it('refuses an unknown role (deny by default)', () => {
    const r = decideAssignment({ id: 'x', role: 'guest' as never, departmentIds: [DEPT] }, colleague, DEPT);
    expect(r).toMatchObject({ ok: false, code: 'assignment.forbidden' });
  });

  it('property: an assignment to someone else is accepted iff they are active and in the ticket department', () => {
    const ids = fc.constantFrom('d1', 'd2', 'd3');
    fc.assert(
      fc.property(
        fc.constantFrom('agent', 'head', 'admin' as const),
        fc.uniqueArray(ids),
        fc.uniqueArray(ids),
        fc.boolean(),
        ids,
        (role, actorDepts, assigneeDepts, active, ticketDept) => {
          const r = decideAssignment(
            { id: 'a', role, departmentIds: actorDepts },
            { id: 'b', active, departmentIds: assigneeDepts },
            ticketDept,
          );
          expect(r.ok).toBe(active && assigneeDepts.includes(ticketDept));
        },
      ),
    );
  });
});

describe('message validation', () => {
  it.each([
    ['Bonjour, votre demande est prise en compte.', null],
    ['  x  ', null],
    ['', 'message.body_required'],
    [' \n\t ', 'message.body_required'],
    [null, 'message.body_required'],
    ['a'.repeat(20_000), null],
    ['a'.repeat(20_001), 'message.body_too_long'],
    ['😀'.repeat(20_000), null], // counted in characters, not UTF-16 units
  ] as const)('%j → %s', (body, code) => {
    const r = validateMessageBody(body);
    if (code === null) expect(r.ok).toBe(true);
    else expect(r).toMatchObject({ ok: false, code, field: 'body' });
  });

  it('trims', () => expect(validateMessageBody('  Bonjour \n')).toEqual({ ok: true, value: 'Bonjour' }));

  it('checks the kind', () => {
    expect(validateMessage({ kind: 'note', body: ' vu ' })).toEqual({ ok: true, value: { kind: 'note', body: 'vu' } });
    expect(validateMessage({ kind: 'sms', body: 'vu' })).toMatchObject({ ok: false, code: 'message.kind_invalid', field: 'kind' });
    expect(validateMessage({ kind: 'reply', body: '' })).toMatchObject({ ok: false, code: 'message.body_required' });
  });

  it('property: ok iff the trimmed body has 1..20000 characters', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (s) => validateMessageBody(s).ok === s.trim().length > 0));
  });
});
