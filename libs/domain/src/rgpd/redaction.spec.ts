import { CHANGED, coarseCoordinate, redactJson, redactText } from './redaction';
import { anonymisedRow } from './anonymise-row';
import { addMonths, checkRetentionRules, closedBeforeForDue, isRetentionDue, retentionDueAt, retentionRuleFor } from './retention';

describe('redactText', () => {
  const names = ['Zéphyrine', 'Quenouille-Bartók', 'Le Goff'];

  it('replaces e-mail addresses, with their dotted names inside', () => {
    expect(redactText('Écrire à zephyrine.quenouille@exemple.fr ou Z.Q+grc@mairie-saint-aubin.gouv.fr.')).toBe(
      'Écrire à [email] ou [email].',
    );
  });

  it('replaces French and international phone numbers, whatever their spacing', () => {
    expect(redactText('Appelez le 06 12 34 56 78, le 06.12.34.56.78 ou le +33 6 12 34 56 78')).toBe(
      'Appelez le [téléphone], le [téléphone] ou le [téléphone]',
    );
    expect(redactText('UK: +44 20 7946 0958')).toBe('UK: [téléphone]');
  });

  it('keeps numbers that are not phones: references, dates, amounts, street numbers', () => {
    const t = 'Demande GRC-2026-000123 du 12/03/2026, 3 lampadaires, 12 rue de la Paix, 1 250 €';
    expect(redactText(t, names)).toBe(t);
  });

  it('replaces known names as whole words, ignoring case and accents', () => {
    expect(redactText('Mme ZEPHYRINE quenouille-bartok et zéphyrine', names)).toBe('Mme [nom] [nom] et [nom]');
    expect(redactText('Signé : Quenouille', names)).toBe('Signé : [nom]');
    // not inside a longer word
    expect(redactText('Zéphyrines et Quenouilles', names)).toBe('Zéphyrines et Quenouilles');
  });

  it('redacts particles only inside the whole name', () => {
    expect(redactText('M. Le Goff dit que le trottoir est cassé; Goff rappellera', names)).toBe(
      'M. [nom] dit que le trottoir est cassé; [nom] rappellera',
    );
  });

  it('finds a shorter name where a longer one starting at the same word does not match', () => {
    expect(redactText('Marie Clairette a appelé; Marie Claire aussi', ['Marie Claire'])).toBe('[nom] Clairette a appelé; [nom] aussi');
  });

  it('matches a whole name across any white space, its other separators as written, and next to punctuation', () => {
    const jp = ['Jean-Paul Marchetti'];
    expect(redactText('Signé Jean-Paul\u00a0 Marchetti.', jp)).toBe('Signé [nom].');
    // not the whole name (another separator): its words one by one
    expect(redactText('Jean Paul Marchetti', jp)).toBe('[nom] [nom] [nom]');
    expect(redactText('«\u202fQuenouille\u202f», l’Quenouille', names)).toBe('«\u202f[nom]\u202f», l’[nom]');
  });

  it('keeps the text around a name exactly, whatever characters fold to', () => {
    // ß and the Turkish dotted İ change length when folded: the ranges still map back to the original
    expect(redactText('Straße İstanbul: Zéphyrine!', names)).toBe('Straße İstanbul: [nom]!');
  });

  it('leaves a text without a person untouched, and empty text empty', () => {
    expect(redactText('Nid de poule devant l’école', names)).toBe('Nid de poule devant l’école');
    expect(redactText('', names)).toBe('');
  });
});

describe('redactJson', () => {
  it('keeps keys and shape, "changed" under personal keys, text redacted, numbers kept', () => {
    const names = ['Quenouille'];
    expect(
      redactJson(
        {
          email: { before: null, after: 'z@q.fr' },
          lastName: { before: 'Quenouille', after: null },
          subject: { before: null, after: 'Appel de Quenouille au 0612345678' },
          status: { from: 'open', to: 'closed' },
          count: 3,
          list: ['z@q.fr', 2, true],
        },
        names,
      ),
    ).toEqual({
      email: { before: null, after: CHANGED },
      lastName: { before: CHANGED, after: null },
      subject: { before: null, after: 'Appel de [nom] au [téléphone]' },
      status: { from: 'open', to: 'closed' },
      count: 3,
      list: ['[email]', 2, true],
    });
  });
});

