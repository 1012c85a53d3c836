import type { WorkflowDefinitionProblem } from '@grc/domain';
import type { I18n, MsgKey } from '../../core/i18n';

/**
 * The circuits' problems worded by their code in the agent's language, with their parameters: the static
 * analysis's (libs/workflows `PROBLEM_CODES`) and the schema's (`SCHEMA_PROBLEM_CODES`, `wf.problem.schema.*`);
 * the path shown beside says where. A problem without a worded code (a YAML or JSON syntax error) keeps its own
 * French sentence in French and a generic line in other languages.
 */
export const CIRCUIT_PROBLEMS_FR = {
  'wf.problem.unknown_step': 'cette étape n’existe pas',
  'wf.problem.reject_not_draft': 'un refus renvoie à une étape de rédaction (draft)',
  'wf.problem.no_draft_to_reject_to': 'aucune étape de rédaction ne précède cette approbation : indiquer rejectTo',
  'wf.problem.dead_end': 'étape sans issue : elle ne pourrait pas être quittée, ou aucune fin n’est atteignable',
  'wf.problem.no_fallback':
    'toutes les transitions de cette issue sont conditionnelles : ajouter une transition sans condition (when) en dernier, sinon le ticket peut rester bloqué',
  'wf.problem.no_transition_for_actor': 'un acteur pouvant agir sur cette étape ne trouverait aucune transition qui l’accepte',
  'wf.problem.transition_without_actor': 'aucun acteur possible de cette étape ne satisfait cette garde (rôle ou service)',
  'wf.problem.guard_on_automatic_outcome': 'cette issue n’est pas décidée par une personne : seule une condition (when) est possible',
  'wf.problem.shadowed_transition': 'transition jamais empruntée : une transition précédente s’applique toujours avant elle',
  'wf.problem.unreachable': 'étape inaccessible depuis l’étape initiale',
  'wf.problem.cycle_without_exit': 'cette étape mène à un cycle sans sortie : aucune fin n’est atteignable',
  'wf.problem.automatic_loop': 'boucle d’étapes automatiques (notify) : le circuit tournerait sans fin',
  'wf.problem.no_end': 'aucune étape de fin (kind: end) : le circuit ne pourrait jamais se terminer',
  'wf.problem.unknown_department': 'code de service inconnu',
  'wf.problem.unknown_category': 'code de catégorie inconnu',
  'wf.problem.unknown_agent': 'agent inconnu',
  'wf.problem.duplicate_department': 'service consulté deux fois',
  'wf.problem.single_approver_group': 'ce mode avec un seul approbateur équivaut au mode one',
  'wf.problem.unused_transition': 'transition timed_out sans délai (timeoutMinutes) : jamais empruntée',
  'wf.problem.reply_without_draft': 'aucune étape de rédaction : il n’y aura pas de réponse à envoyer',
  'wf.problem.self_approval_deadlock':
    'blocage possible : l’auteur du projet pourrait être le seul approbateur possible d’une étape suivante, et l’auteur ne peut pas approuver : ajouter une transition gardée (guard.roles), un autre approbateur, ou allowSelfApproval',
  'wf.problem.schema.required': 'valeur obligatoire',
  'wf.problem.schema.type': 'type de valeur inattendu (attendu : {expected})',
  'wf.problem.schema.unknown_key': 'propriété inconnue : {keys}',
  'wf.problem.schema.empty': 'ne peut pas être vide',
  'wf.problem.schema.too_few': '{min, plural, one {au moins # élément} other {au moins # éléments}}',
  'wf.problem.schema.too_large': 'trop grand (au plus {max})',
  'wf.problem.schema.integer': 'nombre entier attendu',
  'wf.problem.schema.positive': 'nombre positif attendu',
  'wf.problem.schema.id_format': 'identifiant attendu : minuscules, chiffres, « - » ou « _ », commençant par une lettre',
  'wf.problem.schema.enum': 'valeur inconnue (attendu : {values})',
  'wf.problem.schema.literal': 'valeur attendue : {expected}',
  'wf.problem.schema.discriminator': 'type inconnu (attendu : {values})',
  'wf.problem.schema.condition': "condition invalide : '{ field, op, value }', '{ all: [...] }', '{ any: [...] }' ou '{ not: ... }'",
  'wf.problem.schema.op_needs_list': 'l’opérateur {op} attend une liste de valeurs',
  'wf.problem.schema.op_needs_scalar': 'l’opérateur {op} attend une valeur simple',
  'wf.problem.schema.op_needs_number': 'l’opérateur {op} attend un nombre',
  'wf.problem.schema.approver_without_role': 'un approbateur a un rôle (role) ou un agent nommé (agentId)',
  'wf.problem.schema.no_steps': 'au moins une étape',
  'wf.problem.schema.outcome_not_allowed': 'issue « {on} » impossible pour une étape {kind} (attendu : {allowed})',
  'wf.problem.schema.one_needs_single_approver': 'le mode one attend exactement un approbateur',
  'wf.problem.schema.version_conflict': 'version {version} refusée : la prochaine version est {next}',
  'wf.problem.schema.invalid': 'valeur refusée',
  'wf.problem.other': 'le circuit ne respecte pas le format attendu (docs/workflows.md)',
} as const;

