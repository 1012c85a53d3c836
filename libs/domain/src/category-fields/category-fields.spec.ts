import {
  applyFieldEdit,
  checkFieldDefinitions,
  checkFieldValues,
  checkNewFieldValues,
  choiceLabel,
  fieldLabel,
  parseFieldDate,
  sameFieldValue,
  sortFields,
  type CategoryField,
} from './category-fields';

const field = (over: Partial<CategoryField>): CategoryField => ({
  code: 'f',
  datatype: 'string',
  variable: true,
  required: false,
  description: 'Champ',
  descriptionEn: null,
  datatypeDescription: null,
  order: 1,
  values: [],
  min: null,
  max: null,
  ...over,
});

const depth = field({ code: 'profondeur_cm', datatype: 'number', required: true, description: 'Profondeur (cm)', min: 0, max: 200 });
const waste = field({
  code: 'type_dechet',
  datatype: 'singlevaluelist',
  description: 'Type de déchets',
  values: [
    { key: 'gravats', name: 'Gravats', nameEn: 'Rubble' },
    { key: 'menager', name: 'Ordures ménagères' },
  ],
});
const items = field({
  code: 'objets',
  datatype: 'multivaluelist',
  description: 'Objets',
  values: [
    { key: 'matelas', name: 'Matelas' },
    { key: 'frigo', name: 'Réfrigérateur' },
  ],
});
const seen = field({ code: 'constate_le', datatype: 'datetime', description: 'Constaté le' });
const notes = field({ code: 'notes', datatype: 'text', description: 'Précisions' });
const info = field({ code: 'info', variable: false, required: true, description: 'Ne touchez pas au trou.' });
const defs = [depth, waste, items, seen, notes, info];

