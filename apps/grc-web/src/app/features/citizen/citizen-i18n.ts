/** Strings of the citizen page (features/citizen); spread into core/i18n.fr.ts and i18n.en.ts. */
export const CITIZEN_FR = {
  'title.citizen': 'Fiche usager',
  'citizenPage.identity': 'Identité et coordonnées',
  'citizenPage.edit': 'Modifier la fiche',
  'citizenPage.editHint': 'Rectification (article 16 du RGPD) : chaque modification est tracée.',
  'citizenPage.saved': 'Fiche enregistrée.',
  'citizenPage.stale': 'Cette fiche a été modifiée par quelqu’un d’autre : elle a été rechargée, reprenez votre modification.',
  'citizenPage.requests': 'Ses demandes',
  'citizenPage.requestsScoped': 'Seules les demandes des services que vous voyez sont listées.',
  'citizenPage.noRequests': 'Aucune demande visible.',
  'citizenPage.rights': 'Droits de la personne (RGPD)',
  'citizenPage.rightsHint':
    'Réservé au DPO et aux administrateurs. Chaque production est tracée. Relisez l’archive avant de l’envoyer : une note peut citer un tiers.',
  'citizenPage.exportZip': 'Exporter ses données (archive ZIP)',
  'citizenPage.exportPdf': 'Exporter ses données (lettre PDF)',
  'citizenPage.erase': 'Effacer',
  'citizenPage.back': 'Retour à la demande',
  'ticket.citizenPage': 'Ouvrir la fiche de {name}',
} as const;

export const CITIZEN_EN: Record<keyof typeof CITIZEN_FR, string> = {
  'title.citizen': 'Citizen record',
  'citizenPage.identity': 'Identity and contact details',
  'citizenPage.edit': 'Edit the record',
  'citizenPage.editHint': 'Rectification (GDPR article 16): every change is logged.',
  'citizenPage.saved': 'Record saved.',
  'citizenPage.stale': 'Someone else changed this record: it has been reloaded, make your change again.',
  'citizenPage.requests': 'Their requests',
  'citizenPage.requestsScoped': 'Only the requests of the departments you see are listed.',
  'citizenPage.noRequests': 'No visible request.',
  'citizenPage.rights': 'The person’s rights (GDPR)',
  'citizenPage.rightsHint':
    'For the DPO and administrators. Each production is logged. Read the archive before sending it: a note may name a third party.',
  'citizenPage.exportZip': 'Export their data (ZIP archive)',
  'citizenPage.exportPdf': 'Export their data (PDF letter)',
  'citizenPage.erase': 'Erase',
  'citizenPage.back': 'Back to the request',
  'ticket.citizenPage': 'Open {name}’s record',
};
