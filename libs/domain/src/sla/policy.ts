/**
 * SLA policies: which tickets they apply to (category, priority, channel), the targets
 * (first response, resolution, per workflow step) and the escalation ladder. All data.
 */
import { FieldError, Validation, fieldError, validation } from '../errors';
import { Channel, CHANNELS } from '../ticket/channel';
import { Priority, PRIORITIES } from '../ticket/priority';
import { BusinessCalendar, MINUTE_MS, SlaConfigError, addBusinessMs, addCalendarDuration, addWorkingDays } from './calendar';

export const SLA_UNITS = [
  'business_minutes',
  'business_hours',
  'working_days',
  'calendar_hours',
  'calendar_days',
  'calendar_months',
] as const;
export type SlaUnit = (typeof SLA_UNITS)[number];

export interface SlaDuration {
  amount: number;
  unit: SlaUnit;
}

export type NotifyTarget = 'assignee' | 'head' | 'department';
export type EscalationAction =
  { type: 'notify'; to: NotifyTarget } | { type: 'mark_breached' } | { type: 'reassign_to_queue' } | { type: 'raise_priority' };

export interface EscalationStep {
  /** Share of the target elapsed, in percent (75, 100, 125…). */
  atPercent: number;
  actions: readonly EscalationAction[];
}

export interface SlaPolicyMatch {
  categoryCodes?: readonly string[];
  priorities?: readonly Priority[];
  channels?: readonly Channel[];
}

export interface SlaTargets {
  firstResponse?: SlaDuration;
  resolution?: SlaDuration;
  steps?: Readonly<Record<string, SlaDuration>>;
}

export interface SlaPolicy {
  id: string;
  name: string;
  match: SlaPolicyMatch;
  targets: SlaTargets;
  ladder: readonly EscalationStep[];
}

/** 'firstResponse' | 'resolution' | 'step:<stepId>'. */
export type SlaTargetKey = 'firstResponse' | 'resolution' | `step:${string}`;

export interface SlaTicketFacts {
  categoryCode: string;
  priority: Priority;
  channel: Channel;
}

const NOTIFY_TARGETS: readonly NotifyTarget[] = ['assignee', 'head', 'department'];
const ACTION_TYPES = ['notify', 'mark_breached', 'reassign_to_queue', 'raise_priority'];
export const MAX_LADDER_PERCENT = 1000;
/** Upper bounds that catch unit mistakes (e.g. minutes typed as hours) without limiting real use. */
const MAX_AMOUNT: Record<SlaUnit, number> = {
  business_minutes: 60 * 24 * 366,
  business_hours: 24 * 366,
  working_days: 366,
  calendar_hours: 24 * 366 * 2,
  calendar_days: 366 * 2,
  calendar_months: 24,
};
const UNIT_LABELS_FR: Record<SlaUnit, string> = {
  business_minutes: 'minutes ouvrées',
  business_hours: 'heures ouvrées',
  working_days: 'jours ouvrés',
  calendar_hours: 'heures calendaires',
  calendar_days: 'jours calendaires',
  calendar_months: 'mois calendaires',
};

/** Checks one duration; `path` prefixes the error fields. */
export function durationErrors(d: SlaDuration | undefined, path: string): FieldError[] {
  if (d === null || typeof d !== 'object') return [fieldError(path, 'sla.duration_invalid', 'Durée attendue : { amount, unit }.')];
  const errors: FieldError[] = [];
  if (!(SLA_UNITS as readonly unknown[]).includes(d.unit)) {
    errors.push(
      fieldError(`${path}.unit`, 'sla.unit_unknown', `Unité inconnue : « ${String(d.unit)} » (attendu : ${SLA_UNITS.join(', ')}).`),
    );
    return errors;
  }
  const a = d.amount;
  if (typeof a !== 'number' || !Number.isFinite(a) || a <= 0) {
    errors.push(fieldError(`${path}.amount`, 'sla.amount_not_positive', `La durée doit être strictement positive (reçu : ${String(a)}).`));
  } else if (!Number.isInteger(a)) {
    errors.push(
      fieldError(
        `${path}.amount`,
        'sla.amount_not_integer',
        `La durée en ${UNIT_LABELS_FR[d.unit]} doit être un nombre entier (reçu : ${a}).`,
      ),
    );
  } else if (a > MAX_AMOUNT[d.unit]) {
    errors.push(
      fieldError(`${path}.amount`, 'sla.amount_too_large', `Au plus ${MAX_AMOUNT[d.unit]} ${UNIT_LABELS_FR[d.unit]} (reçu : ${a}).`),
    );
  }
  return errors;
}

