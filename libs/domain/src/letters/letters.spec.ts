import { decideLetterSent, hasPostalAddress, rankTemplates, recipientLines, replyDelivery, templateFit } from './letters';

const base = { email: null, address: null, city: null, preferredChannel: null };
const ADDR = { address: '3 rue des Lilas', city: 'Saint-Aubin' };

describe('replyDelivery', () => {
  it('answers a letter or a counter visit by letter when the citizen has a postal address, even with an e-mail', () => {
    expect(replyDelivery({ ...base, ...ADDR, channel: 'mail', email: 'a@b.fr' })).toBe('letter');
    expect(replyDelivery({ ...base, ...ADDR, channel: 'counter' })).toBe('letter');
  });
  it('falls back to e-mail, then to none, for a postal request without an address', () => {
    expect(replyDelivery({ ...base, channel: 'counter', email: 'a@b.fr' })).toBe('email');
    expect(replyDelivery({ ...base, channel: 'mail', address: '3 rue des Lilas' })).toBe('none'); // no town: undeliverable
    expect(replyDelivery({ ...base, channel: 'mail' })).toBe('none');
  });
  it('answers other channels by e-mail, by letter when the citizen has no e-mail', () => {
    expect(replyDelivery({ ...base, ...ADDR, channel: 'phone', email: 'a@b.fr' })).toBe('email');
    expect(replyDelivery({ ...base, ...ADDR, channel: 'phone' })).toBe('letter');
    expect(replyDelivery({ ...base, ...ADDR, channel: 'web', email: '  ' })).toBe('letter');
    expect(replyDelivery({ ...base, channel: 'open311' })).toBe('none');
  });
  it('follows the preferred channel when its contact exists', () => {
    expect(replyDelivery({ ...base, ...ADDR, channel: 'counter', email: 'a@b.fr', preferredChannel: 'email' })).toBe('email');
    expect(replyDelivery({ ...base, ...ADDR, channel: 'email', email: 'a@b.fr', preferredChannel: 'mail' })).toBe('letter');
    expect(replyDelivery({ ...base, channel: 'email', email: 'a@b.fr', preferredChannel: 'mail' })).toBe('email');
  });
  it('needs a street and a town for a postal address', () => {
    expect(hasPostalAddress({ address: ' ', city: 'X' })).toBe(false);
    expect(hasPostalAddress(ADDR)).toBe(true);
  });
});

describe('recipientLines', () => {
  it('prints name, attention line, street lines and postcode + town in capitals', () => {
    expect(
      recipientLines({
        name: ' Atelier Dupont ',
        contactPerson: 'M. Dupont',
        address: '3 rue des Lilas\nBât. B',
        postcode: '37550',
        city: 'Saint-Aubin',
      }),
    ).toEqual(['Atelier Dupont', 'À l’attention de M. Dupont', '3 rue des Lilas', 'Bât. B', '37550 SAINT-AUBIN']);
    expect(recipientLines({ name: 'Mme Durand', address: null, postcode: null, city: null })).toEqual(['Mme Durand']);
  });
});

describe('decideLetterSent', () => {
  it('marks a letter to send, refuses one already sent', () => {
    expect(decideLetterSent('to_send')).toEqual({ ok: true });
    expect(decideLetterSent('sent')).toMatchObject({ ok: false, code: 'letter.already_sent', field: 'state' });
  });
});

describe('template scoping', () => {
  const ticket = { departmentId: 'voirie', categoryId: 'nid' };
  it('says how a template fits a ticket', () => {
    expect(templateFit({ departmentId: 'voirie', categoryId: 'nid' }, ticket)).toBe('exact');
    expect(templateFit({ departmentId: null, categoryId: 'nid' }, ticket)).toBe('category');
    expect(templateFit({ departmentId: 'voirie', categoryId: null }, ticket)).toBe('department');
    expect(templateFit({ departmentId: null, categoryId: null }, ticket)).toBe('general');
    expect(templateFit({ departmentId: 'ec', categoryId: null }, ticket)).toBe('other');
    expect(templateFit({ departmentId: 'voirie', categoryId: 'lampe' }, ticket)).toBe('other');
  });
  it('proposes the fitting templates first, keeping the given order within a rank', () => {
    const list = [
      { name: 'A autre', departmentId: 'ec', categoryId: null },
      { name: 'B général', departmentId: null, categoryId: null },
      { name: 'C service', departmentId: 'voirie', categoryId: null },
      { name: 'D catégorie', departmentId: null, categoryId: 'nid' },
      { name: 'E général', departmentId: null, categoryId: null },
      { name: 'F exact', departmentId: 'voirie', categoryId: 'nid' },
    ];
    expect(rankTemplates(list, ticket).map((t) => `${t.name}:${t.fit}`)).toEqual([
      'F exact:exact',
      'D catégorie:category',
      'C service:department',
      'B général:general',
      'E général:general',
      'A autre:other',
    ]);
  });
});

describe('signatoryTitle', () => {
  it('names the head as the head of the department, an agent as the department', async () => {
    const { signatoryTitle } = await import('./letters');
    expect(signatoryTitle('head', 'Service voirie')).toBe('Responsable — Service voirie');
    expect(signatoryTitle('agent', 'Service voirie')).toBe('Service voirie');
  });
});
