/**
 * The demo town's circuits (Saint-Aubin), as plain objects identical to
 * libs/workflows/examples/*.yaml (a spec keeps them in sync). Department and category codes are
 * those of packs/demo-town.
 */
import type { WorkflowDefinitionInput } from '../definition/schema';

/** Agent drafts → head of the ticket's department approves (may edit) → reply sent. */
export const REPONSE_SIMPLE: WorkflowDefinitionInput = {
  id: 'reponse-simple',
  name: 'Réponse simple : agent puis responsable de service',
  description: 'Circuit par défaut : un agent rédige, le responsable du service valide (ou corrige et valide), la réponse part.',
  initial: 'redaction',
  steps: {
    redaction: {
      kind: 'draft',
      label: 'Rédaction de la réponse',
      writers: { roles: ['agent', 'head'], departments: ['$ticket'] },
      slaMinutes: 2880,
      transitions: [
        // un responsable qui rédige lui-même n'a pas à se valider
        { on: 'submitted', to: 'envoi', guard: { roles: ['head'] } },
        { on: 'submitted', to: 'validation_chef' },
      ],
    },
    validation_chef: {
      kind: 'approval',
      label: 'Validation par le responsable du service',
      mode: 'one',
      approvers: [{ role: 'head', department: '$ticket' }],
      allowEditAndApprove: true,
      slaMinutes: 1440,
      escalateTo: [{ kind: 'role', role: 'head', department: 'dgs' }],
      transitions: [{ on: 'approved', to: 'envoi' }],
    },
    envoi: { kind: 'end', label: 'Réponse envoyée', outcome: 'reply_sent' },
  },
};

/**
 * Sensitive categories (urbanism): agent → head → for disputes the DGS then an elected official
 * sign; for other urbanism requests the DGS or an elected official (any of them) signs.
 */
export const REPONSE_SENSIBLE: WorkflowDefinitionInput = {
  id: 'reponse-sensible-urbanisme',
  name: 'Réponse sensible : agent, responsable, DGS et élu',
  description: 'Urbanisme : les réclamations sont visées par la DGS puis signées par un élu ; les autres demandes par la DGS ou un élu.',
  appliesTo: { categories: ['reclamation-urbanisme', 'declaration-prealable', 'certificat-urbanisme'] },
  initial: 'redaction',
  steps: {
    redaction: {
      kind: 'draft',
      label: 'Rédaction du projet de réponse',
      writers: { roles: ['agent'], departments: ['$ticket'] },
      slaMinutes: 4320,
      transitions: [{ on: 'submitted', to: 'validation_chef' }],
    },
    validation_chef: {
      kind: 'approval',
      label: 'Validation par le responsable du service',
      mode: 'one',
      approvers: [{ role: 'head', department: '$ticket' }],
      allowEditAndApprove: true,
      slaMinutes: 2880,
      transitions: [
        {
          on: 'approved',
          to: 'visa_dgs',
          guard: {
            when: {
              any: [
                { field: 'category', op: 'eq', value: 'reclamation-urbanisme' },
                { field: 'priority', op: 'eq', value: 'urgent' },
              ],
            },
          },
        },
        { on: 'approved', to: 'visa_dgs_ou_elu' },
      ],
    },
    visa_dgs: {
      kind: 'approval',
      label: 'Visa de la direction générale des services',
      mode: 'one',
      approvers: [{ role: 'head', department: 'dgs' }],
      rejectTo: 'redaction',
      slaMinutes: 2880,
      onEnter: [{ type: 'set_priority', priority: 'high' }],
      transitions: [{ on: 'approved', to: 'signature_elu' }],
    },
    signature_elu: {
      kind: 'approval',
      label: 'Signature de l’élu',
      mode: 'one',
      approvers: [{ role: 'elected' }],
      rejectTo: 'redaction',
      slaMinutes: 7200,
      escalateTo: [{ kind: 'role', role: 'head', department: 'dgs' }],
      transitions: [{ on: 'approved', to: 'information_redacteur' }],
    },
    visa_dgs_ou_elu: {
      kind: 'approval',
      label: 'Visa de la DGS ou d’un élu',
      mode: 'any',
      approvers: [{ role: 'head', department: 'dgs' }, { role: 'elected' }],
      rejectTo: 'redaction',
      slaMinutes: 4320,
      transitions: [{ on: 'approved', to: 'information_redacteur' }],
    },
    information_redacteur: {
      kind: 'notify',
      label: 'Information du rédacteur',
      to: [{ kind: 'draft_author' }],
      template: 'workflow.reply_approved',
      transitions: [{ on: 'done', to: 'envoi' }],
    },
    envoi: { kind: 'end', label: 'Réponse envoyée', outcome: 'reply_sent' },
  },
};

