import {
  collisionWarning,
  compareStreamIds,
  inboxReceives,
  liveEventOfChange,
  livePresence,
  parseLiveEvent,
  parseStreamId,
  ticketStreamAction,
  type LiveEvent,
} from './live-events';

const VOIRIE = '11111111-1111-4111-8111-111111111111';
const EV = '22222222-2222-4222-8222-222222222222';
const T = '33333333-3333-4333-8333-333333333333';
const agent = { admin: false, visibleDepartmentIds: [VOIRIE] };
const admin = { admin: true, visibleDepartmentIds: [] };

describe('live events: scoping like the REST routes', () => {
  const changed: LiveEvent = { kind: 'changed', ticketId: T, version: 3, departmentId: EV };
  it("never gives an agent another department's ticket", () => {
    expect(inboxReceives(agent, changed)).toBe(false);
    expect(ticketStreamAction(agent, T, changed)).toBe('skip');
    expect(inboxReceives(admin, changed)).toBe(true);
    expect(inboxReceives(agent, { ...changed, departmentId: VOIRIE })).toBe(true);
  });
  it('tells the former department a ticket moved away, and ends its ticket stream', () => {
    const moved: LiveEvent = { kind: 'moved', ticketId: T, version: 4, departmentId: EV, fromDepartmentId: VOIRIE };
    expect(inboxReceives(agent, moved)).toBe(true);
    expect(ticketStreamAction(agent, T, moved)).toBe('close');
    expect(ticketStreamAction({ admin: false, visibleDepartmentIds: [EV] }, T, moved)).toBe('send');
    // a change (not a move) of a hidden ticket naming the department as the former one is not enough
    expect(inboxReceives(agent, { ...changed, fromDepartmentId: VOIRIE })).toBe(false);
  });
  it("presence goes to the ticket's stream, not to the inbox", () => {
    const presence: LiveEvent = { kind: 'presence', ticketId: T, version: 0, departmentId: VOIRIE };
    expect(inboxReceives(agent, presence)).toBe(false);
    expect(ticketStreamAction(agent, T, presence)).toBe('send');
  });
  it("a ticket's stream only carries that ticket", () => {
    expect(ticketStreamAction(agent, '44444444-4444-4444-8444-444444444444', { ...changed, departmentId: VOIRIE })).toBe('skip');
  });
});

describe('live events: what a change produces', () => {
  it('creation, change and move', () => {
    const base = { ticketId: T, version: 2, departmentId: EV, timeline: ['note', 'note'] };
    expect(liveEventOfChange({ ...base, created: true, departmentBefore: null }).kind).toBe('created');
    expect(liveEventOfChange({ ...base, created: false, departmentBefore: EV })).toEqual({
      kind: 'changed',
      ticketId: T,
      version: 2,
      departmentId: EV,
      timeline: ['note'],
    });
    expect(liveEventOfChange({ ...base, created: false, departmentBefore: VOIRIE })).toMatchObject({
      kind: 'moved',
      fromDepartmentId: VOIRIE,
    });
  });
  it('reads back only well-formed events', () => {
    const e: LiveEvent = { kind: 'moved', ticketId: T, version: 2, departmentId: EV, fromDepartmentId: VOIRIE, timeline: ['transferred'] };
    expect(parseLiveEvent(JSON.stringify(e))).toEqual(e);
    expect(parseLiveEvent('{')).toBeNull();
    expect(parseLiveEvent(JSON.stringify({ ...e, kind: 'deleted' }))).toBeNull();
    expect(parseLiveEvent(JSON.stringify({ ...e, ticketId: 'x' }))).toBeNull();
    expect(parseLiveEvent(JSON.stringify({ ...e, version: '2' }))).toBeNull();
  });
  it('stream ids: parsed and ordered', () => {
    expect(parseStreamId('1700000000000-3')).toBe('1700000000000-3');
    expect(parseStreamId('abc')).toBeNull();
    expect(parseStreamId('1-2-3')).toBeNull();
    expect(parseStreamId(undefined)).toBeNull();
    expect(compareStreamIds('10-1', '9-5')).toBeGreaterThan(0);
    expect(compareStreamIds('10-1', '10-2')).toBeLessThan(0);
    expect(compareStreamIds('10-2', '10-2')).toBe(0);
  });
});

describe('presence', () => {
  it('keeps what is alive, one per agent, writers first', () => {
    const now = 1000;
    const list = livePresence(
      [
        { agentId: 'b', state: 'viewing', until: 2000 },
        { agentId: 'a', state: 'viewing', until: 900 },
        { agentId: 'c', state: 'writing_reply', until: 1500 },
      ],
      now,
    );
    expect(list.map((e) => e.agentId)).toEqual(['c', 'b']);
  });
  it('warns before writing when someone else answers', () => {
    const others = [{ agentId: 'x', state: 'writing_reply' as const, until: 0 }];
    expect(collisionWarning('me', others, 'writing_note')).toEqual({ agentId: 'x', state: 'writing_reply' });
    expect(collisionWarning('x', others, 'writing_reply')).toBeNull();
    expect(collisionWarning('me', [{ agentId: 'x', state: 'writing_note', until: 0 }], 'writing_reply')).toEqual({
      agentId: 'x',
      state: 'writing_note',
    });
    expect(collisionWarning('me', [{ agentId: 'x', state: 'writing_note', until: 0 }], 'writing_note')).toBeNull();
    expect(collisionWarning('me', others, 'viewing')).toBeNull();
  });
});