export const CIRCUIT_PROBLEMS_EN: Record<keyof typeof CIRCUIT_PROBLEMS_FR, string> = {
  'wf.problem.unknown_step': 'this step does not exist',
  'wf.problem.reject_not_draft': 'a rejection goes back to a draft step',
  'wf.problem.no_draft_to_reject_to': 'no draft step comes before this approval: set rejectTo',
  'wf.problem.dead_end': 'dead end: the step could not be left, or no end can be reached from it',
  'wf.problem.no_fallback':
    'every transition for this outcome has a condition: add one without condition (when) last, or the ticket may be stuck',
  'wf.problem.no_transition_for_actor': 'an actor who may act on this step would find no transition accepting them',
  'wf.problem.transition_without_actor': 'no possible actor of this step satisfies this guard (role or department)',
  'wf.problem.guard_on_automatic_outcome': 'this outcome is not decided by a person: only a condition (when) is possible',
  'wf.problem.shadowed_transition': 'transition never taken: an earlier one always applies first',
  'wf.problem.unreachable': 'step unreachable from the initial step',
  'wf.problem.cycle_without_exit': 'this step leads to a cycle without exit: no end can be reached',
  'wf.problem.automatic_loop': 'loop of automatic steps (notify): the circuit would run forever',
  'wf.problem.no_end': 'no end step (kind: end): the circuit could never finish',
  'wf.problem.unknown_department': 'unknown department code',
  'wf.problem.unknown_category': 'unknown category code',
  'wf.problem.unknown_agent': 'unknown agent',
  'wf.problem.duplicate_department': 'department consulted twice',
  'wf.problem.single_approver_group': 'this mode with a single approver amounts to mode one',
  'wf.problem.unused_transition': 'timed_out transition without timeoutMinutes: never taken',
  'wf.problem.reply_without_draft': 'no draft step: there will be no reply to send',
  'wf.problem.self_approval_deadlock':
    'possible deadlock: the writer of the draft could be the only possible approver of a later step, and an author cannot approve: add a guarded transition (guard.roles), another approver, or allowSelfApproval',
  'wf.problem.schema.required': 'value required',
  'wf.problem.schema.type': 'unexpected type of value (expected: {expected})',
  'wf.problem.schema.unknown_key': 'unknown property: {keys}',
  'wf.problem.schema.empty': 'cannot be empty',
  'wf.problem.schema.too_few': '{min, plural, one {at least # item} other {at least # items}}',
  'wf.problem.schema.too_large': 'too large (at most {max})',
  'wf.problem.schema.integer': 'a whole number is expected',
  'wf.problem.schema.positive': 'a positive number is expected',
  'wf.problem.schema.id_format': 'identifier expected: lowercase letters, digits, “-” or “_”, starting with a letter',
  'wf.problem.schema.enum': 'unknown value (expected: {values})',
  'wf.problem.schema.literal': 'expected value: {expected}',
  'wf.problem.schema.discriminator': 'unknown type (expected: {values})',
  'wf.problem.schema.condition': "invalid condition: '{ field, op, value }', '{ all: [...] }', '{ any: [...] }' or '{ not: ... }'",
  'wf.problem.schema.op_needs_list': 'operator {op} expects a list of values',
  'wf.problem.schema.op_needs_scalar': 'operator {op} expects a single value',
  'wf.problem.schema.op_needs_number': 'operator {op} expects a number',
  'wf.problem.schema.approver_without_role': 'an approver has a role (role) or a named agent (agentId)',
  'wf.problem.schema.no_steps': 'at least one step',
  'wf.problem.schema.outcome_not_allowed': 'outcome “{on}” is not possible for a {kind} step (expected: {allowed})',
  'wf.problem.schema.one_needs_single_approver': 'mode one expects exactly one approver',
  'wf.problem.schema.version_conflict': 'version {version} refused: the next version is {next}',
  'wf.problem.schema.invalid': 'value refused',
  'wf.problem.other': 'the circuit does not match the expected format (docs/workflows.md)',
};

/** A circuit problem in the agent's language. */
export function circuitProblemText(p: Pick<WorkflowDefinitionProblem, 'code' | 'message' | 'params'>, i18n: I18n): string {
  const key = `wf.problem.${p.code}`;
  if (p.code && key in CIRCUIT_PROBLEMS_FR && key !== 'wf.problem.other') return i18n.t(key as MsgKey, p.params);
  return i18n.lang() === 'fr' ? p.message : i18n.t('wf.problem.other');
}
