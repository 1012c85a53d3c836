import { BusinessCalendar } from './calendar';
import { SlaClockEvent, foldSlaClock } from './clock';
import { escalationPoints } from './escalation';
import { SlaPolicy } from './policy';

const OFFICE = ['08:30-12:00', '13:30-17:30'];
const cal: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  weeklyHours: { monday: OFFICE, tuesday: OFFICE, wednesday: OFFICE, thursday: OFFICE, friday: OFFICE },
};
const policy: SlaPolicy = {
  id: 'p-normal',
  name: 'Normal',
  match: {},
  targets: { resolution: { amount: 8, unit: 'business_hours' } },
  ladder: [
    { atPercent: 75, actions: [{ type: 'notify', to: 'assignee' }] },
    { atPercent: 100, actions: [{ type: 'notify', to: 'head' }, { type: 'mark_breached' }] },
    { atPercent: 125, actions: [{ type: 'reassign_to_queue' }, { type: 'raise_priority' }] },
  ],
};
const at = (s: string) => new Date(s);
const start: SlaClockEvent = {
  type: 'started',
  at: at('2024-06-03T09:00:00+02:00'),
  ticketId: 't1',
  target: 'resolution',
  policyId: 'p-normal',
  duration: { amount: 8, unit: 'business_hours' },
};
const view = (events: SlaClockEvent[], p: SlaPolicy = policy) =>
  escalationPoints(foldSlaClock(events, cal, at('2024-06-03T09:00:00+02:00')), p, cal).map((x) => [
    x.key,
    x.status,
    x.dueAt?.toISOString() ?? null,
  ]);

describe('escalationPoints', () => {
  it('75 / 100 / 125 % of 8 business hours, with deterministic keys and the actions as data', () => {
    const points = escalationPoints(foldSlaClock([start], cal, at('2024-06-03T09:00:00+02:00')), policy, cal);
    expect(points.map((p) => [p.key, p.status, p.dueAt?.toISOString()])).toEqual([
      ['t1:resolution:75:0', 'scheduled', at('2024-06-03T16:30:00+02:00').toISOString()],
      ['t1:resolution:100:0', 'scheduled', at('2024-06-04T09:30:00+02:00').toISOString()],
      ['t1:resolution:125:0', 'scheduled', at('2024-06-04T11:30:00+02:00').toISOString()],
    ]);
    expect(points[1].actions).toEqual([{ type: 'notify', to: 'head' }, { type: 'mark_breached' }]);
    expect(points[1].dueAt).toEqual(foldSlaClock([start], cal, at('2024-06-03T09:00:00+02:00')).deadline);
  });

  it('paused: points not yet reached are suspended; resumed: same keys, new due dates', () => {
    const paused: SlaClockEvent[] = [start, { type: 'paused', at: at('2024-06-03T10:00:00+02:00'), reason: 'awaiting_citizen' }];
    expect(view(paused).map((p) => p[1])).toEqual(['suspended', 'suspended', 'suspended']);
    expect(view([...paused, { type: 'resumed', at: at('2024-06-04T10:00:00+02:00') }])).toEqual([
      ['t1:resolution:75:0', 'scheduled', at('2024-06-04T16:30:00+02:00').toISOString()],
      ['t1:resolution:100:0', 'scheduled', at('2024-06-05T09:30:00+02:00').toISOString()],
      ['t1:resolution:125:0', 'scheduled', at('2024-06-05T11:30:00+02:00').toISOString()],
    ]);
  });

  it('a point reached before a pause keeps its past due date', () => {
    const events: SlaClockEvent[] = [start, { type: 'paused', at: at('2024-06-03T17:00:00+02:00'), reason: 'awaiting_citizen' }];
    expect(view(events).map((p) => p[1])).toEqual(['scheduled', 'suspended', 'suspended']);
  });

  it('recompute: a new generation, hence new keys', () => {
    const urgent: SlaPolicy = { ...policy, id: 'p-urgent', targets: { resolution: { amount: 4, unit: 'business_hours' } } };
    const events: SlaClockEvent[] = [
      start,
      {
        type: 'recomputed',
        at: at('2024-06-03T11:00:00+02:00'),
        reason: 'priority_changed',
        policyId: 'p-urgent',
        duration: { amount: 4, unit: 'business_hours' },
      },
    ];
    expect(view(events, urgent)).toEqual([
      ['t1:resolution:75:1', 'scheduled', at('2024-06-03T12:00:00+02:00').toISOString()],
      ['t1:resolution:100:1', 'scheduled', at('2024-06-03T14:30:00+02:00').toISOString()],
      ['t1:resolution:125:1', 'scheduled', at('2024-06-03T15:30:00+02:00').toISOString()],
    ]);
    expect(() => view(events, policy)).toThrow(/n’est pas celle du délai/);
  });

  it('stopped: points not reached are cancelled', () => {
    expect(view([start, { type: 'stopped', at: at('2024-06-03T17:00:00+02:00') }]).map((p) => p[1])).toEqual([
      'scheduled',
      'cancelled',
      'cancelled',
    ]);
  });
});
