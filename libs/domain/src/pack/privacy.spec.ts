import { diffTownPacks } from './diff';
import { parseTownPack, type PackError } from './parse';
import { privacyFromPack, privacyToPack } from './privacy';
import { serializeTownPack } from './serialize';
import type { TownPack } from './schema';

const base = (town = ''): Record<string, string> => ({
  'town.yaml': `formatVersion: 1\nname: Ville de Test\ncode: test\ntimezone: Europe/Paris\nlocale: fr\nreferencePrefix: GRC\n${town}`,
  'departments.yaml': '- { code: dgs, name: Direction générale, kind: direction, parent: null }\n',
  'categories.yaml': '- { code: autre, nameFr: Autre, nameEn: Other, department: dgs }\n',
});
const privacy = `controller:
  name: Commune de Test, représentée par son maire
  address: 1 place de la Mairie, 00000 Test
dpo:
  name: Centre de gestion de la fonction publique territoriale
  email: dpo@cdg-test.fr
purposes: [statistics, handle_requests]
`;
const parsed = (files: Record<string, string>): TownPack => {
  const r = parseTownPack(files);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.pack;
};
const errorsOf = (files: Record<string, string>): PackError[] => {
  const r = parseTownPack(files);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
};

describe('privacy.yaml and the town’s own settings in town.yaml', () => {
  it('privacy.yaml: defaults (public task, the CNIL, no DPO address), purposes in the register’s order', () => {
    const p = parsed({ ...base(), 'privacy.yaml': privacy }).privacy!;
    expect(p.controller).toEqual({
      name: 'Commune de Test, représentée par son maire',
      address: '1 place de la Mairie, 00000 Test',
      email: null,
    });
    expect(p.dpo).toEqual({ name: 'Centre de gestion de la fonction publique territoriale', email: 'dpo@cdg-test.fr', address: null });
    expect(p.purposes).toEqual(['handle_requests', 'statistics']);
    expect(p.legalBasis).toBe('public_task');
    expect(p.authority.name).toBe('CNIL');
    expect(privacyToPack(privacyFromPack(p))).toEqual(p);
  });

  it('no privacy.yaml: null (the settings are left as they are)', () => {
    expect(parsed(base()).privacy).toBeNull();
  });

  it('refuses a bad e-mail, an unknown purpose or legal basis, an unknown key, with their paths', () => {
    const bad = `controller: { name: Commune, address: Mairie, email: not-an-email }
dpo: { phone: '0102030405' }
purposes: [marketing]
legalBasis: contract
`;
    const paths = errorsOf({ ...base(), 'privacy.yaml': bad })
      .filter((e) => e.file === 'privacy.yaml')
      .map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['controller.email', 'purposes.0', 'legalBasis']));
    expect(paths.some((p) => p.startsWith('dpo'))).toBe(true);
  });

  it('town.yaml: public texts and sender are optional and checked', () => {
    const t = parsed(
      base('publicTexts:\n  footer: Mairie, du lundi au vendredi\nsender: { address: Mairie@Test.fr, name: Mairie de Test }\n'),
    ).town;
    expect(t.publicTexts).toEqual({ footer: 'Mairie, du lundi au vendredi' });
    expect(t.sender).toEqual({ address: 'mairie@test.fr', name: 'Mairie de Test' });
    const e = errorsOf(base('publicTexts: { welcome: Bonjour }\nsender: { address: mairie }\n')).map((x) => x.path);
    expect(e).toEqual(expect.arrayContaining(['sender.address']));
    expect(e.some((p) => p.startsWith('publicTexts'))).toBe(true);
  });

  it('serialize → parse gives the same pack back, privacy and town settings included', () => {
    const p = parsed({
      ...base('publicTexts: { formIntro: Décrivez le problème. }\nsender: { address: mairie@test.fr }\n'),
      'privacy.yaml': privacy,
    });
    const again = parsed(serializeTownPack(p));
    expect(again.privacy).toEqual(p.privacy);
    expect(again.town).toEqual(p.town);
    expect(diffTownPacks(p, again)).toEqual([]);
  });

  it('diff: a new DPO e-mail is a privacy update; a pack without privacy.yaml or town texts changes neither', () => {
    const p = parsed({ ...base('sender: { address: mairie@test.fr }\n'), 'privacy.yaml': privacy });
    const q = parsed({ ...base(), 'privacy.yaml': privacy.replace('dpo@cdg-test.fr', 'rgpd@cdg-test.fr') });
    expect(diffTownPacks(p, q)).toEqual([{ kind: 'privacy', key: '', action: 'update', fields: ['dpo'] }]);
    expect(diffTownPacks(p, parsed(base()))).toEqual([]);
    expect(diffTownPacks(parsed(base()), p)).toEqual([
      { kind: 'town', key: '', action: 'update', fields: ['sender'] },
      { kind: 'privacy', key: '', action: 'create' },
    ]);
  });
});
