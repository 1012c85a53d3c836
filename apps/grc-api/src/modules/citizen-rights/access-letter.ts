import { recipientLines, type CitizenRight, type LegalBasis, type PrivacyPurpose } from '@grc/domain';
import { letterDate, newLetter, writeLetterhead, writePlaceAndDate, writeRecipient, type Letterhead } from '../town/letterhead';
import type { AccessExport } from './access-export.service';

/**
 * The letter answering a request under article 15, in French (the town's language): what is held, why,
 * for how long, who received it, who read it, and the person's other rights. Laid out by the town's
 * letterhead helper (modules/town/letterhead.ts), as the replies by post.
 */

const PURPOSES: Record<PrivacyPurpose, string> = {
  handle_requests: 'traiter vos demandes, signalements et réclamations et vous répondre',
  inform_requester: 'vous informer de l’avancement de vos demandes (courriel, page de suivi)',
  statistics: 'établir des statistiques anonymes sur l’activité des services',
  improve_service: 'améliorer la qualité du service rendu aux habitants',
};
const LEGAL_BASES: Record<LegalBasis, string> = {
  public_task: 'l’exécution d’une mission d’intérêt public dont est investie la commune (article 6.1.e du RGPD)',
  legal_obligation: 'le respect d’une obligation légale de la commune (article 6.1.c du RGPD)',
  consent: 'votre consentement (article 6.1.a du RGPD), que vous pouvez retirer à tout moment',
};
const RIGHTS: Record<CitizenRight, string> = {
  access: 'd’accès (article 15), que cette lettre satisfait',
  rectification: 'de rectification des données inexactes (article 16)',
  erasure: 'à l’effacement (article 17), sauf obligation légale de conservation',
  restriction: 'à la limitation du traitement (article 18)',
  objection: 'd’opposition, pour des raisons tenant à votre situation particulière (article 21)',
  portability: 'à la portabilité de vos données (article 20)',
};
const STATUSES: Record<string, string> = {
  new: 'nouvelle',
  open: 'en cours',
  waiting_citizen: 'en attente de votre réponse',
  resolved: 'résolue',
  closed: 'clôturée',
};
const CHANNELS: Record<string, string> = {
  web: 'formulaire en ligne',
  email: 'courriel',
  phone: 'téléphone',
  counter: 'accueil',
  mail: 'courrier',
  open311: 'application (Open311)',
};
/** How an audit action reads in the list of who read or changed the file. */
const ACTIONS: Record<string, string> = {
  'citizen.read': 'consultation de votre fiche',
  'citizen.search': 'recherche',
  'citizen.create': 'création de votre fiche',
  'citizen.update': 'modification de votre fiche',
  'citizen.access_export': 'production de vos données (droit d’accès)',
  'citizen.merge': 'fusion de deux fiches',
  'citizen.erase': 'effacement',
  'ticket.read': 'consultation d’une demande',
  'ticket.create': 'enregistrement d’une demande',
};
const actionText = (action: string): string => ACTIONS[action] ?? (action.startsWith('ticket.') ? 'traitement d’une demande' : action);

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** The letter as a PDF stream (pipe it to a response or into the archive). */
export function accessLetter(x: AccessExport): PDFKit.PDFDocument {
  const doc = newLetter({
    title: 'Réponse à votre demande d’accès (article 15 du RGPD)',
    author: x.notice.controller.name,
    subject: 'Droit d’accès',
  });
  const head: Letterhead = {
    senderName: x.notice.controller.name,
    senderAddress: x.notice.controller.address,
    senderEmail: x.notice.controller.email,
    townName: x.town.name,
    timezone: x.town.timezone,
  };
  const day = (d: unknown) => letterDate(d as string | Date, x.town.timezone);
  const at = (d: unknown) =>
    new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: x.town.timezone }).format(
      new Date(d as string | Date),
    );
  const rows = (table: string) => x.tables.find((t) => t.table.table === table)?.rows ?? [];
  const citizen = rows('citizens')[0] ?? {};
  const name =
    citizen['kind'] === 'organisation'
      ? str(citizen['organisation_name'])
      : [str(citizen['first_name']), str(citizen['last_name'])].filter(Boolean).join(' ') || 'Madame, Monsieur';
  const h = (title: string) =>
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(11).text(title).moveDown(0.2).font('Helvetica').fontSize(10);
  const item = (text: string) => doc.text(`•  ${text}`, { indent: 8 });

  writeLetterhead(doc, head);
  writeRecipient(
    doc,
    recipientLines({
      name,
      contactPerson: str(citizen['contact_person']) || null,
      address: str(citizen['address']) || null,
      postcode: str(citizen['postcode']) || null,
      city: str(citizen['city']) || null,
    }),
  );
  writePlaceAndDate(doc, head, x.producedAt);
  doc.font('Helvetica-Bold').text('Objet : réponse à votre demande d’accès à vos données personnelles (article 15 du RGPD)');
  doc.font('Helvetica').moveDown();
  doc.text(citizen['kind'] === 'organisation' || name === 'Madame, Monsieur' ? 'Madame, Monsieur,' : `${name},`);
  doc.moveDown(0.5);
  doc.text(
    `Vous avez demandé à connaître les données personnelles que ${x.notice.controller.name} détient à votre sujet. ` +
      'En application de l’article 15 du règlement (UE) 2016/679 (RGPD), vous trouverez ci-dessous ces données et les informations ' +
      'sur leur traitement. Une copie complète sous forme électronique (archive contenant vos données et vos pièces jointes) ' +
      'vous est remise avec cette lettre.',
    { align: 'justify' },
  );

  h('1. Votre identité et vos coordonnées');
  const identity: Array<[string, string]> = [
    ['Nom', str(citizen['last_name'])],
    ['Prénom', str(citizen['first_name'])],
    ['Organisme', str(citizen['organisation_name'])],
    ['Personne à contacter', str(citizen['contact_person'])],
    ['Courriel', str(citizen['email'])],
    ['Téléphone', str(citizen['phone'])],
    ['Adresse', [str(citizen['address']), str(citizen['postcode']), str(citizen['city'])].filter(Boolean).join(', ')],
    ['Canal de contact préféré', CHANNELS[str(citizen['preferred_channel'])] ?? ''],
  ];
  for (const [label, value] of identity) if (value) item(`${label} : ${value}`);
  if (citizen['created_at']) item(`Fiche créée le ${day(citizen['created_at'])}`);

  h(`2. Vos demandes (${x.tickets.length})`);
  if (x.tickets.length === 0) doc.text('Aucune demande n’est enregistrée à votre nom.');
  for (const t of x.tickets) {
    item(
      `${t.reference}, déposée le ${day(t.created_at)} par ${CHANNELS[t.channel] ?? t.channel} : ${t.category_fr} (${t.department}), ` +
        `${STATUSES[t.status] ?? t.status}${t.closed_at ? ` le ${day(t.closed_at)}` : ''} ; ${t.events} étape(s) d’historique, ` +
        `${x.files.filter((f) => f.ticketReference === t.reference).length} pièce(s) jointe(s).`,
    );
  }

  const sent = rows('mail_outbox');
  const received = rows('mail_imported');
  h('3. Les courriels échangés');
  doc.text(
    `${sent.length} courriel(s) vous ont été envoyés et ${received.length} courriel(s) reçus de vous ont été enregistrés. ` +
      'Leur contenu figure dans l’archive électronique.',
  );

  h('4. Qui a consulté ou traité votre dossier');
  const trail = rows('audit_events');
  if (trail.length === 0) doc.text('Aucune consultation n’est enregistrée.');
  const shown = trail.slice(-60);
  if (shown.length < trail.length)
    doc.text(`Les ${shown.length} dernières opérations sur ${trail.length} (la liste complète figure dans l’archive) :`);
  for (const e of shown) item(`${at(e['at'])} : ${actionText(str(e['action']))}, par ${str(e['actor_label'])}`);

  h('5. Pourquoi nous traitons vos données');
  for (const p of x.notice.purposes) item(PURPOSES[p]);
  doc.text(`Ce traitement repose sur ${LEGAL_BASES[x.notice.legalBasis]}.`);

  h('6. Destinataires et source');
  doc.text(
    'Vos données ne sont communiquées qu’aux agents des services municipaux chargés de vos demandes, dans la limite de leurs attributions. ' +
      'Elles ne sont ni vendues ni transférées hors de l’Union européenne. Elles proviennent de vous-même, par les canaux que vous avez utilisés.',
  );

  h('7. Durée de conservation');
  if (x.notice.retention && x.notice.retention.length > 0) {
    for (const r of x.notice.retention)
      item(
        `${r.nameFr} : ${r.months === null ? 'durée fixée par la commune' : `${r.months} mois`} après la clôture de la demande, ` +
          `puis ${r.outcome === 'anonymise' ? 'anonymisation' : 'suppression'}.`,
      );
  } else {
    doc.text(
      'Les durées de conservation par catégorie de demande vous sont communiquées sur simple demande au délégué à la protection des données.',
    );
  }

  h('8. Vos droits');
  doc.text('Vous disposez également des droits suivants :');
  for (const r of x.notice.rights) item(`le droit ${RIGHTS[r]}`);
  const dpo = x.notice.dpo;
  doc.moveDown(0.3);
  doc.text(
    dpo
      ? `Pour les exercer, écrivez au délégué à la protection des données${dpo.name ? ` (${dpo.name})` : ''}` +
          `${dpo.email ? ` : ${dpo.email}` : ''}${dpo.address ? `, ${dpo.address}` : ''}.`
      : `Pour les exercer, écrivez à ${x.notice.controller.name}, ${x.notice.controller.address}.`,
  );
  doc.text(
    `Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la ${x.notice.authority.name}, ` +
      `${x.notice.authority.address} (${x.notice.authority.url}).`,
  );
  doc.moveDown();
  doc.text('Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations distinguées.');
  doc.moveDown();
  doc.text(`Pour ${x.notice.controller.name},`);
  doc.text(x.producedBy);
  doc.end();
  return doc;
}