/** Checks a policy; errors carry a path (e.g. 'ladder[1].atPercent') and a French message. */
export function validatePolicy(policy: SlaPolicy): Validation<SlaPolicy> {
  const errors: FieldError[] = [];
  if (typeof policy?.id !== 'string' || policy.id.trim() === '')
    errors.push(fieldError('id', 'sla.id_required', 'Identifiant de politique obligatoire.'));
  if (typeof policy?.name !== 'string' || policy.name.trim() === '')
    errors.push(fieldError('name', 'sla.name_required', 'Nom de politique obligatoire.'));
  const match = policy?.match ?? {};
  const checkList = <T>(key: keyof SlaPolicyMatch, list: readonly T[] | undefined, allowed: readonly T[] | null) => {
    if (list === undefined) return;
    if (!Array.isArray(list) || list.length === 0) {
      errors.push(fieldError(`match.${key}`, 'sla.match_empty', 'Critère vide : retirez-le pour couvrir toutes les valeurs.'));
      return;
    }
    list.forEach((v, i) => {
      if (allowed ? !allowed.includes(v) : typeof v !== 'string' || v === '') {
        errors.push(fieldError(`match.${key}[${i}]`, 'sla.match_value_unknown', `Valeur inconnue : « ${String(v)} ».`));
      }
    });
  };
  checkList('categoryCodes', match.categoryCodes, null);
  checkList('priorities', match.priorities, PRIORITIES);
  checkList('channels', match.channels, CHANNELS);
  const targets = policy?.targets ?? {};
  if (targets.firstResponse !== undefined) errors.push(...durationErrors(targets.firstResponse, 'targets.firstResponse'));
  if (targets.resolution !== undefined) errors.push(...durationErrors(targets.resolution, 'targets.resolution'));
  for (const [step, d] of Object.entries(targets.steps ?? {})) errors.push(...durationErrors(d, `targets.steps.${step}`));
  if (!targets.firstResponse && !targets.resolution && Object.keys(targets.steps ?? {}).length === 0) {
    errors.push(
      fieldError('targets', 'sla.no_target', 'La politique doit fixer au moins un délai (première réponse, résolution ou étape).'),
    );
  }
  const ladder = Array.isArray(policy?.ladder) ? policy.ladder : [];
  if (policy?.ladder !== undefined && !Array.isArray(policy.ladder))
    errors.push(fieldError('ladder', 'sla.ladder_invalid', 'L’escalade doit être une liste de paliers.'));
  ladder.forEach((step, i) => {
    const p = step?.atPercent;
    if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0 || p > MAX_LADDER_PERCENT) {
      errors.push(
        fieldError(
          `ladder[${i}].atPercent`,
          'sla.ladder_percent_invalid',
          `Palier invalide : ${String(p)} % (attendu entre 0 exclu et ${MAX_LADDER_PERCENT} %).`,
        ),
      );
    } else if (i > 0 && typeof ladder[i - 1]?.atPercent === 'number' && p <= ladder[i - 1].atPercent) {
      errors.push(
        fieldError(
          `ladder[${i}].atPercent`,
          'sla.ladder_not_increasing',
          'Les paliers doivent être strictement croissants (ex. 75, 100, 125).',
        ),
      );
    }
    if (!Array.isArray(step?.actions) || step.actions.length === 0) {
      errors.push(fieldError(`ladder[${i}].actions`, 'sla.ladder_actions_empty', 'Chaque palier doit déclencher au moins une action.'));
      return;
    }
    (step.actions as readonly EscalationAction[]).forEach((a: EscalationAction, j: number) => {
      if (!ACTION_TYPES.includes(a?.type)) {
        errors.push(fieldError(`ladder[${i}].actions[${j}].type`, 'sla.action_unknown', `Action inconnue : « ${String(a?.type)} ».`));
      } else if (a.type === 'notify' && !NOTIFY_TARGETS.includes(a.to)) {
        errors.push(
          fieldError(
            `ladder[${i}].actions[${j}].to`,
            'sla.notify_target_unknown',
            `Destinataire inconnu : « ${String(a.to)} » (attendu : ${NOTIFY_TARGETS.join(', ')}).`,
          ),
        );
      }
    });
  });
  return validation(errors, () => policy);
}

