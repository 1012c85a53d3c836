import fc from 'fast-check';
import { BusinessCalendar, businessMinutesBetween } from './calendar';
import { SlaClockEvent, foldSlaClock, legacySlaHistoryCode } from './clock';
import { SlaDuration } from './policy';

const OFFICE = ['08:30-12:00', '13:30-17:30'];
const cal: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  weeklyHours: { monday: OFFICE, tuesday: OFFICE, wednesday: OFFICE, thursday: OFFICE, friday: OFFICE },
};
const at = (s: string) => new Date(s);
const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const started = (when: string, duration: SlaDuration | null = { amount: 8, unit: 'business_hours' }): SlaClockEvent => ({
  type: 'started',
  at: at(when),
  ticketId: 't1',
  target: 'resolution',
  policyId: 'p-normal',
  duration,
});

describe('SLA clock', () => {
  const start = started('2024-06-03T09:00:00+02:00'); // Monday

  it('running: deadline, elapsed, remaining', () => {
    const c = foldSlaClock([start], cal, at('2024-06-03T11:00:00+02:00'));
    expect(iso(c.deadline)).toBe(iso(at('2024-06-04T09:30:00+02:00')));
    expect(c.status).toBe('running');
    expect(c.elapsedMinutes).toBe(120);
    expect(c.remainingMinutes).toBe(360);
    expect(c.percent).toBe(25);
    expect(c.breached).toBe(false);
    expect(c.history).toHaveLength(1);
    expect(c.history[0]).toMatchObject({
      cause: 'started',
      previous: null,
      code: 'sla.history.started',
      params: { amount: 8, unit: 'business_hours' },
    });
  });

  it('a pause stops the clock; resuming moves the deadline by the business time paused, recorded in the history', () => {
    const events: SlaClockEvent[] = [
      start,
      { type: 'paused', at: at('2024-06-03T10:00:00+02:00'), reason: 'awaiting_citizen' },
      { type: 'resumed', at: at('2024-06-04T10:00:00+02:00') },
    ];
    const whilePaused = foldSlaClock(events.slice(0, 2), cal, at('2024-06-03T16:00:00+02:00'));
    expect(whilePaused.status).toBe('paused');
    expect(whilePaused.deadline).toBeNull();
    expect(whilePaused.elapsedMinutes).toBe(60);
    expect(whilePaused.pauses).toEqual([{ from: at('2024-06-03T10:00:00+02:00'), to: null, reason: 'awaiting_citizen', minutes: 270 }]);

    const c = foldSlaClock(events, cal, at('2024-06-04T11:00:00+02:00'));
    expect(iso(c.deadline)).toBe(iso(at('2024-06-05T09:30:00+02:00')));
    expect(c.elapsedMinutes).toBe(120);
    expect(c.pauses[0].minutes).toBe(450);
    expect(c.history.map((h) => [h.cause, h.reason, iso(h.previous), iso(h.deadline)])).toEqual([
      ['started', null, null, iso(at('2024-06-04T09:30:00+02:00'))],
      ['paused', 'awaiting_citizen', iso(at('2024-06-04T09:30:00+02:00')), null],
      ['resumed', 'awaiting_citizen', null, iso(at('2024-06-05T09:30:00+02:00'))],
    ]);
    expect(c.history[0]).toMatchObject({ code: 'sla.history.started', params: { amount: 8, unit: 'business_hours' } });
    expect(c.history[1]).toMatchObject({ code: 'sla.history.paused', params: { reason: 'awaiting_citizen' } });
    expect(c.history[2]).toMatchObject({
      code: 'sla.history.resumed',
      params: { reason: 'awaiting_citizen', minutes: 450, metric: 'business' },
    });
  });

  it('changing the priority recomputes from the start (pauses kept) and says why', () => {
    const c = foldSlaClock(
      [
        start,
        {
          type: 'recomputed',
          at: at('2024-06-03T11:00:00+02:00'),
          reason: 'priority_changed',
          policyId: 'p-urgent',
          duration: { amount: 4, unit: 'business_hours' },
        },
      ],
      cal,
      at('2024-06-03T15:00:00+02:00'),
    );
    expect(iso(c.deadline)).toBe(iso(at('2024-06-03T14:30:00+02:00')));
    expect(c.generation).toBe(1);
    expect(c.policyId).toBe('p-urgent');
    expect(c.breached).toBe(true);
    expect(c.history[1]).toMatchObject({
      cause: 'recomputed',
      reason: 'priority_changed',
      previous: at('2024-06-04T09:30:00+02:00'),
      deadline: at('2024-06-03T14:30:00+02:00'),
      generation: 1,
      code: 'sla.history.recomputed',
      params: { reason: 'priority_changed', amount: 4, unit: 'business_hours', fromAmount: 8, fromUnit: 'business_hours' },
    });
  });

  it('a transfer recomputes from the start on the new department calendar and says so', () => {
    // the technical services work 07:30–12:00 / 13:00–16:00: 8 business hours from Monday 09:00 end Tuesday 09:30 (6 h on Monday)
    const TECH = ['07:30-12:00', '13:00-16:00'];
    const tech: BusinessCalendar = {
      timeZone: 'Europe/Paris',
      weeklyHours: { monday: TECH, tuesday: TECH, wednesday: TECH, thursday: TECH, friday: TECH },
    };
    const c = foldSlaClock(
      [
        start,
        {
          type: 'recomputed',
          at: at('2024-06-03T11:00:00+02:00'),
          reason: 'department_changed',
          policyId: 'p-normal',
          duration: { amount: 8, unit: 'business_hours' },
        },
      ],
      tech,
      at('2024-06-03T11:00:00+02:00'),
    );
    expect(iso(c.deadline)).toBe(iso(at('2024-06-04T09:30:00+02:00')));
    expect(c.generation).toBe(1);
    // same duration: no `from` parameters
    expect(c.history[1].code).toBe('sla.history.recomputed');
    expect(c.history[1].params).toEqual({ reason: 'department_changed', amount: 8, unit: 'business_hours' });
  });

  it('stopped: met on time or late; elapsed frozen at the stop', () => {
    const onTime = foldSlaClock([start, { type: 'stopped', at: at('2024-06-04T09:00:00+02:00') }], cal, at('2024-07-01T00:00:00+02:00'));
    expect(onTime).toMatchObject({ status: 'stopped', outcome: 'met_on_time', breached: false, elapsedMinutes: 450 });
    expect(iso(onTime.deadline)).toBe(iso(at('2024-06-04T09:30:00+02:00')));
    const late = foldSlaClock([start, { type: 'stopped', at: at('2024-06-04T10:00:00+02:00') }], cal, at('2024-07-01T00:00:00+02:00'));
    expect(late).toMatchObject({ outcome: 'met_late', breached: true, remainingMinutes: -30 });
    expect(late.history[1]).toMatchObject({ code: 'sla.history.met_late', params: {} });
    expect(onTime.history[1].code).toBe('sla.history.met_on_time');
  });

  it('a cancelled stop has its code; entries stored before codes get one from their cause and reason', () => {
    const c = foldSlaClock(
      [start, { type: 'stopped', at: at('2024-06-03T10:00:00+02:00'), reason: 'cancelled' }],
      cal,
      at('2024-06-04T00:00:00+02:00'),
    );
    expect(c.history[1]).toMatchObject({ code: 'sla.history.cancelled', params: {} });
    const due = '2024-06-04T07:30:00.000Z';
    expect(legacySlaHistoryCode({ cause: 'stopped', reason: 'met', at: '2024-06-04T08:00:00.000Z', previous: due }).code).toBe(
      'sla.history.met_late',
    );
    expect(legacySlaHistoryCode({ cause: 'stopped', reason: 'met', at: '2024-06-04T07:00:00.000Z', previous: due }).code).toBe(
      'sla.history.met_on_time',
    );
    expect(legacySlaHistoryCode({ cause: 'paused', reason: 'awaiting_third_party', at: due, previous: null })).toEqual({
      code: 'sla.history.paused',
      params: { reason: 'awaiting_third_party' },
    });
  });

  it('calendar months: a pause moves a 2-month deadline by the real time paused', () => {
    const c = foldSlaClock(
      [
        started('2024-01-15T10:00:00+01:00', { amount: 2, unit: 'calendar_months' }),
        { type: 'paused', at: at('2024-02-01T10:00:00+01:00'), reason: 'awaiting_citizen' },
        { type: 'resumed', at: at('2024-02-06T10:00:00+01:00') },
      ],
      cal,
      at('2024-02-07T10:00:00+01:00'),
    );
    expect(c.metric).toBe('calendar');
    expect(iso(c.deadline)).toBe(iso(at('2024-03-20T10:00:00+01:00')));
  });

  it('working days: the deadline is the closing time of the n-th working day; a pause moves it by the business time paused', () => {
    const s = started('2024-05-03T15:00:00+02:00', { amount: 2, unit: 'working_days' }); // Friday; 8 and 9 May are holidays
    expect(iso(foldSlaClock([s], cal, at('2024-05-03T15:00:00+02:00')).deadline)).toBe(iso(at('2024-05-07T17:30:00+02:00')));
    const c = foldSlaClock(
      [
        s,
        { type: 'paused', at: at('2024-05-06T09:00:00+02:00'), reason: 'awaiting_citizen' },
        { type: 'resumed', at: at('2024-05-06T10:00:00+02:00') },
      ],
      cal,
      at('2024-05-06T10:00:00+02:00'),
    );
    expect(iso(c.deadline)).toBe(iso(at('2024-05-10T09:30:00+02:00')));
  });

  it('refuses impossible sequences with clear errors', () => {
    const p: SlaClockEvent = { type: 'paused', at: at('2024-06-03T10:00:00+02:00'), reason: 'awaiting_citizen' };
    expect(() => foldSlaClock([p], cal, new Date())).toThrow(/premier événement/);
    expect(() => foldSlaClock([start, p, p], cal, new Date())).toThrow(/déjà suspendu/);
    expect(() => foldSlaClock([start, { type: 'resumed', at: at('2024-06-03T10:00:00+02:00') }], cal, new Date())).toThrow(/pas suspendu/);
    expect(() => foldSlaClock([start, { ...p, at: at('2024-06-03T08:00:00+02:00') }], cal, new Date())).toThrow(/chronologique/);
    expect(() => foldSlaClock([started('2024-06-03T09:00:00+02:00', { amount: -2, unit: 'business_hours' })], cal, new Date())).toThrow(
      /strictement positive/,
    );
  });

  it('a target the new policy does not set: no deadline', () => {
    const c = foldSlaClock(
      [start, { type: 'recomputed', at: at('2024-06-03T10:00:00+02:00'), reason: 'category_changed', policyId: 'p2', duration: null }],
      cal,
      new Date('2024-06-03T10:00:00+02:00'),
    );
    expect(c.deadline).toBeNull();
    expect(c.history[1].params).toEqual({
      reason: 'category_changed',
      amount: null,
      unit: null,
      fromAmount: 8,
      fromUnit: 'business_hours',
    });
  });
});

