import type { NotificationDetails, NotificationMessage, NotificationTopic } from '@grc/domain';

/** The town's time zone: deadlines read as the town hall's clock says them. */
const TOWN_TIME_ZONE = 'Europe/Paris';

type Lang = 'fr' | 'en';
const LOCALES: Record<Lang, string> = { fr: 'fr-FR', en: 'en-GB' };

const TARGETS: Record<Lang, Record<string, string>> = {
  fr: { firstResponse: 'première réponse', resolution: 'résolution' },
  en: { firstResponse: 'first response', resolution: 'resolution' },
};

/** What a notification's sentence is made of (the stored row, the ticket as it is now). */
export interface MessageInput {
  kind: string;
  data: Record<string, unknown>;
  ticket: { reference: string; subject: string } | null;
}

export function topicOf(kind: string): NotificationTopic {
  switch (kind) {
    case 'sla.sla_warning':
      return 'sla_warning';
    case 'sla.sla_breached':
      return 'sla_breached';
    case 'sla.sla_escalated':
      return 'sla_escalated';
    case 'workflow':
      return 'workflow';
    default:
      return 'other';
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The structured facts of the stored `data` the console may use (only known keys, checked types). */
export function detailsOf(data: Record<string, unknown>): NotificationDetails {
  const d: NotificationDetails = {};
  const target = str(data['target']);
  if (target) d.target = target;
  const atPercent = num(data['atPercent']);
  if (atPercent !== undefined) d.atPercent = atPercent;
  if ('deadline' in data) {
    const deadline = str(data['deadline']);
    d.deadline = deadline && !Number.isNaN(new Date(deadline).getTime()) ? new Date(deadline).toISOString() : null;
  }
  const template = str(data['template']);
  if (template) d.template = template;
  const comment = str(data['comment']);
  if (comment) d.comment = comment.slice(0, 500);
  return d;
}

const when = (lang: Lang, iso: string | null | undefined): string | null =>
  iso
    ? new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'full', timeStyle: 'short', timeZone: TOWN_TIME_ZONE }).format(new Date(iso))
    : null;

/** « GRC-2026-000123 « Nid-de-poule rue des Lilas » » in French, `GRC-2026-000123 "…"` in English. */
function ticketText(lang: Lang, ticket: MessageInput['ticket']): string {
  if (!ticket) return lang === 'fr' ? 'une demande' : 'a request';
  const subject = ticket.subject.length > 120 ? `${ticket.subject.slice(0, 119)}…` : ticket.subject;
  return lang === 'fr' ? `${ticket.reference} « ${subject} »` : `${ticket.reference} "${subject}"`;
}

function slaSentence(lang: Lang, topic: NotificationTopic, d: NotificationDetails, on: string): string {
  const target = d.target ? (TARGETS[lang][d.target] ?? d.target) : lang === 'fr' ? 'traitement' : 'handling';
  const due = when(lang, d.deadline);
  const pct = d.atPercent;
  if (lang === 'fr') {
    const dueText = due ? ` (échéance : ${due})` : '';
    if (topic === 'sla_warning') return `${pct ?? '?'} % du délai de ${target} écoulés sur ${on}${dueText}.`;
    if (topic === 'sla_breached') return `Délai de ${target} dépassé sur ${on}${dueText}.`;
    return `Escalade à ${pct ?? '?'} % du délai de ${target} sur ${on}${dueText}.`;
  }
  const dueText = due ? ` (due ${due})` : '';
  if (topic === 'sla_warning') return `${pct ?? '?'}% of the ${target} time has elapsed on ${on}${dueText}.`;
  if (topic === 'sla_breached') return `${target.charAt(0).toUpperCase()}${target.slice(1)} deadline missed on ${on}${dueText}.`;
  return `Escalation at ${pct ?? '?'}% of the ${target} time on ${on}${dueText}.`;
}

/** Sentences of the validation circuits' templates (libs/workflows and the demo pack); others get a generic one. */
function workflowSentence(lang: Lang, d: NotificationDetails, on: string): string {
  const fr = lang === 'fr';
  const comment = d.comment ? (fr ? ` : « ${d.comment} »` : `: "${d.comment}"`) : '';
  switch (d.template) {
    case 'workflow.approval_requested':
      return fr ? `Votre validation est demandée sur ${on}.` : `Your approval is requested on ${on}.`;
    case 'workflow.opinion_requested':
      return fr ? `L’avis de votre service est demandé sur ${on}.` : `Your department’s opinion is requested on ${on}.`;
    case 'workflow.opinions_missing':
      return fr
        ? `Des avis de services n’ont pas été rendus à temps sur ${on}.`
        : `Some departments did not give their opinion in time on ${on}.`;
    case 'workflow.draft_rejected':
      return fr
        ? `Votre projet de réponse sur ${on} a été renvoyé pour correction${comment}.`
        : `Your draft reply on ${on} was sent back for changes${comment}.`;
    case 'workflow.reply_approved':
      return fr ? `Votre réponse sur ${on} a été validée.` : `Your reply on ${on} was approved.`;
    case 'workflow.sla_elapsed':
      return fr ? `Le délai d’une étape du circuit de validation est dépassé sur ${on}.` : `A validation circuit step is overdue on ${on}.`;
    default: {
      const what = d.template ? ` (${d.template})` : '';
      return fr ? `Circuit de validation${what} : nouvelle étape sur ${on}.` : `Validation circuit${what}: new step on ${on}.`;
    }
  }
}

/** The notification as a sentence in French and in English. */
export function renderMessage(input: MessageInput): NotificationMessage {
  const topic = topicOf(input.kind);
  const d = detailsOf(input.data);
  const render = (lang: Lang): string => {
    const on = ticketText(lang, input.ticket);
    if (topic === 'sla_warning' || topic === 'sla_breached' || topic === 'sla_escalated') return slaSentence(lang, topic, d, on);
    if (topic === 'workflow') return workflowSentence(lang, d, on);
    return lang === 'fr' ? `Notification « ${input.kind} » sur ${on}.` : `Notification "${input.kind}" on ${on}.`;
  };
  return { fr: render('fr'), en: render('en') };
}
