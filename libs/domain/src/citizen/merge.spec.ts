import { mergeCitizens } from './merge';
import type { CitizenFields } from './requester';

const blank: CitizenFields = {
  kind: 'resident',
  firstName: null,
  lastName: null,
  organisationName: null,
  contactPerson: null,
  email: null,
  phone: null,
  address: null,
  postcode: null,
  city: null,
  preferredChannel: null,
};

describe('merging two records of one person', () => {
  it('fills the kept record from the other: the e-mail record gets the counter record’s phone and address', () => {
    const fromEmail = { ...blank, lastName: 'Durand', email: 'm.durand@example.fr', preferredChannel: 'email' as const };
    const fromCounter = {
      ...blank,
      firstName: 'Marie',
      lastName: 'DURAND',
      phone: '+33612345678',
      address: '3 rue Haute',
      postcode: '37000',
      city: 'Saint-Aubin',
    };
    const r = mergeCitizens(fromEmail, fromCounter);
    expect(r.fields).toEqual({
      ...fromEmail,
      firstName: 'Marie',
      phone: '+33612345678',
      address: '3 rue Haute',
      postcode: '37000',
      city: 'Saint-Aubin',
    });
    expect(r.filled).toEqual(['firstName', 'phone', 'address', 'postcode', 'city']);
    // the same name in other capitals is no conflict
    expect(r.conflicts).toEqual([]);
  });

  it('keeps the kept record’s values and reports the differing ones; an address travels whole', () => {
    const kept = { ...blank, lastName: 'Durand', email: 'a@example.fr', city: 'Tours' };
    const other = { ...blank, lastName: 'Durand', email: 'b@example.fr', address: '3 rue Haute', postcode: '37000', city: 'Saint-Aubin' };
    const r = mergeCitizens(kept, other);
    expect(r.fields.email).toBe('a@example.fr');
    expect([r.fields.address, r.fields.postcode, r.fields.city]).toEqual([null, null, 'Tours']);
    expect(r.conflicts).toEqual(['email', 'address', 'postcode', 'city']);
  });
});
