import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { LegalBasis, PrivacyPurpose, PrivacySettings, PrivacySettingsInput } from '@grc/domain';

interface SettingsRow {
  controller_name: string;
  controller_address: string;
  controller_email: string | null;
  dpo_name: string | null;
  dpo_email: string | null;
  dpo_address: string | null;
  purposes: PrivacyPurpose[];
  legal_basis: LegalBasis;
  authority_name: string;
  authority_address: string;
  authority_url: string;
  updated_at: Date;
  version: number;
}

const toSettings = (r: SettingsRow): PrivacySettings => ({
  controllerName: r.controller_name,
  controllerAddress: r.controller_address,
  controllerEmail: r.controller_email,
  dpoName: r.dpo_name,
  dpoEmail: r.dpo_email,
  dpoAddress: r.dpo_address,
  purposes: r.purposes,
  legalBasis: r.legal_basis,
  authorityName: r.authority_name,
  authorityAddress: r.authority_address,
  authorityUrl: r.authority_url,
  updatedAt: new Date(r.updated_at).toISOString(),
  version: r.version,
});

/** `privacy_settings` (one row, id 1): read, locked, written. */
@Injectable()
export class PrivacySettingsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(m: EntityManager = this.db.manager, lock = false): Promise<PrivacySettings | null> {
    const [r]: SettingsRow[] = await m.query(`SELECT * FROM privacy_settings WHERE id = 1${lock ? ' FOR UPDATE' : ''}`);
    return r ? toSettings(r) : null;
  }

  /** Inserts or replaces the row, version bumped. */
  async save(s: PrivacySettingsInput, by: string | null, m: EntityManager = this.db.manager): Promise<PrivacySettings> {
    const [r]: SettingsRow[] = await m.query(
      `INSERT INTO privacy_settings (id, controller_name, controller_address, controller_email, dpo_name, dpo_email, dpo_address,
         purposes, legal_basis, authority_name, authority_address, authority_url, updated_by)
       VALUES (1, $1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10, $11, $12)
       ON CONFLICT (commune_id) DO UPDATE SET controller_name = EXCLUDED.controller_name, controller_address = EXCLUDED.controller_address,
         controller_email = EXCLUDED.controller_email, dpo_name = EXCLUDED.dpo_name, dpo_email = EXCLUDED.dpo_email,
         dpo_address = EXCLUDED.dpo_address, purposes = EXCLUDED.purposes, legal_basis = EXCLUDED.legal_basis,
         authority_name = EXCLUDED.authority_name, authority_address = EXCLUDED.authority_address,
         authority_url = EXCLUDED.authority_url, updated_by = EXCLUDED.updated_by, updated_at = now(),
         version = privacy_settings.version + 1
       RETURNING *`,
      [
        s.controllerName,
        s.controllerAddress,
        s.controllerEmail,
        s.dpoName,
        s.dpoEmail,
        s.dpoAddress,
        s.purposes,
        s.legalBasis,
        s.authorityName,
        s.authorityAddress,
        s.authorityUrl,
        by,
      ],
    );
    return toSettings(r!);
  }

  async townName(m: EntityManager = this.db.manager): Promise<string> {
    const [t]: Array<{ name: string }> = await m.query(`SELECT name FROM town_settings WHERE id = 1`);
    return t?.name ?? '';
  }
}
