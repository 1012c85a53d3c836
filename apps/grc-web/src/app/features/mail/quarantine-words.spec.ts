import { TestBed } from '@angular/core/testing';
import { QUARANTINE_REASON_CODES } from '@grc/domain';
import { provideTestI18n } from '../../../testing/i18n';
import { I18n } from '../../core/i18n';
import { QUARANTINE_WORDS_EN, QUARANTINE_WORDS_FR, WORDED_QUARANTINE_CODES, quarantineReason } from './quarantine-words';

/** The quarantine's reasons are codes worded here (the API sends no sentence), in both languages. */
describe('quarantine reason words', () => {
  let i18n: I18n;
  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestI18n('en') });
    i18n = TestBed.inject(I18n);
    await i18n.ready();
  });

  it('words every code of the domain, and only those (both ways)', () => {
    expect([...WORDED_QUARANTINE_CODES].sort()).toEqual([...QUARANTINE_REASON_CODES].sort());
    expect(Object.keys(QUARANTINE_WORDS_EN).sort()).toEqual(Object.keys(QUARANTINE_WORDS_FR).sort());
  });

  it('in English, with its parameters, the technical detail apart', async () => {
    expect(quarantineReason({ reasonCode: 'mail.too_large', reasonParams: { mb: 42 } }, i18n)).toEqual({
      text: 'Message too large (42 MB).',
      detail: null,
    });
    expect(quarantineReason({ reasonCode: 'mail.unreadable', reasonParams: { error: 'Unexpected end' } }, i18n)).toEqual({
      text: 'Unreadable message.',
      detail: 'Unexpected end',
    });
    expect(quarantineReason({ reasonCode: 'mail.future' as never, reasonParams: {} }, i18n).text).toBe(
      'Import failed (error while saving it).',
    );
    i18n.lang.set('fr');
    await i18n.ready();
    expect(quarantineReason({ reasonCode: 'mail.no_sender', reasonParams: {} }, i18n).text).toBe('Expéditeur absent ou illisible (From).');
  });
});
