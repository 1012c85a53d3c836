import { ChangeDetectionStrategy, Component } from '@angular/core';
import { FormsModule } from '@angular/forms';
import {
  IDENTITY_PROVIDER_KINDS,
  ROLES,
  type IdentityProvider,
  type IdentityProviderInput,
  type IdentityProviderKind,
  type Role,
} from '@grc/domain';
import type { MsgKey } from '../../core/i18n';
import { localError, toUiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';

/** The form's model: lists typed as comma-separated text. */
export interface IdentityProviderDraft {
  slug: string;
  label: string;
  kind: IdentityProviderKind;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  emailClaim: string;
  nameClaims: string;
  groupsClaim: string;
  groupMappings: Array<{ group: string; role: Role; departments: string }>;
  jitProvisioning: boolean;
  acrValues: string;
  allowedSirets: string;
  enabled: boolean;
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Identity providers (OpenID Connect): issuer, client, claim mapping, groups → role and departments for the
 * agents created on first sign-in, ProConnect's options. The client secret is write-only. The redirect URIs to
 * register at the provider are shown as the API builds them.
 */
@Component({
  selector: 'grc-admin-identity-providers',
  imports: [FormsModule, ...FORM_ERRORS, AdminListStatus, AdminFormActions],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './identity-providers.html',
})
export class IdentityProvidersAdmin extends AdminBase<IdentityProvider, IdentityProviderDraft> {
  protected readonly path = '/admin/identity-providers';
  protected readonly kinds = IDENTITY_PROVIDER_KINDS;
  protected readonly roles = ROLES;
  protected kindKey = (k: IdentityProviderKind) => `idp.kind.${k}` as MsgKey;

  constructor() {
    super();
    this.load();
  }

  protected blank(): IdentityProviderDraft {
    return {
      slug: '',
      label: '',
      kind: 'oidc',
      issuer: '',
      clientId: '',
      clientSecret: '',
      scopes: 'openid email profile',
      emailClaim: 'email',
      nameClaims: 'given_name, family_name',
      groupsClaim: 'groups',
      groupMappings: [],
      jitProvisioning: false,
      acrValues: '',
      allowedSirets: '',
      enabled: true,
    };
  }

  /** ProConnect's usual settings when that kind is picked on a new provider. */
  protected kindChanged(d: IdentityProviderDraft): void {
    if (d.kind !== 'proconnect' || this.editing()) return;
    d.scopes = 'openid email given_name usual_name siret organizational_unit';
    d.nameClaims = 'given_name, usual_name';
    d.groupsClaim = 'organizational_unit';
    d.acrValues = 'eidas1';
    if (!d.label) d.label = 'ProConnect';
    if (!d.slug) d.slug = 'proconnect';
  }

  protected toInput(p: IdentityProvider): IdentityProviderDraft {
    return {
      slug: p.slug,
      label: p.label,
      kind: p.kind,
      issuer: p.issuer,
      clientId: p.clientId,
      clientSecret: '',
      scopes: p.scopes,
      emailClaim: p.emailClaim,
      nameClaims: p.nameClaims.join(', '),
      groupsClaim: p.groupsClaim ?? '',
      groupMappings: p.groupMappings.map((g) => ({ group: g.group, role: g.role, departments: g.departments.join(', ') })),
      jitProvisioning: p.jitProvisioning,
      acrValues: p.acrValues ?? '',
      allowedSirets: p.allowedSirets.join(', '),
      enabled: p.enabled,
    };
  }

  protected body(d: IdentityProviderDraft): IdentityProviderInput | null {
    const fields: Record<string, string> = {};
    for (const f of ['slug', 'label', 'issuer', 'clientId', 'scopes', 'emailClaim'] as const)
      if (!d[f].trim()) fields[f] = this.t('common.fieldRequired');
    if (Object.keys(fields).length) {
      this.error.set(localError(fields));
      return null;
    }
    const body: IdentityProviderInput = {
      slug: d.slug.trim(),
      label: d.label.trim(),
      kind: d.kind,
      issuer: d.issuer.trim(),
      clientId: d.clientId.trim(),
      scopes: d.scopes.trim().replace(/\s+/g, ' '),
      emailClaim: d.emailClaim.trim(),
      nameClaims: list(d.nameClaims),
      groupsClaim: d.groupsClaim.trim() || null,
      groupMappings: d.groupMappings.map((g) => ({ group: g.group.trim(), role: g.role, departments: list(g.departments) })),
      jitProvisioning: d.jitProvisioning,
      acrValues: d.acrValues.trim() || null,
      allowedSirets: list(d.allowedSirets).map((s) => s.replace(/\s/g, '')),
      enabled: d.enabled,
    };
    if (d.clientSecret) body.clientSecret = d.clientSecret;
    return body;
  }

  protected addMapping(d: IdentityProviderDraft): void {
    d.groupMappings = [...d.groupMappings, { group: '', role: 'agent', departments: '' }];
    this.draft.set({ ...d });
  }

  protected removeMapping(d: IdentityProviderDraft, i: number): void {
    d.groupMappings = d.groupMappings.filter((_, j) => j !== i);
    this.draft.set({ ...d });
  }

  protected remove(p: IdentityProvider): void {
    if (!confirm(this.t('idp.confirmDelete', { label: p.label }))) return;
    this.api.delete<void>(`${this.path}/${p.id}`).subscribe({
      next: () => {
        this.notice.set(this.t('idp.deleted'));
        this.formOpen.set(false);
        this.load();
      },
      error: (e: unknown) => this.listError.set(toUiError(e)),
    });
  }
}
