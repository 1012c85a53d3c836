import {
  checkTemplate,
  detectAutomatic,
  fillLink,
  linkPlaceholder,
  escapeHtml,
  hasHeaderInjection,
  headersOf,
  isSafeAddress,
  messageIds,
  oneLine,
  decideThread,
  outgoingMessageId,
  parseMailbox,
  parseOutgoingMessageId,
  parseReplyTag,
  plusAddress,
  referenceInRecipients,
  referencesInSubject,
  replyTag,
  replyTagsInRecipients,
  renderMail,
  renderTemplate,
  stripQuotedReply,
  threadClues,
  MAIL_EVENT_VARIABLES,
  DEFAULT_MAIL_TEMPLATES,
} from './index';

const OURS = { address: 'mairie@saint-aubin.fr' };
const UUID = '0b6f3c52-6a43-4e27-9a55-0c5a7e0f1d2a';

describe('threading', () => {
  it('round-trips our Message-ID and ignores other domains', () => {
    const id = outgoingMessageId('GRC-2026-000123', UUID, 'Saint-Aubin.fr');
    expect(id).toBe(`<GRC-2026-000123.${UUID}@saint-aubin.fr>`);
    expect(parseOutgoingMessageId(id, 'saint-aubin.fr')).toEqual({ reference: 'GRC-2026-000123', outboxId: UUID });
    expect(parseOutgoingMessageId(id, 'evil.example')).toBeNull();
    expect(parseOutgoingMessageId('<abc@saint-aubin.fr>', 'saint-aubin.fr')).toBeNull();
  });

  it('finds references in subjects, tolerant of case, not inside longer numbers', () => {
    expect(referencesInSubject('RE: Re: [GRC-2026-000123] Nid de poule')).toEqual(['GRC-2026-000123']);
    expect(referencesInSubject('tr: grc-2026-000042 et MAIRIE-2025-1234567')).toEqual(['GRC-2026-000042', 'MAIRIE-2025-1234567']);
    expect(referencesInSubject('GRC-2026-12')).toEqual([]);
    expect(referencesInSubject('Bonjour')).toEqual([]);
    expect(referencesInSubject(null)).toEqual([]);
  });

  it('reads the per-ticket reply address', () => {
    expect(plusAddress('mairie@saint-aubin.fr', 'GRC-2026-000123')).toBe('mairie+GRC-2026-000123@saint-aubin.fr');
    expect(referenceInRecipients(['x@y.fr', 'Mairie+grc-2026-000123@SAINT-AUBIN.fr'], OURS.address)).toBe('GRC-2026-000123');
    expect(referenceInRecipients(['mairie+GRC-2026-000123@other.fr'], OURS.address)).toBeNull();
    expect(referenceInRecipients(['mairie@saint-aubin.fr'], OURS.address)).toBeNull();
  });

  it('reads the signed reply address (token lowercased, unsigned older addresses with a null token)', () => {
    const tag = replyTag('GRC-2026-000123', 'ABCDEF0123456789ABCD');
    expect(tag).toBe('GRC-2026-000123.abcdef0123456789abcd');
    expect(parseReplyTag(tag)).toEqual({ reference: 'GRC-2026-000123', token: 'abcdef0123456789abcd' });
    expect(parseReplyTag('grc-2026-000123')).toEqual({ reference: 'GRC-2026-000123', token: null });
    expect(parseReplyTag('bonjour')).toBeNull();
    expect(
      replyTagsInRecipients([`Mairie+${tag.toUpperCase()}@saint-aubin.fr`, 'mairie+GRC-2026-000124@saint-aubin.fr'], OURS.address),
    ).toEqual([
      { reference: 'GRC-2026-000123', token: 'abcdef0123456789abcd' },
      { reference: 'GRC-2026-000124', token: null },
    ]);
  });

  it('collects clues from In-Reply-To / References (most recent first)', () => {
    const ours = outgoingMessageId('GRC-2026-000007', UUID, 'saint-aubin.fr');
    const c = threadClues(
      {
        subject: 'Re: [GRC-2026-000009] x',
        inReplyTo: '<a@gmail.com>',
        references: `${ours} <a@gmail.com>`,
        recipients: ['mairie+GRC-2026-000008@saint-aubin.fr'],
      },
      OURS.address,
    );
    expect(c).toEqual({
      messageIds: ['<a@gmail.com>', ours],
      ourShapedIds: [{ id: ours, reference: 'GRC-2026-000007' }],
      replyTags: [{ reference: 'GRC-2026-000008', token: null }],
      subjectReferences: ['GRC-2026-000009'],
    });
    expect(messageIds('<a@b> <c@d>\r\n <a@b>')).toEqual(['<a@b>', '<c@d>']);
  });

  describe('decideThread: only what we sent threads', () => {
    const TOKEN = '0123456789abcdef0123';
    const facts = (sent: Record<string, string> = {}) => ({
      sentFor: new Map(Object.entries(sent)),
      validToken: (ref: string, token: string) => ref === 'GRC-2026-000123' && token === TOKEN,
    });
    const ours = outgoingMessageId('GRC-2026-000123', UUID, 'saint-aubin.fr');
    const clues = (o: { inReplyTo?: string; to?: string; subject?: string }) =>
      threadClues({ inReplyTo: o.inReplyTo ?? null, subject: o.subject ?? 'Bonjour', recipients: [o.to ?? OURS.address] }, OURS.address);

    it('threads by a Message-ID found in our outbox, whatever its shape', () => {
      expect(decideThread(clues({ inReplyTo: ours }), facts({ [ours]: 'ticket-1' }))).toEqual({
        thread: 'message-id',
        ticketId: 'ticket-1',
      });
      expect(decideThread(clues({ inReplyTo: '<old@x.fr>' }), facts({ '<old@x.fr>': 'ticket-2' }))).toEqual({
        thread: 'message-id',
        ticketId: 'ticket-2',
      });
    });
    it('refuses our Message-ID shape when the outbox does not know it (forged, any uuid)', () => {
      const d = decideThread(clues({ inReplyTo: ours }), facts());
      expect(d).toMatchObject({ thread: null });
      expect(d.thread === null && d.reason).toContain('GRC-2026-000123');
      expect(d.thread === null && d.reason).toContain('absent de nos envois');
    });
    it('threads by a validly signed reply address; refuses a missing or wrong signature', () => {
      expect(decideThread(clues({ to: `mairie+GRC-2026-000123.${TOKEN}@saint-aubin.fr` }), facts())).toEqual({
        thread: 'reply-address',
        reference: 'GRC-2026-000123',
      });
      expect(decideThread(clues({ to: `mairie+GRC-2026-000124.${TOKEN}@saint-aubin.fr` }), facts())).toMatchObject({
        thread: null,
        reason: expect.stringContaining('signature invalide'),
      });
      expect(decideThread(clues({ to: 'mairie+GRC-2026-000123.0123@saint-aubin.fr' }), facts())).toMatchObject({
        thread: null,
        reason: expect.stringContaining('signature invalide'),
      });
      expect(decideThread(clues({ to: 'mairie+GRC-2026-000123@saint-aubin.fr' }), facts())).toMatchObject({
        thread: null,
        reason: expect.stringContaining('sans signature'),
      });
    });
    it('never threads by a subject reference; a message that claims nothing has no reason', () => {
      expect(decideThread(clues({ subject: 'Re: [GRC-2026-000123] x' }), facts())).toMatchObject({
        thread: null,
        reason: expect.stringContaining('objet'),
      });
      expect(decideThread(clues({}), facts())).toEqual({ thread: null, reason: null });
    });
  });

  it('strips the quoted previous message of a reply', () => {
    expect(stripQuotedReply('Merci, c’est réparé ?\n\nLe lun. 3 mars 2026 à 10:00, Mairie <m@x.fr> a écrit :\n> Bonjour')).toBe(
      'Merci, c’est réparé ?',
    );
    expect(stripQuotedReply('Yes\nOn Mon, Mar 3, 2026 at 10:00 AM Town <m@x.fr> wrote:\n> hi')).toBe('Yes');
    expect(stripQuotedReply('> only a quote')).toBe('> only a quote');
  });
});

