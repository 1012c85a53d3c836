import type { PackError } from '@grc/domain';

/**
 * Pack errors in English, the language of the CLI and of the logs: the rules of libs/domain (SLA calendars
 * and policies) and the circuits' checks (libs/workflows static analysis, their reading) return a code with a
 * French sentence meant for the console's agents; here the code is worded in English. The file, path and line
 * printed with it say where; an error without a known code (the pack's own schema, already English) keeps its
 * message.
 */
const EN: Record<string, string> = {
  // SLA calendars (libs/domain/src/sla/calendar.ts)
  'calendar.time_zone_invalid': 'unknown time zone (an IANA name, e.g. Europe/Paris)',
  'calendar.weekday_unknown': 'unknown weekday (expected monday … sunday)',
  'calendar.hours_invalid': 'invalid opening hours: a list of "HH:MM-HH:MM" ranges, start before end (e.g. 08:30-12:00)',
  'calendar.hours_overlap': 'opening ranges overlap',
  'calendar.never_open': 'the calendar is never open: at least one opening range is needed',
  'calendar.closure_date_invalid': 'invalid closure date ("YYYY-MM-DD" or "YYYY-MM-DDTHH:MM")',
  'calendar.closure_reversed': 'the closure ends before it starts',
  'calendar.closure_label_required': 'a closure needs a label',
  // SLA policies (libs/domain/src/sla/policy.ts)
  'sla.id_required': 'a policy id is required (lowercase letters, digits and dashes)',
  'sla.name_required': 'a policy name is required',
  'sla.match_empty': 'the policy matches nothing: give categories, priorities, channels or departments',
  'sla.match_value_unknown': 'unknown value in the policy’s match',
  'sla.no_target': 'the policy sets no target (firstResponse, resolution or a circuit step)',
  'sla.duration_invalid': 'invalid duration: { amount, unit } expected',
  'sla.amount_not_integer': 'the amount must be a whole number',
  'sla.amount_not_positive': 'the amount must be positive',
  'sla.amount_too_large': 'the amount is too large',
  'sla.unit_unknown': 'unknown unit (business_minutes, business_hours, working_days, calendar_hours, calendar_days, calendar_months)',
  'sla.ladder_invalid': 'invalid escalation ladder: a list of { atPercent, actions } expected',
  'sla.ladder_percent_invalid': 'invalid percentage of the escalation step',
  'sla.ladder_not_increasing': 'escalation steps must be in increasing order of percentage',
  'sla.ladder_actions_empty': 'an escalation step needs at least one action',
  'sla.action_unknown': 'unknown escalation action',
  'sla.notify_target_unknown': 'unknown recipient of the notification',
  // circuits: reading (apps/grc-api/src/modules/workflows/definition-source.ts)
  'circuit.empty': 'empty file',
  'circuit.syntax': 'invalid YAML or JSON',
  'circuit.schema': 'does not match the circuit schema (see docs/workflows.md)',
  // circuits: static analysis (libs/workflows/src/definition/analyse.ts)
  'circuit.unknown_step': 'this step does not exist',
  'circuit.reject_not_draft': 'a rejection goes back to a draft step',
  'circuit.no_draft_to_reject_to': 'no draft step comes before this approval: set rejectTo',
  'circuit.dead_end': 'dead end: the step could not be left, or no end can be reached from it',
  'circuit.no_fallback': 'every transition for this outcome has a condition: add one without condition (when) last, or the ticket may be stuck',
  'circuit.no_transition_for_actor': 'an actor who may act on this step would find no transition accepting them',
  'circuit.transition_without_actor': 'no possible actor of this step satisfies this guard (role or department)',
  'circuit.guard_on_automatic_outcome': 'this outcome is not decided by a person: only a condition (when) is possible',
  'circuit.shadowed_transition': 'transition never taken: an earlier one always applies first',
  'circuit.unreachable': 'step unreachable from the initial step',
  'circuit.cycle_without_exit': 'this step leads to a cycle without exit: no end can be reached',
  'circuit.automatic_loop': 'loop of automatic steps (notify): the circuit would run forever',
  'circuit.no_end': 'no end step (kind: end): the circuit could never finish',
  'circuit.unknown_department': 'unknown department code',
  'circuit.unknown_category': 'unknown category code',
  'circuit.unknown_agent': 'unknown agent',
  'circuit.duplicate_department': 'department consulted twice',
  'circuit.single_approver_group': 'this mode with a single approver amounts to mode one',
  'circuit.unused_transition': 'timed_out transition without timeoutMinutes: never taken',
  'circuit.reply_without_draft': 'no draft step: there will be no reply to send',
  'circuit.self_approval_deadlock':
    'possible deadlock: the writer of the draft could be the only possible approver of a later step, and an author cannot approve: add a guarded transition (guard.roles), another approver, or allowSelfApproval',
};

/** The codes this file words (a spec checks it covers every code of the rules). */
export const ENGLISH_PACK_CODES: readonly string[] = Object.keys(EN);

/** The error with its message in English when its code is known; its own message otherwise. */
export const packErrorInEnglish = (e: PackError): PackError => (e.code && EN[e.code] ? { ...e, message: EN[e.code] } : e);
