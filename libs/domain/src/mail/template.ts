import type { MailEvent, MailLocale, RenderedMail } from '../contracts/mail';
import type { TicketStatus } from '../ticket/ticket-status';
import { oneLine } from './headers';

/**
 * Templates are plain text written by admins: `{{name}}` inserts a variable, `{{#name}}…{{/name}}`
 * keeps a block only when the variable is not empty. The text part is the rendered text; the HTML
 * part is that text escaped (every variable and the template itself), with line breaks and http(s)
 * links: no HTML typed by anyone (admin, agent or citizen) ever reaches a mail client as markup.
 */

const COMMON = ['reference', 'subject', 'citizenName', 'townName', 'category', 'department', 'status', 'trackingUrl'] as const;
export const MAIL_EVENT_VARIABLES: Record<MailEvent, readonly string[]> = {
  acknowledgement: [...COMMON],
  reply: [...COMMON, 'message', 'agentName'],
  status_changed: [...COMMON, 'previousStatus', 'comment'],
  resolved: [...COMMON, 'comment'],
  // a validation circuit waits for the citizen (wait_for_citizen): what is asked, in the step's words
  information_request: [...COMMON, 'request'],
};
export const REPLY_TEMPLATE_VARIABLES = [
  'citizenName',
  'reference',
  'subject',
  'agentName',
  'townName',
  'category',
  'department',
  'status',
] as const;