describe('automatic messages', () => {
  const verdict = (h: Record<string, string>, from = 'marie@example.fr') => detectAutomatic(headersOf(h), from, OURS)?.kind ?? null;
  it('lets a person’s message through', () => {
    expect(verdict({ 'Message-ID': '<x@example.fr>', 'Auto-Submitted': 'no' })).toBeNull();
  });
  it.each([
    [{ 'Auto-Submitted': 'auto-replied' }, 'marie@example.fr', 'auto-reply'],
    [{ 'auto-submitted': 'auto-generated' }, 'marie@example.fr', 'auto-reply'],
    [{ 'X-Autoreply': 'yes' }, 'marie@example.fr', 'auto-reply'],
    [{ Precedence: 'bulk' }, 'marie@example.fr', 'bulk'],
    [{ Precedence: 'auto_reply' }, 'marie@example.fr', 'auto-reply'],
    [{}, 'MAILER-DAEMON@mx.example.fr', 'bounce'],
    [{}, 'postmaster@example.fr', 'bounce'],
    [{ 'Return-Path': '<>' }, 'someone@example.fr', 'bounce'],
    [{ 'Content-Type': 'multipart/report; report-type=delivery-status; boundary="x"' }, 'x@example.fr', 'bounce'],
    [{}, 'mairie@saint-aubin.fr', 'loop'],
    [{}, 'Mairie+GRC-2026-000001@Saint-Aubin.fr', 'loop'],
    [{ 'X-GRC-Outbox': UUID }, 'marie@example.fr', 'loop'],
    [{ 'X-Loop': 'mairie@saint-aubin.fr' }, 'marie@example.fr', 'loop'],
    [{ 'Message-ID': `<GRC-2026-000001.${UUID}@saint-aubin.fr>` }, 'marie@example.fr', 'loop'],
  ] as Array<[Record<string, string>, string, string]>)('%j from %s → %s', (h, from, kind) => {
    expect(verdict(h, from)).toBe(kind);
  });
});

