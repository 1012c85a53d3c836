import { BusinessCalendar } from './calendar';
import { SlaPolicy, assertValidPolicy, deadlineFor, selectPolicy, targetDuration, validatePolicy } from './policy';

const OFFICE = ['08:30-12:00', '13:30-17:30'];
const cal: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  weeklyHours: { monday: OFFICE, tuesday: OFFICE, wednesday: OFFICE, thursday: OFFICE, friday: OFFICE },
};
const ladder: SlaPolicy['ladder'] = [
  { atPercent: 75, actions: [{ type: 'notify', to: 'assignee' }] },
  { atPercent: 100, actions: [{ type: 'notify', to: 'head' }, { type: 'mark_breached' }] },
  { atPercent: 125, actions: [{ type: 'reassign_to_queue' }, { type: 'raise_priority' }] },
];
const base: SlaPolicy = {
  id: 'default',
  name: 'Par défaut',
  match: {},
  targets: { firstResponse: { amount: 16, unit: 'business_hours' }, resolution: { amount: 2, unit: 'calendar_months' } },
  ladder,
};

describe('validatePolicy', () => {
  it('accepts a complete policy', () => {
    expect(validatePolicy(base).ok).toBe(true);
    expect(assertValidPolicy(base)).toBe(base);
  });

  it('refuses impossible values with French messages and paths', () => {
    const bad = {
      id: 'x',
      name: 'Voirie',
      match: { priorities: ['critique'], channels: [] },
      targets: {
        firstResponse: { amount: -4, unit: 'business_hours' },
        resolution: { amount: 1.5, unit: 'working_days' },
        steps: { instruction: { amount: 3, unit: 'fortnights' } },
      },
      ladder: [
        { atPercent: 100, actions: [{ type: 'mark_breached' }] },
        { atPercent: 75, actions: [{ type: 'notify', to: 'mayor' }] },
        { atPercent: 125, actions: [] },
      ],
    } as unknown as SlaPolicy;
    const r = validatePolicy(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.field, e.code])).toEqual([
      ['match.priorities[0]', 'sla.match_value_unknown'],
      ['match.channels', 'sla.match_empty'],
      ['targets.firstResponse.amount', 'sla.amount_not_positive'],
      ['targets.resolution.amount', 'sla.amount_not_integer'],
      ['targets.steps.instruction.unit', 'sla.unit_unknown'],
      ['ladder[1].atPercent', 'sla.ladder_not_increasing'],
      ['ladder[1].actions[0].to', 'sla.notify_target_unknown'],
      ['ladder[2].actions', 'sla.ladder_actions_empty'],
    ]);
    expect(r.errors[2].message).toBe('La durée doit être strictement positive (reçu : -4).');
    expect(() => assertValidPolicy(bad)).toThrow(
      /Politique SLA « x » invalide\..*targets\.firstResponse\.amount : La durée doit être strictement positive/,
    );
  });

  it('refuses a policy without any target, or a zero duration', () => {
    const r = validatePolicy({ ...base, targets: {} });
    expect(!r.ok && r.errors.map((e) => e.code)).toEqual(['sla.no_target']);
    const z = validatePolicy({ ...base, targets: { resolution: { amount: 0, unit: 'calendar_days' } } });
    expect(!z.ok && z.errors.map((e) => e.field)).toEqual(['targets.resolution.amount']);
  });
});

describe('selectPolicy', () => {
  const voirie: SlaPolicy = { ...base, id: 'voirie', match: { categoryCodes: ['VOIRIE', 'ECLAIRAGE'] } };
  const urgent: SlaPolicy = { ...base, id: 'urgent', match: { priorities: ['urgent'] } };
  const voirieUrgent: SlaPolicy = { ...base, id: 'voirie-urgent', match: { categoryCodes: ['VOIRIE'], priorities: ['urgent', 'high'] } };
  const courrier: SlaPolicy = { ...base, id: 'courrier', match: { channels: ['mail'] } };
  const all = [base, voirie, urgent, voirieUrgent, courrier];

  it('most specific wins, whatever the order', () => {
    const t = { categoryCode: 'VOIRIE', priority: 'urgent' as const, channel: 'web' as const };
    expect(selectPolicy(all, t)?.id).toBe('voirie-urgent');
    expect(selectPolicy([...all].reverse(), t)?.id).toBe('voirie-urgent');
    expect(selectPolicy(all, { ...t, priority: 'normal' })?.id).toBe('voirie');
    expect(selectPolicy(all, { categoryCode: 'ETAT_CIVIL', priority: 'normal', channel: 'web' })?.id).toBe('default');
  });
  it('with as many criteria: category over priority over channel', () => {
    const t = { categoryCode: 'ECLAIRAGE', priority: 'urgent' as const, channel: 'mail' as const };
    expect(selectPolicy([courrier, urgent, voirie], t)?.id).toBe('voirie');
    expect(selectPolicy([courrier, urgent], t)?.id).toBe('urgent');
  });
  it('null when nothing matches', () => {
    expect(selectPolicy([voirie], { categoryCode: 'X', priority: 'low', channel: 'web' })).toBeNull();
  });
});

describe('targets and deadlines without pause', () => {
  it('reads targets, steps included', () => {
    const p: SlaPolicy = { ...base, targets: { steps: { instruction: { amount: 5, unit: 'working_days' } } } };
    expect(targetDuration(p, 'step:instruction')).toEqual({ amount: 5, unit: 'working_days' });
    expect(targetDuration(p, 'step:toString')).toBeNull();
    expect(targetDuration(p, 'resolution')).toBeNull();
  });
  it.each([
    [{ amount: 16, unit: 'business_hours' as const }, '2025-03-07T09:00:00+01:00', '2025-03-11T10:00:00+01:00'],
    [{ amount: 90, unit: 'business_minutes' as const }, '2025-03-07T17:00:00+01:00', '2025-03-10T09:30:00+01:00'],
    [{ amount: 2, unit: 'working_days' as const }, '2025-03-07T17:00:00+01:00', '2025-03-11T17:30:00+01:00'],
    [{ amount: 2, unit: 'calendar_months' as const }, '2025-01-10T11:00:00+01:00', '2025-03-10T11:00:00+01:00'],
    [{ amount: 10, unit: 'calendar_days' as const }, '2025-03-25T11:00:00+01:00', '2025-04-04T11:00:00+02:00'],
    [{ amount: 48, unit: 'calendar_hours' as const }, '2025-03-29T11:00:00+01:00', '2025-03-31T12:00:00+02:00'],
  ])('%j from %s = %s', (d, start, expected) => {
    expect(deadlineFor(cal, new Date(start), d).toISOString()).toBe(new Date(expected).toISOString());
  });
  it('refuses a negative duration', () => {
    expect(() => deadlineFor(cal, new Date(), { amount: -1, unit: 'business_hours' })).toThrow(/strictement positive/);
  });
});
