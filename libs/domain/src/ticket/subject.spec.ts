import { subjectFromDescription, subjectFromEmail, subjectFromOpen311 } from './subject';

describe('subject derivation', () => {
  it('takes the description’s first non-blank line, trimmed', () => {
    expect(subjectFromDescription('\n  \n  Nid-de-poule rue Nationale  \nDepuis lundi.', 'Voirie')).toBe('Nid-de-poule rue Nationale');
    expect(subjectFromDescription('Lampadaire éteint\r\nau 12', 'Éclairage')).toBe('Lampadaire éteint');
  });

  it('shortens a long line to 120 characters with an ellipsis, counting characters, not UTF-16 units', () => {
    const line = '🚧'.repeat(130);
    const s = subjectFromDescription(line, 'Voirie');
    expect([...s]).toHaveLength(120);
    expect(s.endsWith('…')).toBe(true);
    expect(subjectFromDescription('x'.repeat(120), 'Voirie')).toBe('x'.repeat(120));
  });

  it('falls back to the category’s name when the line says nothing (under 3 characters)', () => {
    expect(subjectFromDescription('ok', 'Propreté')).toBe('Propreté');
    expect(subjectFromDescription('   \n\n', 'Propreté')).toBe('Propreté');
    expect(subjectFromDescription('abc', 'Propreté')).toBe('abc');
    expect([...subjectFromDescription('', 'é'.repeat(400))]).toHaveLength(300);
  });

  it('marks an Open311 service name used as a subject', () => {
    expect(subjectFromOpen311('', 'Dépôt sauvage')).toBe('Dépôt sauvage (Open311)');
    expect(subjectFromOpen311('Sacs devant l’école', 'Dépôt sauvage')).toBe('Sacs devant l’école');
  });

  it('strips reply and forward prefixes from an e-mail subject, on one line', () => {
    const from = { name: 'Jeanne Martin', address: 'jeanne@example.org' };
    expect(subjectFromEmail('RE: Tr: fwd:  Poubelles non ramassées', from)).toBe('Poubelles non ramassées');
    expect(subjectFromEmail('AW:Re : Bruit\r\nla nuit', from)).toBe('Bruit la nuit');
    expect(subjectFromEmail('Réunion\u0000 publique', from)).toBe('Réunion publique');
    expect([...subjectFromEmail('a'.repeat(500), from)]).toHaveLength(300);
  });

  it('names the sender when an e-mail has no subject worth the name', () => {
    expect(subjectFromEmail('Re: ', { name: 'Jeanne Martin', address: 'jeanne@example.org' })).toBe('Courriel de Jeanne Martin');
    expect(subjectFromEmail('', { name: '', address: 'jeanne@example.org' })).toBe('Courriel de jeanne@example.org');
  });
});