describe('headers', () => {
  it('refuses CR/LF and control characters, flattens citizen text', () => {
    expect(hasHeaderInjection('Objet\r\nBcc: victim@x.fr')).toBe(true);
    expect(hasHeaderInjection('Objet normal — été')).toBe(false);
    expect(oneLine('a\r\nBcc: b@c.fr\t  d')).toBe('a Bcc: b@c.fr d');
    expect(isSafeAddress('marie@example.fr')).toBe(true);
    expect(isSafeAddress('marie@example.fr\r\nBcc: x@y.fr')).toBe(false);
    expect(isSafeAddress('a@b.fr, c@d.fr')).toBe(false);
    expect(parseMailbox('"Mairie de Saint-Aubin" <mairie@saint-aubin.fr>')).toEqual({
      name: 'Mairie de Saint-Aubin',
      address: 'mairie@saint-aubin.fr',
    });
    expect(parseMailbox('Mairie <mairie@saint-aubin.fr>\nBcc: x@y.fr')).toBeNull();
  });
});

describe('templates', () => {
  it('renders variables and optional blocks', () => {
    expect(renderTemplate('A {{x}}{{#y}} [{{y}}]{{/y}} B', { x: '1', y: '' })).toBe('A 1 B');
    expect(renderTemplate('A {{x}}{{#y}} [{{y}}]{{/y}} B', { x: '1', y: '2' })).toBe('A 1 [2] B');
    expect(renderTemplate('{{#a}}{{#b}}ab{{/b}}a{{/a}}.', { a: '1', b: '' })).toBe('a.');
    expect(renderTemplate('{{ unknown }}!', {})).toBe('!');
  });
  it('reports unknown variables and unbalanced blocks', () => {
    expect(checkTemplate('{{reference}} {{password}}', MAIL_EVENT_VARIABLES.acknowledgement)).toEqual([
      { code: 'template.unknown_variable', params: { name: 'password' }, message: 'Variable inconnue : {{password}}.' },
    ]);
    expect(checkTemplate('{{#comment}} x', MAIL_EVENT_VARIABLES.resolved)).toEqual([
      { code: 'template.unclosed', params: { name: 'comment' }, message: 'Bloc {{#comment}} non fermé.' },
    ]);
    for (const [event, byLocale] of Object.entries(DEFAULT_MAIL_TEMPLATES)) {
      for (const t of Object.values(byLocale)) {
        expect(checkTemplate(t.subject + t.body, MAIL_EVENT_VARIABLES[event as keyof typeof MAIL_EVENT_VARIABLES])).toEqual([]);
      }
    }
  });
  it('renders a secret link as a placeholder, put back (as a link in the HTML) only at send time', () => {
    const placeholder = linkPlaceholder(UUID);
    const r = renderMail(
      { subject: '[{{reference}}]', body: 'Suivi : {{trackingUrl}}\n{{message}}' },
      { reference: 'GRC-2026-000001', trackingUrl: placeholder, message: '<b>x</b>' },
    );
    expect(r.text).toBe(`Suivi : ${placeholder}\n<b>x</b>\n`);
    expect(r.html).toContain(placeholder);
    const url = 'https://ville.fr/suivi?ref=GRC-2026-000001&k=SECRET_key-123';
    const sent = fillLink(r, placeholder, url);
    expect(sent.text).toBe(`Suivi : ${url}\n<b>x</b>\n`);
    expect(sent.html).toContain(
      '<a href="https://ville.fr/suivi?ref=GRC-2026-000001&amp;k=SECRET_key-123">https://ville.fr/suivi?ref=GRC-2026-000001&amp;k=SECRET_key-123</a>',
    );
    expect(sent.html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(sent.html).not.toContain(placeholder);
  });

  it('escapes everything in the HTML part and keeps the subject on one line', () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & \'single\'';
    const r = renderMail(
      { subject: '[{{reference}}] {{subject}}', body: 'Bonjour {{citizenName}}\n\n{{message}}\nhttps://ville.fr/suivi?a=1&b=2' },
      { reference: 'GRC-2026-000001', subject: 'Trou\r\nBcc: x@evil.fr', citizenName: hostile, message: 'javascript:alert(1)' },
    );
    expect(r.subject).toBe('[GRC-2026-000001] Trou Bcc: x@evil.fr');
    expect(r.text).toContain(hostile);
    expect(r.html).not.toContain('<script>');
    expect(r.html).not.toContain('<img');
    expect(r.html).toContain(escapeHtml(hostile));
    expect(r.html).toContain('<a href="https://ville.fr/suivi?a=1&amp;b=2">');
    expect(r.html).not.toMatch(/href="javascript/);
  });
});
