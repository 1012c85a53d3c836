import { HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { FIELD_ERROR_CODES } from '@grc/domain';
import { provideTestI18n } from '../../testing/i18n';
import { EN } from './i18n.en';
import { FR } from './i18n.fr';
import { I18n } from './i18n';
import { toUiError } from './problem';

const fieldKeys = (dict: Record<string, string>) =>
  Object.keys(dict)
    .filter((k) => k.startsWith('field.'))
    .map((k) => k.slice('field.'.length));

/**
 * Every field error the API may send has a code (libs/domain FIELD_ERROR_CODES, which the API's own spec checks
 * against its sources) and every code is worded in both languages: the lists are compared both ways.
 */
describe('field error codes and their words', () => {
  it('every code of the API is worded in French and in English, and every worded field code is one of the API’s', () => {
    const codes = [...FIELD_ERROR_CODES].sort();
    expect(codes.filter((c) => !fieldKeys(FR).includes(c))).toEqual([]);
    expect(codes.filter((c) => !fieldKeys(EN).includes(c))).toEqual([]);
    // `invalid` is also the console's own generic line for a code it does not know
    expect(fieldKeys(FR).filter((k) => !(codes as string[]).includes(k))).toEqual([]);
    expect(new Set(FIELD_ERROR_CODES).size).toBe(FIELD_ERROR_CODES.length);
  });

  it('words a code with its parameters in English (ICU plural, quoted braces) and never the French message', async () => {
    TestBed.configureTestingModule({ providers: provideTestI18n('en') });
    await TestBed.inject(I18n).ready();
    const e = toUiError(
      new HttpErrorResponse({
        status: 400,
        error: {
          status: 400,
          code: 'invalid',
          errors: [
            { field: 'q', message: 'Au moins 2 caractères.', code: 'too_short', params: { min: 2 } },
            {
              field: 'body',
              message: 'Variable inconnue : {{password}}.',
              code: 'template.unknown_variable',
              params: { name: 'password' },
            },
            { field: 'force', message: 'Demandes en cours', code: 'erasure.open_requests', params: { count: 1 } },
          ],
        },
      }),
    );
    expect(e.fields).toEqual({
      q: 'At least 2 characters.',
      body: 'Unknown variable: {{password}}.',
      force: '1 request is still open.',
    });
  });
});
