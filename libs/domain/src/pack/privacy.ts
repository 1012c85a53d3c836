/** privacy.yaml ↔ the privacy settings the information notice is made of (one row, `privacy_settings`). */
import type { PrivacySettingsInput } from '../rgpd/privacy-notice';
import type { PackPrivacy } from './schema';

export const privacyFromPack = (p: PackPrivacy): PrivacySettingsInput => ({
  controllerName: p.controller.name,
  controllerAddress: p.controller.address,
  controllerEmail: p.controller.email,
  dpoName: p.dpo.name,
  dpoEmail: p.dpo.email,
  dpoAddress: p.dpo.address,
  purposes: p.purposes,
  legalBasis: p.legalBasis,
  authorityName: p.authority.name,
  authorityAddress: p.authority.address,
  authorityUrl: p.authority.url,
});

export const privacyToPack = (s: PrivacySettingsInput): PackPrivacy => ({
  controller: { name: s.controllerName, address: s.controllerAddress, email: s.controllerEmail || null },
  dpo: { name: s.dpoName || null, email: s.dpoEmail || null, address: s.dpoAddress || null },
  purposes: s.purposes,
  legalBasis: s.legalBasis,
  authority: { name: s.authorityName, address: s.authorityAddress, url: s.authorityUrl },
});