/** Throws SlaConfigError (French message listing the fields at fault) unless the policy is valid. */
export function assertValidPolicy(policy: SlaPolicy): SlaPolicy {
  const v = validatePolicy(policy);
  if (!v.ok) throw new SlaConfigError(`Politique SLA « ${String(policy?.id)} » invalide.`, v.errors);
  return policy;
}

const matches = (policy: SlaPolicy, t: SlaTicketFacts): boolean =>
  (!policy.match.categoryCodes || policy.match.categoryCodes.includes(t.categoryCode)) &&
  (!policy.match.priorities || policy.match.priorities.includes(t.priority)) &&
  (!policy.match.channels || policy.match.channels.includes(t.channel));

/** [criteria count, weighted criteria (category > priority > channel), -values listed]: higher is more specific. */
const specificity = (p: SlaPolicy): number[] => {
  const m = p.match;
  return [
    (m.categoryCodes ? 1 : 0) + (m.priorities ? 1 : 0) + (m.channels ? 1 : 0),
    (m.categoryCodes ? 4 : 0) + (m.priorities ? 2 : 0) + (m.channels ? 1 : 0),
    -((m.categoryCodes?.length ?? 0) + (m.priorities?.length ?? 0) + (m.channels?.length ?? 0)),
  ];
};

/**
 * The policy that applies to a ticket: among those matching, the most specific (more criteria;
 * then category over priority over channel; then fewer listed values; then the smaller id, so the
 * choice never depends on list order). null when none matches.
 */
export function selectPolicy(policies: readonly SlaPolicy[], ticket: SlaTicketFacts): SlaPolicy | null {
  let best: SlaPolicy | null = null;
  let bestScore: number[] = [];
  for (const p of policies) {
    if (!matches(p, ticket)) continue;
    const s = specificity(p);
    let cmp = 0;
    for (let i = 0; i < s.length && cmp === 0 && best; i++) cmp = s[i] - bestScore[i];
    if (!best || cmp > 0 || (cmp === 0 && p.id < best.id)) {
      best = p;
      bestScore = s;
    }
  }
  return best;
}

/** The duration of one target of a policy, or null when the policy sets none. */
export function targetDuration(policy: SlaPolicy, target: SlaTargetKey): SlaDuration | null {
  if (target === 'firstResponse') return policy.targets.firstResponse ?? null;
  if (target === 'resolution') return policy.targets.resolution ?? null;
  const step = target.slice('step:'.length);
  return Object.prototype.hasOwnProperty.call(policy.targets.steps ?? {}, step) ? (policy.targets.steps?.[step] ?? null) : null;
}

/** How a duration is measured once started: business time of the calendar, or real elapsed time. */
export type SlaMetric = 'business' | 'calendar';
export const metricOf = (unit: SlaUnit): SlaMetric => (unit.startsWith('calendar_') ? 'calendar' : 'business');

/** Deadline of a duration started at `start`, with no pause. */
export function deadlineFor(calendar: BusinessCalendar, start: Date, duration: SlaDuration): Date {
  const errors = durationErrors(duration, 'duration');
  if (errors.length) throw new SlaConfigError('Durée invalide.', errors);
  const { amount, unit } = duration;
  switch (unit) {
    case 'business_minutes':
      return addBusinessMs(calendar, start, amount * MINUTE_MS);
    case 'business_hours':
      return addBusinessMs(calendar, start, amount * 60 * MINUTE_MS);
    case 'working_days':
      return addWorkingDays(calendar, start, amount);
    case 'calendar_hours':
      return addCalendarDuration(start, { hours: amount }, calendar.timeZone);
    case 'calendar_days':
      return addCalendarDuration(start, { days: amount }, calendar.timeZone);
    case 'calendar_months':
      return addCalendarDuration(start, { months: amount }, calendar.timeZone);
  }
}