/**
 * Felling a tree: the citizen is asked for details, espaces verts, voirie and urbanisme give their
 * opinion in parallel (10 days), espaces verts drafts the decision, both heads of espaces verts and
 * urbanisme must approve it.
 */
export const AVIS_ABATTAGE: WorkflowDefinitionInput = {
  id: 'avis-abattage-arbre',
  name: 'Abattage d’arbre : avis parallèles puis décision',
  description:
    'Avis des espaces verts, de la voirie et de l’urbanisme en parallèle, décision rédigée par les espaces verts et validée par les deux responsables.',
  appliesTo: { categories: ['elagage'] },
  initial: 'precisions_citoyen',
  steps: {
    precisions_citoyen: {
      kind: 'wait_for_citizen',
      label: 'Précisions et photos demandées au demandeur',
      template: 'workflow.tree_details_requested',
      timeoutMinutes: 10080,
      transitions: [
        { on: 'replied', to: 'avis_services' },
        { on: 'timed_out', to: 'avis_services' },
      ],
    },
    avis_services: {
      kind: 'opinion',
      label: 'Avis des services',
      departments: ['espaces-verts', 'voirie', 'urbanisme'],
      dueInMinutes: 14400,
      template: 'workflow.opinion_requested',
      transitions: [
        { on: 'completed', to: 'redaction_decision' },
        { on: 'timed_out', to: 'relance_avis_manquants' },
      ],
    },
    relance_avis_manquants: {
      kind: 'notify',
      label: 'Signalement des avis non rendus',
      to: [{ kind: 'role', role: 'head', department: 'dst' }],
      template: 'workflow.opinions_missing',
      transitions: [{ on: 'done', to: 'redaction_decision' }],
    },
    redaction_decision: {
      kind: 'draft',
      label: 'Rédaction de la décision',
      writers: { roles: ['agent', 'head'], departments: ['espaces-verts'] },
      slaMinutes: 4320,
      transitions: [
        // the head of espaces verts who writes the decision may not approve it: the head of the
        // technical services (the parent direction) approves in his place, with urbanisme's head
        { on: 'submitted', to: 'validation_direction', guard: { roles: ['head'] } },
        { on: 'submitted', to: 'validation_conjointe' },
      ],
    },
    validation_direction: {
      kind: 'approval',
      label: 'Validation conjointe direction des services techniques et urbanisme',
      mode: 'all',
      approvers: [
        { role: 'head', department: 'dst' },
        { role: 'head', department: 'urbanisme' },
      ],
      allowEditAndApprove: true,
      slaMinutes: 2880,
      transitions: [{ on: 'approved', to: 'envoi_decision' }],
    },
    validation_conjointe: {
      kind: 'approval',
      label: 'Validation conjointe espaces verts et urbanisme',
      mode: 'all',
      approvers: [
        { role: 'head', department: 'espaces-verts' },
        { role: 'head', department: 'urbanisme' },
      ],
      allowEditAndApprove: true,
      slaMinutes: 2880,
      transitions: [{ on: 'approved', to: 'envoi_decision' }],
    },
    envoi_decision: { kind: 'end', label: 'Décision envoyée', outcome: 'decision' },
  },
  cancel: { roles: ['head', 'admin'] },
};

export const DEMO_TOWN_WORKFLOWS: readonly WorkflowDefinitionInput[] = [REPONSE_SIMPLE, REPONSE_SENSIBLE, AVIS_ABATTAGE];
