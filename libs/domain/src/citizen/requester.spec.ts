import fc from 'fast-check';
import {
  CitizenDraft,
  citizenDisplayName,
  normalizeEmail,
  normalizeForSearch,
  normalizePhone,
  requesterCitizen,
  splitDisplayName,
  validateCitizen,
} from './requester';

const resident: CitizenDraft = { kind: 'resident', firstName: 'Marie', lastName: 'Dupont', phone: '06 12 34 56 78' };
const codesOf = (d: CitizenDraft): Array<[string, string]> => {
  const r = validateCitizen(d);
  return r.ok ? [] : r.errors.map((e) => [e.field, e.code]);
};

describe('normalizePhone', () => {
  it.each([
    ['06 12 34 56 78', '+33612345678'],
    ['0612345678', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['06-12-34-56-78', '+33612345678'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['+33 (0)6 12 34 56 78', '+33612345678'],
    ['0033 6 12 34 56 78', '+33612345678'],
    ['0033612345678', '+33612345678'],
    ['01 23 45 67 89', '+33123456789'],
    ['09 70 12 34 56', '+33970123456'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+262 262 12 34 56', '+262262123456'],
  ])('%s → %s', (text, e164) => expect(normalizePhone(text)).toBe(e164));

  it.each([[''], ['   '], ['0612'], ['06 12 34 56 78 90'], ['abc'], [null], ['+33 6'], ['1'.repeat(50)]])('%j → null', (text) => {
    expect(normalizePhone(text)).toBeNull();
  });

  it('property: any French mobile, however spaced, becomes +33 and is stable', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('6', '7'),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 }),
        fc.constantFrom('', ' ', '.', '-'),
        fc.constantFrom('0', '+33', '0033', '+33 '),
        (first, rest, sep, lead) => {
          const digits = first + rest.join('');
          const typed = lead + [digits.slice(0, 1), digits.slice(1, 3), digits.slice(3, 5), digits.slice(5, 7), digits.slice(7)].join(sep);
          const n = normalizePhone(typed);
          expect(n).toBe(`+33${digits}`);
          expect(normalizePhone(n)).toBe(n);
        },
      ),
    );
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['marie.dupont@example.fr', 'marie.dupont@example.fr'],
    ['  Marie.Dupont@Mairie-Exemple.FR ', 'Marie.Dupont@mairie-exemple.fr'],
    ['a+tag@sub.example.org', 'a+tag@sub.example.org'],
    ['élodie@exemple.fr', 'élodie@exemple.fr'],
    ['marie@exemple', null],
    ['marie@@exemple.fr', null],
    ['marie dupont@exemple.fr', null],
    ['@exemple.fr', null],
    ['marie@', null],
    ['marie..dupont@exemple.fr', null],
    ['.marie@exemple.fr', null],
    ['marie.@exemple.fr', null],
    ['marie@-exemple.fr', null],
    ['marie@exemple..fr', null],
    [`${'a'.repeat(250)}@ex.fr`, null],
  ])('%j → %j', (text, expected) => expect(normalizeEmail(text)).toBe(expected));
});

