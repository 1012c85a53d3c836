/** The retention screen's wording (fr + en); the API returns codes and figures only. */
const FR = {
  heading: 'Conservation des données personnelles',
  intro:
    'Pour chaque catégorie (ou par défaut), combien de temps après la clôture d’une demande l’identité du demandeur est conservée, puis ce qu’il advient de la demande. Une demande non close n’est jamais touchée.',
  rulesHeading: 'Règles',
  category: 'Catégorie',
  months: 'Durée (mois après la clôture)',
  action: 'Ensuite',
  anonymise: 'anonymiser la demande',
  delete: 'supprimer la demande',
  defaultRule: 'Par défaut (toutes les autres catégories)',
  sentence: 'Conserver l’identité du demandeur {months} mois après la clôture, puis {action}.',
  remove: 'Retirer la règle',
  add: 'Ajouter une règle',
  save: 'Enregistrer les règles',
  saved: 'Règles enregistrées.',
  none: 'Aucune règle : rien n’est jamais supprimé ni anonymisé.',
  runsHeading: 'Dernières exécutions',
  runsEmpty: 'Aucune exécution pour le moment.',
  kind: 'Traitement',
  retention: 'Conservation',
  purge: 'Purges techniques',
  started: 'Début',
  state: 'État',
  running: 'en cours',
  done: 'terminée',
  failed: 'échouée',
  report: 'Compte rendu',
  requests: '{n} demande(s)',
  perCategory: '{category} : {anonymise} anonymisée(s), {delete} supprimée(s)',
  purges:
    '{sessions} session(s) expirée(s), {bodies} corps de courriel(s), {quarantine} courriel(s) en quarantaine, {ips} adresse(s) IP de connexion, {files} fichier(s) orphelin(s)',
  forbidden: 'Cette page est réservée aux personnes ayant le droit RGPD.',
} as const;

const EN: Record<keyof typeof FR, string> = {
  heading: 'Retention of personal data',
  intro:
    'For each category (or by default), how long after a request is closed the requester’s identity is kept, then what happens to the request. A request that is not closed is never touched.',
  rulesHeading: 'Rules',
  category: 'Category',
  months: 'Duration (months after closing)',
  action: 'Then',
  anonymise: 'anonymise the request',
  delete: 'delete the request',
  defaultRule: 'Default (every other category)',
  sentence: 'Keep the requester’s identity for {months} months after closing, then {action}.',
  remove: 'Remove the rule',
  add: 'Add a rule',
  save: 'Save the rules',
  saved: 'Rules saved.',
  none: 'No rule: nothing is ever deleted or anonymised.',
  runsHeading: 'Latest runs',
  runsEmpty: 'No run yet.',
  kind: 'Job',
  retention: 'Retention',
  purge: 'Technical purges',
  started: 'Started',
  state: 'State',
  running: 'running',
  done: 'done',
  failed: 'failed',
  report: 'Report',
  requests: '{n} request(s)',
  perCategory: '{category}: {anonymise} anonymised, {delete} deleted',
  purges:
    '{sessions} expired session(s), {bodies} e-mail body(ies), {quarantine} quarantined e-mail(s), {ips} login IP address(es), {files} orphan file(s)',
  forbidden: 'This page is for people with the RGPD permission.',
};

export type RetentionKey = keyof typeof FR;
export const RETENTION_I18N: Record<'fr' | 'en', Record<RetentionKey, string>> = { fr: FR, en: EN };

/** The keys the console's shared dictionaries need (route title, admin menu), merged into core/i18n.{fr,en}.ts. */
export const RETENTION_CORE_FR = {
  'title.adminRetention': 'Conservation des données',
  'admin.retention': 'Conservation (RGPD)',
} as const;
export const RETENTION_CORE_EN: Record<keyof typeof RETENTION_CORE_FR, string> = {
  'title.adminRetention': 'Data retention',
  'admin.retention': 'Retention (GDPR)',
};
