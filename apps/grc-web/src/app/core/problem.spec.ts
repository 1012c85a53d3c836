import { HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { provideTestI18n } from '../../testing/i18n';
import { I18n } from './i18n';
import { toUiError } from './problem';

const problem = (body: object, status = 400) => new HttpErrorResponse({ status, error: body });
const invalidTitle = {
  type: 'about:blank',
  title: 'Requête invalide',
  status: 400,
  detail: 'Le formulaire contient des erreurs.',
  code: 'invalid',
  errors: [
    { field: 'subject', message: 'Texte trop long (200 caractères au plus).', code: 'maxLength', params: { max: 200 } },
    { field: 'zone', message: 'Zone inconnue : « nord ».', code: 'zone.unknown_to_the_console' },
  ],
};

/** The API's codes worded in the agent's language; French server text only ever reaches a French page. */
describe('toUiError', () => {
  async function inLang(lang: 'fr' | 'en') {
    TestBed.configureTestingModule({ providers: provideTestI18n(lang) });
    await TestBed.inject(I18n).ready();
  }

  it('in English, words known codes and never shows the French text of an unknown one', async () => {
    await inLang('en');
    const e = toUiError(problem(invalidTitle));
    expect(e.fields['subject']).toBe('Text too long (200 characters at most).');
    expect(e.fields['zone']).toBe('This value is not accepted.');
    expect(e.detail).toBeNull();
    expect(e.fallbackKey).toBe('common.unknownError');
    const stale = toUiError(problem({ title: 'Conflit', status: 409, detail: 'Ce ticket a été modifié…', code: 'stale' }, 409));
    expect(stale.detail).toBe('Someone else changed this record in the meantime. Reload it before trying again.');
  });

  it("in French, words known codes and keeps the server's own sentence for the others", async () => {
    await inLang('fr');
    const e = toUiError(problem(invalidTitle));
    expect(e.fields['subject']).toBe('Texte trop long (200 caractères au plus).');
    expect(e.fields['zone']).toBe('Zone inconnue : « nord ».');
    expect(e.detail).toBe('Le formulaire contient des erreurs.');
  });
});
