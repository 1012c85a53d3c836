import { DOCX, PDF, PLAIN_ZIP, PNG, zip } from '../../../test/support/files';
import { checkAttachment } from './attachment-types';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

describe('checkAttachment (file-type detection)', () => {
  it('accepts files whose content is of the declared type', async () => {
    expect(await checkAttachment('photo.png', 'image/png', PNG)).toBeNull();
    expect(await checkAttachment('plan.pdf', 'application/pdf', PDF)).toBeNull();
    expect(await checkAttachment('courrier.docx', DOCX_TYPE, DOCX)).toBeNull();
    expect(await checkAttachment('note.txt', 'text/plain', Buffer.from('Bonjour, éclairage en panne.'))).toBeNull();
  });

  it('refuses a zip that is not an Office document, whatever its name', async () => {
    expect(await checkAttachment('courrier.docx', DOCX_TYPE, PLAIN_ZIP)).toBe(
      'Le contenu du fichier ne correspond pas à son type déclaré.',
    );
    // a word/ folder without the package's declaration is still just a zip
    const lookalike = zip({ 'word/document.xml': '<w:document/>', 'run.sh': 'rm -rf /' });
    expect(await checkAttachment('courrier.docx', DOCX_TYPE, lookalike)).toBe(
      'Le contenu du fichier ne correspond pas à son type déclaré.',
    );
    // a real Word document is not a spreadsheet
    expect(await checkAttachment('budget.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', DOCX)).toBe(
      'Le contenu du fichier ne correspond pas à son type déclaré.',
    );
  });

  it('refuses content of another type, binary text and undeclared types', async () => {
    expect(await checkAttachment('photo.png', 'image/png', PDF)).toBe('Le contenu du fichier ne correspond pas à son type déclaré.');
    expect(await checkAttachment('photo.png', 'image/png', Buffer.from('#!/bin/sh\nrm -rf /'))).toBe(
      'Le contenu du fichier ne correspond pas à son type déclaré.',
    );
    expect(await checkAttachment('note.txt', 'text/plain', PNG)).toBe('Ce fichier texte contient des données binaires.');
    expect(await checkAttachment('photo.pdf', 'image/png', PNG)).toBe('L’extension « .pdf » ne correspond pas au type image/png.');
    expect(await checkAttachment('virus.exe', 'application/x-msdownload', Buffer.from('MZ'))).toMatch(/^Type de fichier non accepté/);
  });
});
