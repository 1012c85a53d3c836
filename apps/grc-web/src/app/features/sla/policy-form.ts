/**
 * The policy editor's form model and its conversions to and from the API's SlaPolicyInput, plus the
 * checks the form can make first (missing or non-numeric values; the rules — positive and integer
 * amounts, increasing ladder, known values — are the domain's, applied by the server).
 */
import {
  SLA_UNITS,
  type Channel,
  type EscalationAction,
  type EscalationStep,
  type Priority,
  type SlaDuration,
  type SlaPolicyInput,
  type SlaUnit,
} from '@grc/domain';
import { rowKey } from './calendar-form';
import type { SlaFieldErr } from './sla-form-errors';

export const ACTION_KEYS = [
  'notify:assignee',
  'notify:head',
  'notify:department',
  'mark_breached',
  'reassign_to_queue',
  'raise_priority',
] as const;
export type ActionKey = (typeof ACTION_KEYS)[number];

export interface DurationRow {
  amount: string;
  unit: SlaUnit;
}
export interface StepRow extends DurationRow {
  key: number;
  stepId: string;
}
/** Actions in the order they run (the order they were ticked: a notification before or after an unassignment matters). */
export interface LadderRow {
  key: number;
  atPercent: string;
  actions: ActionKey[];
}
export interface PolicyForm {
  id: string;
  name: string;
  active: boolean;
  /** empty: every category (likewise priorities and channels) */
  categoryCodes: string[];
  priorities: Priority[];
  channels: Channel[];
  /** an empty amount: no such target */
  firstResponse: DurationRow;
  resolution: DurationRow;
  steps: StepRow[];
  ladder: LadderRow[];
}

const keyOf = (a: EscalationAction): ActionKey => (a.type === 'notify' ? `notify:${a.to}` : a.type) as ActionKey;
const actionOf = (k: ActionKey): EscalationAction =>
  k.startsWith('notify:')
    ? { type: 'notify', to: k.slice('notify:'.length) as 'assignee' | 'head' | 'department' }
    : ({ type: k } as EscalationAction);

const durationRow = (d: SlaDuration | undefined, unit: SlaUnit = 'working_days'): DurationRow =>
  d ? { amount: String(d.amount ?? ''), unit: (SLA_UNITS as readonly string[]).includes(d.unit) ? d.unit : unit } : { amount: '', unit };

export interface PolicySource {
  id: string;
  name: string;
  active?: boolean;
  match?: SlaPolicyInput['match'];
  targets?: SlaPolicyInput['targets'];
  ladder?: readonly EscalationStep[];
}

export function policyForm(p: PolicySource): PolicyForm {
  const match = p.match ?? {};
  return {
    id: p.id ?? '',
    name: p.name ?? '',
    active: p.active !== false,
    categoryCodes: [...(match.categoryCodes ?? [])],
    priorities: [...(match.priorities ?? [])],
    channels: [...(match.channels ?? [])],
    firstResponse: durationRow(p.targets?.firstResponse),
    resolution: durationRow(p.targets?.resolution),
    steps: Object.entries(p.targets?.steps ?? {}).map(([stepId, d]) => ({ key: rowKey(), stepId, ...durationRow(d) })),
    ladder: (p.ladder ?? []).map((s) => ({
      key: rowKey(),
      atPercent: String(s.atPercent ?? ''),
      actions: [...new Set((s.actions ?? []).map(keyOf))],
    })),
  };
}

/** A number as typed ('2', '-3', '1,5' → 1.5); NaN when it is not one. */
export const numberOf = (s: string): number => (s.trim() === '' ? NaN : Number(s.trim().replace(',', '.')));

const duration = (r: DurationRow): SlaDuration => ({ amount: numberOf(r.amount), unit: r.unit });

/** The policy as the API takes it: criteria left empty are left out (they match every value). */
export function policyBody(f: PolicyForm): Omit<SlaPolicyInput, 'version'> {
  const match: SlaPolicyInput['match'] = {
    ...(f.categoryCodes.length ? { categoryCodes: f.categoryCodes } : {}),
    ...(f.priorities.length ? { priorities: f.priorities } : {}),
    ...(f.channels.length ? { channels: f.channels } : {}),
  };
  const steps = Object.fromEntries(f.steps.map((s) => [s.stepId.trim(), duration(s)]));
  return {
    id: f.id.trim(),
    name: f.name.trim(),
    active: f.active,
    match,
    targets: {
      ...(f.firstResponse.amount.trim() ? { firstResponse: duration(f.firstResponse) } : {}),
      ...(f.resolution.amount.trim() ? { resolution: duration(f.resolution) } : {}),
      ...(f.steps.length ? { steps } : {}),
    },
    ladder: f.ladder.map((l) => ({ atPercent: numberOf(l.atPercent), actions: l.actions.map(actionOf) })),
  };
}

export type PolicySay = (
  key: 'slaAdmin.required' | 'slaAdmin.numberExpected' | 'slaAdmin.idFormat' | 'slaAdmin.stepDuplicate' | 'slaAdmin.actionsRequired',
) => string;

/** What is obviously missing or not a number, with the paths the server would use (`targets.steps[j].stepId`: the form's own). */
export function policyProblems(f: PolicyForm, creating: boolean, say: PolicySay): SlaFieldErr[] {
  const errors: SlaFieldErr[] = [];
  if (creating) {
    if (!f.id.trim()) errors.push({ field: 'id', message: say('slaAdmin.required') });
    else if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(f.id.trim())) errors.push({ field: 'id', message: say('slaAdmin.idFormat') });
  }
  if (!f.name.trim()) errors.push({ field: 'name', message: say('slaAdmin.required') });
  for (const t of ['firstResponse', 'resolution'] as const) {
    if (f[t].amount.trim() && Number.isNaN(numberOf(f[t].amount)))
      errors.push({ field: `targets.${t}.amount`, message: say('slaAdmin.numberExpected') });
  }
  const seen = new Set<string>();
  f.steps.forEach((s, j) => {
    const id = s.stepId.trim();
    if (!id) errors.push({ field: `targets.steps[${j}].stepId`, message: say('slaAdmin.required') });
    else if (seen.has(id)) errors.push({ field: `targets.steps[${j}].stepId`, message: say('slaAdmin.stepDuplicate') });
    seen.add(id);
    if (Number.isNaN(numberOf(s.amount)))
      errors.push({ field: `targets.steps[${j}].amount`, message: say(s.amount.trim() ? 'slaAdmin.numberExpected' : 'slaAdmin.required') });
  });
  f.ladder.forEach((l, i) => {
    if (Number.isNaN(numberOf(l.atPercent)))
      errors.push({ field: `ladder[${i}].atPercent`, message: say(l.atPercent.trim() ? 'slaAdmin.numberExpected' : 'slaAdmin.required') });
    if (!l.actions.length) errors.push({ field: `ladder[${i}].actions`, message: say('slaAdmin.actionsRequired') });
  });
  return errors;
}

/** Reads an imported JSON policy (`{ id?, name?, active?, match, targets, ladder }`); the id being edited is kept. */
export function importedPolicy(doc: unknown, current: PolicyForm, creating: boolean): PolicyForm | null {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const o = doc as PolicySource & Record<string, unknown>;
  if (!o.targets || typeof o.targets !== 'object') return null;
  return policyForm({
    ...o,
    id: creating && typeof o.id === 'string' ? o.id : current.id,
    name: typeof o.name === 'string' ? o.name : current.name,
    active: typeof o.active === 'boolean' ? o.active : current.active,
  });
}
