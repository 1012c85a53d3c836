import { personalAuditKeys, splitPersonalChanges } from './audit-changes';
import { CHANGED } from './redaction';

describe('audit diffs without personal values', () => {
  it("takes a citizen's identity and contacts from the registry, not the kind nor the preferred channel", () => {
    const keys = personalAuditKeys('citizen');
    for (const k of ['firstName', 'lastName', 'organisationName', 'contactPerson', 'email', 'phone', 'address', 'postcode', 'city'])
      expect(keys.has(k)).toBe(true);
    expect(keys.has('kind')).toBe(false);
    expect(keys.has('preferredChannel')).toBe(false);
  });

  it("takes a ticket's free text, address, position and message bodies; keeps the link to the citizen and the workflow fields", () => {
    const keys = personalAuditKeys('ticket');
    for (const k of ['subject', 'description', 'address', 'latitude', 'longitude', 'attributes', 'reply', 'note', 'public_note'])
      expect(keys.has(k)).toBe(true);
    for (const k of ['citizenId', 'status', 'departmentId', 'assigneeId', 'priority']) expect(keys.has(k)).toBe(false);
  });

  it('knows nothing personal of other entity types', () => {
    expect(personalAuditKeys('department').size).toBe(0);
    expect(personalAuditKeys('agent').size).toBe(0);
  });

  it('masks the values of personal fields, keeps null as null, and hands the values to the citizen history', () => {
    const { audited, personal } = splitPersonalChanges('citizen', {
      email: { before: 'a@example.org', after: 'b@example.org' },
      phone: { before: null, after: '+33611223344' },
      city: { before: 'Saint-Aubin', after: null },
      kind: { before: 'resident', after: 'organisation' },
    });
    expect(audited).toEqual({
      email: { before: CHANGED, after: CHANGED },
      phone: { before: null, after: CHANGED },
      city: { before: CHANGED, after: null },
      kind: { before: 'resident', after: 'organisation' },
    });
    expect(personal).toEqual({
      email: { before: 'a@example.org', after: 'b@example.org' },
      phone: { before: null, after: '+33611223344' },
      city: { before: 'Saint-Aubin', after: null },
    });
    expect(JSON.stringify(audited)).not.toMatch(/example\.org|3361/);
  });

  it('leaves a diff without personal fields as it is, with nothing for the history', () => {
    const changes = { status: { before: 'new', after: 'in_progress' }, reply: { before: null, after: null } };
    const { audited, personal } = splitPersonalChanges('ticket', { status: changes.status });
    expect(audited).toEqual({ status: changes.status });
    expect(personal).toEqual({});
  });
});
