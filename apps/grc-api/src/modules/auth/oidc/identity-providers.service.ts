import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { IdentityProvider, LoginProvider } from '@grc/domain';
import { conflict, invalidField, notFound } from '../../../common/problem';
import { SecretBox } from '../../../common/secret-box';
import { GRC_CONFIG, GrcConfig } from '../../../config/config';
import { AuditService, auditActor, diff } from '../../audit/audit.service';
import { pgCode, PG_UNIQUE_VIOLATION } from '../../reference/db-errors';
import { DepartmentsRepository } from '../../reference/departments.repository';
import { staleVersion } from '../../reference/departments.service';
import type { Actor } from '../authenticated-agent';
import { IdentityProviderDto, UpdateIdentityProviderDto } from './identity-provider.dto';
import { IdentityProvidersRepository, type IdentityProviderRow, type IdentityProviderWrite } from './identity-providers.repository';

const FIELDS: Array<keyof IdentityProviderWrite> = [
  'slug',
  'label',
  'kind',
  'issuer',
  'clientId',
  'scopes',
  'emailClaim',
  'nameClaims',
  'groupsClaim',
  'groupMappings',
  'jitProvisioning',
  'acrValues',
  'allowedSirets',
  'enabled',
];

const slugTaken = () =>
  conflict('Un fournisseur d’identité porte déjà cet identifiant.', [
    { field: 'slug', message: 'Identifiant déjà utilisé', code: 'duplicate_slug' },
  ]);

/** The redirect URIs of a provider under the town's public address. */
export const callbackUri = (base: string, slug: string) => `${base}/api/v1/auth/oidc/${slug}/callback`;
export const postLogoutUri = (base: string) => `${base}/login`;

export const toView = (r: IdentityProviderRow, base: string): IdentityProvider => ({
  id: r.id,
  slug: r.slug,
  label: r.label,
  kind: r.kind,
  issuer: r.issuer,
  clientId: r.clientId,
  hasClientSecret: !!r.sealedSecret,
  scopes: r.scopes,
  emailClaim: r.emailClaim,
  nameClaims: r.nameClaims,
  groupsClaim: r.groupsClaim,
  groupMappings: r.groupMappings,
  jitProvisioning: r.jitProvisioning,
  acrValues: r.acrValues,
  allowedSirets: r.allowedSirets,
  enabled: r.enabled,
  redirectUri: callbackUri(base, r.slug),
  postLogoutRedirectUri: postLogoutUri(base),
  version: r.version,
});

/** The identity providers' administration (admin.config). The client secret is write-only, audited as changed only. */
@Injectable()
export class IdentityProvidersService {
  private readonly secrets: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rows: IdentityProvidersRepository,
    private readonly departments: DepartmentsRepository,
    private readonly audit: AuditService,
    @Inject(GRC_CONFIG) config: GrcConfig,
  ) {
    this.secrets = new SecretBox(config.dataDir);
  }

  async list(base: string): Promise<IdentityProvider[]> {
    return (await this.rows.list()).map((r) => toView(r, base));
  }

  listEnabled(): Promise<LoginProvider[]> {
    return this.rows.listEnabled();
  }

  async create(actor: Actor, dto: IdentityProviderDto, base: string): Promise<IdentityProvider> {
    const fields = normalise(dto);
    // stored sealed (AES-256-GCM): the sign-in needs it back, a database dump must not give it away
    const sealed = dto.clientSecret ? this.secrets.seal(dto.clientSecret) : null;
    return this.write(async (m) => {
      await this.check(m, fields, null);
      const id = await this.rows.insert(fields, sealed, m);
      const after = (await this.rows.find(id, m))!;
      await this.audit.record(m, auditActor(actor), 'identity_provider.create', 'identity_provider', id, {
        ...diff(null, after, FIELDS),
        clientSecret: { before: null, after: sealed ? '***' : null },
      });
      return toView(after, base);
    });
  }

  async update(actor: Actor, id: string, dto: UpdateIdentityProviderDto, base: string): Promise<IdentityProvider> {
    const fields = normalise(dto);
    const sealed = dto.clientSecret ? this.secrets.seal(dto.clientSecret) : null;
    return this.write(async (m) => {
      const before = await this.rows.find(id, m, true);
      if (!before) throw notFound('Fournisseur d’identité');
      if (before.version !== dto.version) throw staleVersion('ce fournisseur d’identité');
      await this.check(m, fields, id);
      const changes = diff(before, fields, FIELDS);
      if (sealed) changes['clientSecret'] = { before: '***', after: '***' };
      if (!Object.keys(changes).length) return toView(before, base);
      await this.rows.update(id, fields, sealed, m);
      await this.audit.record(m, auditActor(actor), 'identity_provider.update', 'identity_provider', id, changes);
      return toView((await this.rows.find(id, m))!, base);
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const before = await this.rows.find(id, m, true);
      if (!before) throw notFound('Fournisseur d’identité');
      await this.rows.delete(id, m);
      await this.audit.record(m, auditActor(actor), 'identity_provider.delete', 'identity_provider', id, diff(before, null, FIELDS));
    });
  }

  /** Slug free; every mapped department exists; a mapping to a role other than admin names at least one department. */
  private async check(m: EntityManager, p: IdentityProviderWrite, exceptId: string | null): Promise<void> {
    if (await this.rows.isSlugTaken(p.slug, exceptId, m)) throw slugTaken();
    const codes = [...new Set(p.groupMappings.flatMap((g) => g.departments))];
    const known = new Set((await this.departments.lockActiveByCodes(codes, m)).map((d) => d.code));
    p.groupMappings.forEach((g, i) => {
      if (g.role !== 'admin' && g.departments.length === 0)
        throw invalidField(
          `groupMappings.${i}.departments`,
          'Un agent ou un chef de service appartient à au moins un service.',
          'department_required',
        );
      const j = g.departments.findIndex((d) => !known.has(d));
      if (j >= 0)
        throw invalidField(
          `groupMappings.${i}.departments.${j}`,
          `Service inconnu ou désactivé : ${g.departments[j]}.`,
          'department_not_found',
        );
    });
  }

  private async write<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (e) {
      if (pgCode(e) === PG_UNIQUE_VIOLATION) throw slugTaken();
      throw e;
    }
  }
}

function normalise(dto: IdentityProviderDto): IdentityProviderWrite {
  return {
    slug: dto.slug,
    label: dto.label.trim(),
    kind: dto.kind,
    issuer: dto.issuer.trim(),
    clientId: dto.clientId.trim(),
    scopes: dto.scopes,
    emailClaim: dto.emailClaim,
    nameClaims: dto.nameClaims,
    groupsClaim: dto.groupsClaim || null,
    groupMappings: dto.groupMappings.map((g) => ({ group: g.group, role: g.role, departments: [...new Set(g.departments)] })),
    jitProvisioning: dto.jitProvisioning,
    acrValues: dto.acrValues || null,
    allowedSirets: [...new Set(dto.allowedSirets)],
    enabled: dto.enabled,
  };
}