describe('validateCitizen', () => {
  it('accepts and normalizes a resident', () => {
    expect(
      validateCitizen({
        ...resident,
        firstName: '  Marie ',
        email: ' Marie@Exemple.FR ',
        address: '  12  rue de la Paix \n\n 2e étage ',
        preferredChannel: 'phone',
      }),
    ).toEqual({
      ok: true,
      value: {
        kind: 'resident',
        firstName: 'Marie',
        lastName: 'Dupont',
        organisationName: null,
        contactPerson: null,
        email: 'Marie@exemple.fr',
        phone: '+33612345678',
        address: '12 rue de la Paix\n2e étage',
        postcode: null,
        city: null,
        preferredChannel: 'phone',
      },
    });
  });

  it('accepts an organisation, dropping resident-only fields', () => {
    const r = validateCitizen({
      kind: 'organisation',
      organisationName: 'Association Les Amis du Parc',
      contactPerson: 'Jean Martin',
      firstName: 'x',
      email: 'contact@amis-du-parc.fr',
    });
    expect(r).toMatchObject({
      ok: true,
      value: { organisationName: 'Association Les Amis du Parc', contactPerson: 'Jean Martin', firstName: null, lastName: null },
    });
  });

  it.each<[string, CitizenDraft, Array<[string, string]>]>([
    ['resident with last name only', { kind: 'resident', lastName: 'Dupont', email: 'd@ex.fr' }, []],
    [
      'resident without last name',
      { kind: 'resident', firstName: 'Marie', email: 'd@ex.fr' },
      [['lastName', 'citizen.last_name_required']],
    ],
    [
      'resident with a blank last name',
      { kind: 'resident', lastName: '   ', email: 'd@ex.fr' },
      [['lastName', 'citizen.last_name_required']],
    ],
    [
      'organisation without name',
      { kind: 'organisation', contactPerson: 'Jean', phone: '0612345678' },
      [['organisationName', 'citizen.organisation_name_required']],
    ],
    ['unknown kind', { kind: 'robot' as never, lastName: 'X', phone: '0612345678' }, [['kind', 'citizen.kind_invalid']]],
    ['no contact', { kind: 'resident', lastName: 'Dupont' }, [['contact', 'citizen.contact_required']]],
    [
      'blank contacts',
      { kind: 'resident', lastName: 'Dupont', email: ' ', phone: '', address: '\n' },
      [['contact', 'citizen.contact_required']],
    ],
    ['address only', { kind: 'resident', lastName: 'Dupont', address: '1 place de la Mairie' }, []],
    ['bad email', { kind: 'resident', lastName: 'Dupont', email: 'dupont@' }, [['email', 'citizen.email_invalid']]],
    ['bad phone', { kind: 'resident', lastName: 'Dupont', phone: '0612' }, [['phone', 'citizen.phone_invalid']]],
    [
      'preferred email without email',
      { ...resident, preferredChannel: 'email' },
      [['preferredChannel', 'citizen.channel_without_contact']],
    ],
    [
      'preferred mail without address',
      { ...resident, preferredChannel: 'mail' },
      [['preferredChannel', 'citizen.channel_without_contact']],
    ],
    ['preferred channel unknown', { ...resident, preferredChannel: 'pigeon' }, [['preferredChannel', 'citizen.channel_invalid']]],
    ['name too long', { ...resident, lastName: 'x'.repeat(201) }, [['lastName', 'citizen.too_long']]],
    [
      'everything wrong',
      { kind: 'resident', email: 'x', phone: 'y' },
      [
        ['lastName', 'citizen.last_name_required'],
        ['email', 'citizen.email_invalid'],
        ['phone', 'citizen.phone_invalid'],
      ],
    ],
  ])('%s', (_label, draft, expected) => {
    expect(codesOf(draft)).toEqual(expected);
  });

  it('speaks French', () => {
    const r = validateCitizen({ kind: 'resident', lastName: 'Dupont' });
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          field: 'contact',
          code: 'citizen.contact_required',
          message: 'Indiquez au moins un moyen de contact : e-mail, téléphone ou adresse postale.',
        },
      ],
    });
  });

  it('property: never throws, and accepted citizens re-validate to themselves', () => {
    const text = fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('Dupont', '06 12 34 56 78', 'a@b.fr', '1 rue X')), {
      nil: undefined,
    });
    fc.assert(
      fc.property(
        fc.constantFrom('resident', 'organisation'),
        text,
        text,
        text,
        text,
        text,
        (kind, lastName, organisationName, email, phone, address) => {
          const r = validateCitizen({ kind, lastName, organisationName, email, phone, address });
          if (r.ok) {
            expect(validateCitizen(r.value)).toEqual(r);
            expect(r.value.email ?? r.value.phone ?? r.value.address).not.toBeNull();
          } else {
            expect(r.errors.length).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});

describe('citizenDisplayName', () => {
  it.each([
    [{ kind: 'resident' as const, firstName: 'Marie', lastName: 'Dupont' }, 'Marie Dupont'],
    [{ kind: 'resident' as const, firstName: null, lastName: 'Dupont' }, 'Dupont'],
    [{ kind: 'resident' as const, firstName: ' Marie ', lastName: null }, 'Marie'],
    [
      { kind: 'organisation' as const, organisationName: 'Les Amis du Parc', contactPerson: 'Jean Martin' },
      'Les Amis du Parc (Jean Martin)',
    ],
    [{ kind: 'organisation' as const, organisationName: 'Les Amis du Parc', contactPerson: null }, 'Les Amis du Parc'],
    [{ kind: 'resident' as const }, 'Usager sans nom'],
  ])('%j → %s', (c, expected) => expect(citizenDisplayName(c)).toBe(expected));
});

describe('normalizeForSearch', () => {
  it.each([
    ['Éloïse', 'eloise'],
    ["  Éloïse D'Aubigné-Lœuvre ", 'eloise d aubigne loeuvre'],
    ['FRANÇOIS', 'francois'],
    ['Jean–Pierre', 'jean pierre'],
    ['Jean-Pierre', 'jean pierre'],
    ['Æsa Strauß', 'aesa strauss'],
    ['Ñúñez', 'nunez'],
    ['', ''],
  ])('%j → %j', (text, expected) => expect(normalizeForSearch(text)).toBe(expected));

  it('property: idempotent, lowercase, no combining marks', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
        const n = normalizeForSearch(s);
        expect(normalizeForSearch(n)).toBe(n);
        expect(n).toBe(n.toLowerCase());
        expect(/\p{M}/u.test(n.normalize('NFD'))).toBe(false);
      }),
    );
  });

  it('property: accents and case never change the result of a French name', () => {
    const accents: Record<string, string> = { e: 'é', a: 'à', c: 'ç', i: 'ï', o: 'ô', u: 'ù' };
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,12}$/), fc.boolean(), (s, upper) => {
        let accented = s.replace(/[eaciou]/g, (ch) => accents[ch] ?? ch);
        if (upper) accented = accented.toUpperCase();
        expect(normalizeForSearch(accented)).toBe(s);
      }),
    );
  });
});