describe('SLA clock properties', () => {
  const START = Date.parse('2024-01-01T00:00:00Z') / 60_000;
  const END = Date.parse('2030-06-30T00:00:00Z') / 60_000;
  const minute = fc.integer({ min: START, max: END });
  const duration = fc.oneof(
    fc.record({ amount: fc.integer({ min: 1, max: 200 }), unit: fc.constant('business_hours' as const) }),
    fc.record({ amount: fc.integer({ min: 1, max: 30 }), unit: fc.constant('working_days' as const) }),
    fc.record({ amount: fc.integer({ min: 1, max: 90 }), unit: fc.constant('calendar_days' as const) }),
    fc.record({ amount: fc.integer({ min: 1, max: 4 }), unit: fc.constant('calendar_months' as const) }),
  );
  const ev = (s: number, d: SlaDuration): SlaClockEvent => ({
    type: 'started',
    at: new Date(s * 60_000),
    ticketId: 't',
    target: 'resolution',
    policyId: 'p',
    duration: d,
  });

  it('pausing then resuming for zero time changes nothing', () => {
    fc.assert(
      fc.property(minute, fc.integer({ min: 0, max: 60 * 24 * 30 }), duration, (s, offset, d) => {
        const pauseAt = new Date((s + offset) * 60_000);
        const now = new Date((s + offset + 60) * 60_000);
        const plain = foldSlaClock([ev(s, d)], cal, now);
        const zero = foldSlaClock(
          [ev(s, d), { type: 'paused', at: pauseAt, reason: 'awaiting_citizen' }, { type: 'resumed', at: pauseAt }],
          cal,
          now,
        );
        expect(iso(zero.deadline)).toBe(iso(plain.deadline));
        expect(zero.elapsedMinutes).toBe(plain.elapsedMinutes);
        expect(zero.breached).toBe(plain.breached);
      }),
      { numRuns: 150 },
    );
  });

  it('a pause before the deadline moves it by exactly the time paused (business or real), never earlier', () => {
    fc.assert(
      fc.property(
        minute,
        fc.integer({ min: 0, max: 60 * 24 * 10 }),
        fc.integer({ min: 0, max: 60 * 24 * 10 }),
        duration,
        (s, offset, length, d) => {
          const plain = foldSlaClock([ev(s, d)], cal, new Date(s * 60_000)).deadline as Date;
          const from = new Date((s + offset) * 60_000);
          if (from >= plain) return;
          const to = new Date((s + offset + length) * 60_000);
          const c = foldSlaClock(
            [ev(s, d), { type: 'paused', at: from, reason: 'awaiting_citizen' }, { type: 'resumed', at: to }],
            cal,
            to,
          );
          const moved = c.deadline as Date;
          expect(moved.getTime()).toBeGreaterThanOrEqual(plain.getTime());
          if (c.metric === 'calendar') expect(moved.getTime() - plain.getTime()).toBe(length * 60_000);
          else expect(businessMinutesBetween(cal, plain, moved)).toBe(businessMinutesBetween(cal, from, to));
        },
      ),
      { numRuns: 150 },
    );
  });
});