describe('coarseCoordinate', () => {
  it('snaps to the 0.002° grid (about 200 m)', () => {
    expect(coarseCoordinate(48.85837)).toBe(48.858);
    expect(coarseCoordinate(2.29451)).toBe(2.294);
    expect(coarseCoordinate(-1.5533)).toBe(-1.554);
    expect(coarseCoordinate(null)).toBeNull();
    // idempotent: a second run changes nothing
    expect(coarseCoordinate(coarseCoordinate(48.85837))).toBe(48.858);
  });
});

describe('retention rules', () => {
  const rules = [
    { categoryId: null, months: 36, action: 'anonymise' as const },
    { categoryId: 'voirie', months: 24, action: 'anonymise' as const },
  ];

  it('a category takes its own rule, else the default', () => {
    expect(retentionRuleFor(rules, 'voirie')?.months).toBe(24);
    expect(retentionRuleFor(rules, 'autre')?.months).toBe(36);
    expect(retentionRuleFor([rules[1]!], 'autre')).toBeNull();
  });

  it('counts calendar months, clamped to the month end', () => {
    expect(addMonths(new Date('2024-01-31T10:00:00Z'), 1).toISOString()).toBe('2024-02-29T10:00:00.000Z');
    expect(retentionDueAt(new Date('2024-03-15T00:00:00Z'), { months: 24 }).toISOString()).toBe('2026-03-15T00:00:00.000Z');
    expect(closedBeforeForDue(new Date('2026-03-15T00:00:00Z'), { months: 24 }).toISOString()).toBe('2024-03-15T00:00:00.000Z');
  });

  it('is due once the period after closing has passed, never for an open request', () => {
    const now = new Date('2026-03-15T00:00:00Z');
    expect(isRetentionDue(new Date('2024-03-15T00:00:00Z'), { months: 24 }, now)).toBe(true);
    expect(isRetentionDue(new Date('2024-03-16T00:00:00Z'), { months: 24 }, now)).toBe(false);
    expect(isRetentionDue(null, { months: 0 }, now)).toBe(false);
    expect(isRetentionDue(new Date('2000-01-01T00:00:00Z'), null, now)).toBe(false);
  });

  it('refuses out-of-range months, unknown actions, two rules for one category or two defaults', () => {
    expect(checkRetentionRules(rules)).toEqual([]);
    expect(
      checkRetentionRules([
        { categoryId: null, months: -1, action: 'anonymise' },
        { categoryId: null, months: 12, action: 'burn' as never },
      ]),
    ).toEqual([
      { index: 0, field: 'months', code: 'retention_months_range' },
      { index: 1, field: 'action', code: 'retention_action_unknown' },
      { index: 1, field: 'categoryId', code: 'retention_default_twice' },
    ]);
  });
});

describe('anonymisedRow (registry-driven)', () => {
  it('applies each registered column its treatment and keeps the others', () => {
    expect(
      anonymisedRow(
        'tickets',
        { id: 'x', citizen_id: 'c', subject: 'Appel de Quenouille', latitude: 48.85837, attributes: { phone: '0612345678', n: 2 } },
        ['Quenouille'],
      ),
    ).toEqual({ id: 'x', citizen_id: null, subject: 'Appel de [nom]', latitude: 48.858, attributes: { phone: CHANGED, n: 2 } });
    expect(anonymisedRow('attachments', { filename: 'cni-quenouille.pdf', storage_key: 'attachments/ab/1' }, [])).toEqual({
      filename: 'fichier-supprime',
      storage_key: 'deleted',
    });
    expect(() => anonymisedRow('agents', {}, [])).toThrow('not in the personal data registry');
  });
});