const TOKEN = /\{\{\s*([#/]?)([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** The variable names a template uses (in order, without duplicates). */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(TOKEN)].map((m) => m[2]!))];
}

/** Names used but not offered, and sections opened and not closed: what an admin must fix before saving. */
export interface TemplateProblem {
  code: 'template.unknown_variable' | 'template.unmatched_close' | 'template.unclosed';
  params: { name: string };
  /** the French sentence (logs, CLI); the console words the code */
  message: string;
}
export function checkTemplate(template: string, allowed: readonly string[]): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const v of templateVariables(template))
    if (!allowed.includes(v))
      problems.push({ code: 'template.unknown_variable', params: { name: v }, message: `Variable inconnue : {{${v}}}.` });
  const stack: string[] = [];
  for (const m of template.matchAll(TOKEN)) {
    if (m[1] === '#') stack.push(m[2]!);
    else if (m[1] === '/') {
      if (stack.pop() !== m[2])
        problems.push({
          code: 'template.unmatched_close',
          params: { name: m[2]! },
          message: `Bloc {{/${m[2]}}} sans {{#${m[2]}}} correspondant.`,
        });
    }
  }
  for (const open of stack) problems.push({ code: 'template.unclosed', params: { name: open }, message: `Bloc {{#${open}}} non fermé.` });
  return problems;
}

/** The template with its variables (unknown ones become empty). Sections may nest. Plain text. */
export function renderTemplate(template: string, vars: Record<string, string | null | undefined>): string {
  const value = (name: string) => vars[name] ?? '';
  let out = '';
  const skipping: boolean[] = [];
  let last = 0;
  for (const m of template.matchAll(TOKEN)) {
    const hidden = skipping.includes(true);
    if (!hidden) out += template.slice(last, m.index);
    last = m.index! + m[0].length;
    if (m[1] === '#') skipping.push(value(m[2]!).trim() === '');
    else if (m[1] === '/') skipping.pop();
    else if (!hidden) out += value(m[2]!);
  }
  if (!skipping.includes(true)) out += template.slice(last);
  return out;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Escaped text as HTML: paragraphs, line breaks, http(s) links (the only markup produced). */
export function textToHtml(text: string): string {
  const escaped = escapeHtml(text.replace(/\r\n?/g, '\n'));
  const linked = escaped.replace(/\bhttps?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
  const paragraphs = linked.split(/\n{2,}/).map((p) => `<p>${p.replace(/\n/g, '<br>\n')}</p>`);
  return `<!doctype html><html><head><meta charset="utf-8"></head><body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5">\n${paragraphs.join('\n')}\n</body></html>`;
}

/** Subject (one line: a variable cannot inject a header), text and HTML parts. */
export function renderMail(template: { subject: string; body: string }, vars: Record<string, string | null | undefined>): RenderedMail {
  const text =
    renderTemplate(template.body, vars)
      .replace(/\r\n?/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n';
  return { subject: oneLine(renderTemplate(template.subject, vars), 250), text, html: textToHtml(text.trimEnd()) };
}

/**
 * Secret links (tracking keys) are not stored in the outbox: the mail is rendered with a placeholder that is
 * unique to its outbox row (`linkPlaceholder`), the link itself is kept sealed beside it, and the sender puts
 * it back at send time (`fillLink`) before wiping the sealed copy. The placeholder carries the row's random id,
 * so a citizen's or an agent's text cannot contain it in advance.
 */
export const linkPlaceholder = (outboxId: string): string => `[[lien:${outboxId}]]`;

/** The mail with the placeholder replaced by the link: as is in the subject and text, a link (escaped) in the HTML. */
export function fillLink<T extends { subject: string; text: string; html: string | null }>(mail: T, placeholder: string, url: string): T {
  const escaped = escapeHtml(url);
  return {
    ...mail,
    subject: mail.subject.split(placeholder).join(url),
    text: mail.text.split(placeholder).join(url),
    html: mail.html === null ? null : mail.html.split(escapeHtml(placeholder)).join(`<a href="${escaped}">${escaped}</a>`),
  };
}

export const MAIL_STATUS_LABELS: Record<MailLocale, Record<TicketStatus, string>> = {
  fr: {
    new: 'nouvelle',
    open: 'en cours de traitement',
    waiting_citizen: 'en attente de votre réponse',
    resolved: 'résolue',
    closed: 'clôturée',
  },
  en: { new: 'new', open: 'in progress', waiting_citizen: 'waiting for your answer', resolved: 'resolved', closed: 'closed' },
};

/** Built-in templates, used until an admin edits them. */
export const DEFAULT_MAIL_TEMPLATES: Record<MailEvent, Record<MailLocale, { subject: string; body: string }>> = {
  acknowledgement: {
    fr: {
      subject: '[{{reference}}] Votre demande a bien été reçue',
      body: 'Bonjour {{citizenName}},\n\nNous avons bien reçu votre demande « {{subject}} ». Elle porte la référence {{reference}} : rappelez-la dans vos échanges avec la mairie.\n{{#trackingUrl}}\nSuivez son avancement ici : {{trackingUrl}}\n{{/trackingUrl}}\nPour compléter votre demande, répondez simplement à ce message.\n\n{{townName}}',
    },
    en: {
      subject: '[{{reference}}] We received your request',
      body: 'Hello {{citizenName}},\n\nWe received your request "{{subject}}". Its reference is {{reference}}: please quote it when you contact the town hall.\n{{#trackingUrl}}\nFollow its progress here: {{trackingUrl}}\n{{/trackingUrl}}\nTo add information, simply reply to this message.\n\n{{townName}}',
    },
  },
  reply: {
    fr: {
      subject: '[{{reference}}] {{subject}}',
      body: '{{message}}\n\n--\n{{agentName}}\n{{townName}} — demande {{reference}}\nRépondez à ce message pour nous écrire.',
    },
    en: {
      subject: '[{{reference}}] {{subject}}',
      body: '{{message}}\n\n--\n{{agentName}}\n{{townName}} — request {{reference}}\nReply to this message to write to us.',
    },
  },
  status_changed: {
    fr: {
      subject: '[{{reference}}] Votre demande est {{status}}',
      body: 'Bonjour {{citizenName}},\n\nVotre demande « {{subject}} » ({{reference}}) est désormais {{status}}.\n{{#comment}}\n{{comment}}\n{{/comment}}\n{{#trackingUrl}}\nSuivi : {{trackingUrl}}\n{{/trackingUrl}}\n{{townName}}',
    },
    en: {
      subject: '[{{reference}}] Your request is {{status}}',
      body: 'Hello {{citizenName}},\n\nYour request "{{subject}}" ({{reference}}) is now {{status}}.\n{{#comment}}\n{{comment}}\n{{/comment}}\n{{#trackingUrl}}\nTracking: {{trackingUrl}}\n{{/trackingUrl}}\n{{townName}}',
    },
  },
  information_request: {
    fr: {
      subject: '[{{reference}}] Informations demandées pour votre demande',
      body: 'Bonjour {{citizenName}},\n\nPour traiter votre demande « {{subject}} » ({{reference}}), nous avons besoin de votre part des éléments suivants :\n{{request}}\n\nRépondez simplement à ce message (photos en pièces jointes bienvenues){{#trackingUrl}}, ou ajoutez-les depuis la page de suivi : {{trackingUrl}}{{/trackingUrl}}.\n\n{{townName}}',
    },
    en: {
      subject: '[{{reference}}] Information needed for your request',
      body: 'Hello {{citizenName}},\n\nTo handle your request "{{subject}}" ({{reference}}), we need the following from you:\n{{request}}\n\nSimply reply to this message (photos attached are welcome){{#trackingUrl}}, or add them on the tracking page: {{trackingUrl}}{{/trackingUrl}}.\n\n{{townName}}',
    },
  },
  resolved: {
    fr: {
      subject: '[{{reference}}] Votre demande est résolue',
      body: 'Bonjour {{citizenName}},\n\nVotre demande « {{subject}} » ({{reference}}) est résolue.\n{{#comment}}\n{{comment}}\n{{/comment}}\nSi le problème persiste, répondez à ce message : la demande sera rouverte.\n{{#trackingUrl}}\nSuivi : {{trackingUrl}}\n{{/trackingUrl}}\n{{townName}}',
    },
    en: {
      subject: '[{{reference}}] Your request is resolved',
      body: 'Hello {{citizenName}},\n\nYour request "{{subject}}" ({{reference}}) is resolved.\n{{#comment}}\n{{comment}}\n{{/comment}}\nIf the problem persists, reply to this message: the request will be reopened.\n{{#trackingUrl}}\nTracking: {{trackingUrl}}\n{{/trackingUrl}}\n{{townName}}',
    },
  },
};