describe('checkFieldValues (one rule set for the agent form, the public form and Open311)', () => {
  it('accepts good values and returns them typed: numbers, ISO dates, choice keys, unique list keys', () => {
    const r = checkNewFieldValues(defs, {
      profondeur_cm: '12,5',
      type_dechet: 'gravats',
      objets: ['matelas', 'frigo', 'matelas'],
      constate_le: '2026-03-01',
      notes: '  au coin  ',
      inconnu: 'ignored',
    });
    expect(r).toEqual({
      ok: true,
      value: {
        profondeur_cm: 12.5,
        type_dechet: 'gravats',
        objets: ['matelas', 'frigo'],
        constate_le: '2026-03-01T00:00:00.000Z',
        notes: 'au coin',
      },
    });
  });

  it('refuses a missing required value on attributes.<code>, not an informational field', () => {
    const r = checkFieldValues(defs, {});
    expect(r).toEqual({ ok: false, errors: [expect.objectContaining({ field: 'attributes.profondeur_cm', code: 'required' })] });
  });

  it('refuses a number that is not one, or out of the range, with the bound as parameter', () => {
    const codes = (v: unknown) => {
      const r = checkFieldValues([depth], { profondeur_cm: v });
      return r.ok ? 'ok' : r.errors.map((e) => [e.code, e.params ?? null]);
    };
    expect(codes('douze')).toEqual([['isNumber', null]]);
    expect(codes('1e3')).toEqual([['isNumber', null]]);
    expect(codes('-1')).toEqual([['min', { min: 0 }]]);
    expect(codes('201')).toEqual([['max', { max: 200 }]]);
    expect(codes(200)).toBe('ok');
  });

  it('refuses a date that is not a real day or not a date at all', () => {
    for (const v of ['2026-02-30', '01/03/2026', '2026-03-01T25:00:00Z', 'hier']) {
      const r = checkFieldValues([seen], { constate_le: v });
      expect(r).toEqual({ ok: false, errors: [expect.objectContaining({ field: 'attributes.constate_le', code: 'isDateString' })] });
    }
    expect(parseFieldDate('2026-03-01T08:30:00+01:00')).toBe('2026-03-01T07:30:00.000Z');
    expect(parseFieldDate('2026-03-01T08:30')).toBe('2026-03-01T08:30:00.000Z');
  });

  it('refuses a choice outside the list and two values for a single choice', () => {
    const bad = checkFieldValues([waste, items], { type_dechet: 'amiante', objets: ['matelas', 'piano'] });
    expect(bad).toEqual({
      ok: false,
      errors: [
        expect.objectContaining({ field: 'attributes.type_dechet', code: 'isIn', params: { values: 'gravats, menager' } }),
        expect.objectContaining({ field: 'attributes.objets', code: 'isIn' }),
      ],
    });
    const two = checkFieldValues([waste], { type_dechet: ['gravats', 'menager'] });
    expect(two).toEqual({ ok: false, errors: [expect.objectContaining({ code: 'single' })] });
  });

  it('refuses a text too long and a value that is not text', () => {
    const long = checkFieldValues([field({ code: 's' })], { s: 'x'.repeat(1001) });
    expect(long).toEqual({ ok: false, errors: [expect.objectContaining({ code: 'maxLength', params: { max: 1000 } })] });
    const obj = checkFieldValues([field({ code: 's' })], { s: { a: 1 } });
    expect(obj).toEqual({ ok: false, errors: [expect.objectContaining({ field: 'attributes.s', code: 'isString' })] });
  });

  it('edit mode checks only the codes sent; an empty optional value removes it, a required one may not be emptied', () => {
    expect(checkFieldValues(defs, { notes: '' }, { mode: 'edit' })).toEqual({ ok: true, value: { notes: null } });
    expect(checkFieldValues(defs, { profondeur_cm: '' }, { mode: 'edit' })).toEqual({
      ok: false,
      errors: [expect.objectContaining({ field: 'attributes.profondeur_cm', code: 'required' })],
    });
    expect(applyFieldEdit({ notes: 'a', profondeur_cm: 3 }, { notes: null, profondeur_cm: 4 })).toEqual({ profondeur_cm: 4 });
  });

  it('compares values (a list as a set) and words labels in a language', () => {
    expect(sameFieldValue(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(sameFieldValue(['a'], ['a', 'b'])).toBe(false);
    expect(sameFieldValue(undefined, null)).toBe(true);
    expect(fieldLabel(waste, 'en')).toBe('Type de déchets');
    expect(fieldLabel({ description: 'Taille', descriptionEn: 'Size' }, 'en')).toBe('Size');
    expect(choiceLabel(waste, 'gravats', 'en')).toBe('Rubble');
    expect(choiceLabel(waste, 'menager', 'en')).toBe('Ordures ménagères');
    expect(choiceLabel(waste, 'inconnu', 'fr')).toBe('inconnu');
  });
});

describe('checkFieldDefinitions (the administrator’s and the pack’s)', () => {
  it('normalises a good list: defaults, trimmed texts, order by rank, range only for numbers, choices only for lists', () => {
    const r = checkFieldDefinitions([
      { code: 'taille', datatype: 'singlevaluelist', description: ' Taille ', values: [{ key: 'petit', name: 'Petit', nameEn: ' ' }] },
      { code: 'n', datatype: 'number', description: 'N', min: 1, max: 3 },
      { code: 's', datatype: 'string', description: 'S', min: 1, values: [{ key: 'x', name: 'X' }], required: true },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value[0]).toEqual(
      field({ code: 'taille', datatype: 'singlevaluelist', description: 'Taille', values: [{ key: 'petit', name: 'Petit' }] }),
    );
    expect(r.value[1]).toMatchObject({ order: 2, min: 1, max: 3 });
    expect(r.value[2]).toMatchObject({ order: 3, min: null, values: [], required: true });
  });

  it('refuses bad codes, duplicates, unknown types, missing labels, lists without choices, min > max', () => {
    const r = checkFieldDefinitions([
      { code: 'a b', datatype: 'string', description: 'A' },
      { code: 'x', datatype: 'string', description: '' },
      { code: 'X', datatype: 'colour', description: 'C' },
      { code: 'l', datatype: 'multivaluelist', description: 'L', values: [] },
      {
        code: 'm',
        datatype: 'singlevaluelist',
        description: 'M',
        values: [
          { key: 'k', name: 'K' },
          { key: 'k', name: '' },
        ],
      },
      { code: 'n', datatype: 'number', description: 'N', min: 5, max: 2 },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      'fields.0.code:code',
      'fields.1.description:required',
      'fields.2.code:duplicate',
      'fields.2.datatype:isIn',
      'fields.3.values:choicesRequired',
      'fields.4.values.1.key:duplicate',
      'fields.4.values.1.name:required',
      'fields.5.max:min',
    ]);
  });

  it('an informational field is never required; fields sort by order then code', () => {
    const r = checkFieldDefinitions([{ code: 'i', datatype: 'text', description: 'Info', variable: false, required: true }]);
    expect(r.ok && r.value[0]!.required).toBe(false);
    expect(
      sortFields([field({ code: 'b', order: 2 }), field({ code: 'c', order: 1 }), field({ code: 'a', order: 2 })]).map((f) => f.code),
    ).toEqual(['c', 'a', 'b']);
  });
});