describe('splitDisplayName', () => {
  it('reads the last word as the last name', () => {
    expect(splitDisplayName('Jean-Pierre de la Fontaine')).toEqual({ firstName: 'Jean-Pierre de la', lastName: 'Fontaine' });
    expect(splitDisplayName('Dupont')).toEqual({ firstName: null, lastName: 'Dupont' });
  });
  it('drops what an e-mail From may carry: quotes, brackets, @, control characters, line breaks', () => {
    expect(splitDisplayName('"Marie\u0000 <Dupont>"\r\n @x')).toEqual({ firstName: 'Marie Dupont', lastName: 'x' });
    expect(splitDisplayName('  ')).toEqual({ firstName: null, lastName: null });
    expect(splitDisplayName(null)).toEqual({ firstName: null, lastName: null });
  });
  it('keeps each part within 100 characters', () => {
    const r = splitDisplayName(`${'a'.repeat(150)} ${'b'.repeat(150)}`);
    expect(r.firstName).toHaveLength(100);
    expect(r.lastName!.length).toBeLessThanOrEqual(100);
  });
});

describe('requesterCitizen', () => {
  it('is null without an e-mail and without a phone: nobody to reach', () => {
    expect(requesterCitizen({ kind: 'resident', firstName: 'Marie', lastName: 'Dupont' })).toBeNull();
    expect(requesterCitizen({ kind: 'resident', lastName: 'Dupont', email: ' ', phone: '' })).toBeNull();
  });
  it('normalises the contact and prefers the e-mail as channel, else the phone', () => {
    expect(
      requesterCitizen({ kind: 'resident', firstName: 'Marie', lastName: 'Dupont', email: 'Marie@Exemple.FR', phone: '06 12 34 56 78' }),
    ).toEqual({
      ok: true,
      value: expect.objectContaining({
        kind: 'resident',
        firstName: 'Marie',
        lastName: 'Dupont',
        email: 'Marie@exemple.fr',
        phone: '+33612345678',
        preferredChannel: 'email',
      }),
    });
    const byPhone = requesterCitizen({ kind: 'resident', lastName: 'Dupont', phone: '0612345678' });
    expect(byPhone).toEqual({
      ok: true,
      value: expect.objectContaining({ email: null, phone: '+33612345678', preferredChannel: 'phone' }),
    });
  });
  it('splits a display name when no split names are given', () => {
    const r = requesterCitizen({ kind: 'resident', displayName: 'Marie Claire Dupont', email: 'm@exemple.fr' });
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ firstName: 'Marie Claire', lastName: 'Dupont' }) });
  });
  it('makes a lone first name the last name; with no name at all, the fallback, else the e-mail local part', () => {
    expect(requesterCitizen({ kind: 'resident', firstName: 'Marie', phone: '0612345678' })).toEqual({
      ok: true,
      value: expect.objectContaining({ firstName: null, lastName: 'Marie' }),
    });
    expect(requesterCitizen({ kind: 'resident', phone: '0612345678', fallbackName: 'Usager Open311' })).toEqual({
      ok: true,
      value: expect.objectContaining({ firstName: null, lastName: 'Usager Open311' }),
    });
    expect(requesterCitizen({ kind: 'resident', displayName: '""', email: 'jean.martin@exemple.fr' })).toEqual({
      ok: true,
      value: expect.objectContaining({ firstName: null, lastName: 'jean.martin' }),
    });
  });
  it('refuses an invalid contact with the field at fault, never a half-valid citizen', () => {
    const r = requesterCitizen({ kind: 'resident', lastName: 'Dupont', email: 'pas-une-adresse' });
    expect(r).toEqual({ ok: false, errors: [expect.objectContaining({ field: 'email', code: 'citizen.email_invalid' })] });
  });
  it('names an organisation by its display name, the split names being its contact person', () => {
    const r = requesterCitizen({
      kind: 'organisation',
      displayName: 'Les Amis du Parc',
      firstName: 'Jean',
      lastName: 'Martin',
      email: 'a@parc.fr',
    });
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({
        organisationName: 'Les Amis du Parc',
        contactPerson: 'Jean Martin',
        firstName: null,
        lastName: null,
      }),
    });
  });
});
