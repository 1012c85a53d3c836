import { CNIL, defaultPrivacySettings, privacyNotice, rightsUnder, validatePrivacySettings } from './privacy-notice';

const valid = {
  controllerName: 'Commune de Saint-Aubin',
  controllerAddress: '1 place de la Mairie, 37000 Saint-Aubin',
  controllerEmail: ' ',
  dpoName: '',
  dpoEmail: 'DPO@saint-aubin.fr ',
  dpoAddress: null,
  purposes: ['statistics', 'handle_requests', 'statistics'],
  legalBasis: 'public_task',
  ...CNIL,
};

describe('privacy notice (art. 13)', () => {
  it('normalises the settings: blanks are null, purposes once each in their order', () => {
    const r = validatePrivacySettings(valid);
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({
        controllerEmail: null,
        dpoName: null,
        dpoEmail: 'DPO@saint-aubin.fr',
        purposes: ['handle_requests', 'statistics'],
      }),
    });
  });

  it('names the field at fault', () => {
    const r = validatePrivacySettings({ ...valid, dpoEmail: 'pas une adresse', purposes: [], authorityUrl: 'javascript:alert(1)' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual(['authorityUrl', 'dpoEmail', 'purposes']);
  });

  it('lists the rights that apply under the legal basis', () => {
    expect(rightsUnder('public_task')).toEqual(['access', 'rectification', 'erasure', 'restriction', 'objection']);
    expect(rightsUnder('legal_obligation')).toEqual(['access', 'rectification', 'erasure', 'restriction']);
    expect(rightsUnder('consent')).toContain('portability');
  });

  it('has no DPO block until one is named, and no retention figure until the rules exist', () => {
    const n = privacyNotice('Saint-Aubin', defaultPrivacySettings('Saint-Aubin'), null);
    expect(n.controller.name).toBe('Saint-Aubin');
    expect(n.dpo).toBeNull();
    expect(n.retention).toBeNull();
    expect(n.authority.name).toBe('CNIL');
  });
});
