import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { GroupMapping, IdentityProviderInput, IdentityProviderKind, LoginProvider } from '@grc/domain';

/** A provider as stored: the client secret still sealed (common/secret-box.ts). */
export interface IdentityProviderRow {
  id: string;
  slug: string;
  label: string;
  kind: IdentityProviderKind;
  issuer: string;
  clientId: string;
  sealedSecret: string | null;
  scopes: string;
  emailClaim: string;
  nameClaims: string[];
  groupsClaim: string | null;
  groupMappings: GroupMapping[];
  jitProvisioning: boolean;
  acrValues: string | null;
  allowedSirets: string[];
  enabled: boolean;
  updatedAt: Date;
  version: number;
}

/** The columns an administrator writes (the secret apart: null keeps it). */
export type IdentityProviderWrite = Omit<IdentityProviderInput, 'clientSecret'>;

const SELECT = `SELECT id, slug, label, kind, issuer, client_id AS "clientId", client_secret AS "sealedSecret", scopes,
    email_claim AS "emailClaim", name_claims AS "nameClaims", groups_claim AS "groupsClaim", group_mappings AS "groupMappings",
    jit_provisioning AS "jitProvisioning", acr_values AS "acrValues", allowed_sirets AS "allowedSirets", enabled,
    updated_at AS "updatedAt", version
  FROM identity_providers`;

const values = (p: IdentityProviderWrite) => [
  p.slug,
  p.label,
  p.kind,
  p.issuer,
  p.clientId,
  p.scopes,
  p.emailClaim,
  p.nameClaims,
  p.groupsClaim,
  JSON.stringify(p.groupMappings),
  p.jitProvisioning,
  p.acrValues,
  p.allowedSirets,
  p.enabled,
];

/** jsonb keeps its own key order: the mappings are rebuilt in the order they are written (diffs compare JSON). */
const tidy = (r: IdentityProviderRow): IdentityProviderRow => ({
  ...r,
  groupMappings: r.groupMappings.map((g) => ({ group: g.group, role: g.role, departments: g.departments })),
});

/** Every query on `identity_providers`. Each method takes the caller's EntityManager (optional). */
@Injectable()
export class IdentityProvidersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(m: EntityManager = this.db.manager): Promise<IdentityProviderRow[]> {
    return ((await m.query(`${SELECT} ORDER BY label, slug`)) as IdentityProviderRow[]).map(tidy);
  }

  /** The enabled providers, for the login page. */
  listEnabled(m: EntityManager = this.db.manager): Promise<LoginProvider[]> {
    return m.query(`SELECT slug, label, kind FROM identity_providers WHERE enabled ORDER BY label, slug`);
  }

  async find(id: string, m: EntityManager = this.db.manager, lock = false): Promise<IdentityProviderRow | null> {
    const rows: IdentityProviderRow[] = await m.query(`${SELECT} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? tidy(rows[0]) : null;
  }

  async findBySlug(slug: string, m: EntityManager = this.db.manager): Promise<IdentityProviderRow | null> {
    const rows: IdentityProviderRow[] = await m.query(`${SELECT} WHERE slug = $1`, [slug]);
    return rows[0] ? tidy(rows[0]) : null;
  }

  async isSlugTaken(slug: string, exceptId: string | null, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM identity_providers WHERE slug = $1 AND id IS DISTINCT FROM $2`, [slug, exceptId]);
    return rows.length > 0;
  }

  async insert(p: IdentityProviderWrite, sealedSecret: string | null, m: EntityManager = this.db.manager): Promise<string> {
    const [row]: Array<{ id: string }> = await m.query(
      `INSERT INTO identity_providers (slug, label, kind, issuer, client_id, scopes, email_claim, name_claims, groups_claim,
         group_mappings, jit_provisioning, acr_values, allowed_sirets, enabled, client_secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
      [...values(p), sealedSecret],
    );
    return row!.id;
  }

  /** `sealedSecret` null keeps the stored secret; bumps the version. */
  async update(id: string, p: IdentityProviderWrite, sealedSecret: string | null, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(
      `UPDATE identity_providers SET slug = $2, label = $3, kind = $4, issuer = $5, client_id = $6, scopes = $7, email_claim = $8,
         name_claims = $9, groups_claim = $10, group_mappings = $11, jit_provisioning = $12, acr_values = $13, allowed_sirets = $14,
         enabled = $15, client_secret = coalesce($16, client_secret), updated_at = now(), version = version + 1
       WHERE id = $1`,
      [id, ...values(p), sealedSecret],
    );
  }

  async delete(id: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`DELETE FROM identity_providers WHERE id = $1`, [id]);
  }
}
