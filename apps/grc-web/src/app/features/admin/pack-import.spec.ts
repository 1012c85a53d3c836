import { strToU8, zipSync } from 'fflate';
import { packFilesOf } from './pack-import';

/** A File as the input gives it (jsdom's lacks arrayBuffer/text). */
const file = (name: string, data: Uint8Array | string): File =>
  ({
    name,
    arrayBuffer: async () => (typeof data === 'string' ? strToU8(data) : data).buffer,
    text: async () => (typeof data === 'string' ? data : new TextDecoder().decode(data)),
  }) as unknown as File;

describe('packFilesOf', () => {
  it('reads the pack files of a zip (its top folder dropped, workflows/ kept) and ignores the rest', async () => {
    const zip = zipSync({
      'val-fleuri/town.yaml': strToU8('code: val-fleuri\n'),
      'val-fleuri/workflows/permis.yaml': strToU8('id: permis\n'),
      'val-fleuri/README.md': strToU8('# not a pack file'),
      'val-fleuri/ban/adresses-37.csv': strToU8('x'),
    });
    expect(await packFilesOf([file('pack.zip', zip)])).toEqual({
      'town.yaml': 'code: val-fleuri\n',
      'workflows/permis.yaml': 'id: permis\n',
    });
  });

  it('keeps the paths of a zip made at the pack’s top (the console’s export)', async () => {
    const zip = zipSync({ 'town.yaml': strToU8('a'), 'workflows/bindings.yaml': strToU8('b') });
    expect(Object.keys(await packFilesOf([file('pack-commune.zip', zip)])).sort()).toEqual(['town.yaml', 'workflows/bindings.yaml']);
  });

  it('reads YAML files chosen one by one as top-level files', async () => {
    expect(await packFilesOf([file('town.yaml', 'a'), file('departments.yml', 'b'), file('notes.txt', 'c')])).toEqual({
      'town.yaml': 'a',
      'departments.yml': 'b',
    });
  });

  it('refuses a file that is not a zip', async () => {
    await expect(packFilesOf([file('broken.zip', 'not a zip')])).rejects.toThrow();
  });
});
