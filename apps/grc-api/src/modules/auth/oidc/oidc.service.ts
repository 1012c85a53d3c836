import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { DataSource, EntityManager } from 'typeorm';
import { mappedAccess, readIdentity, requestedScopes, type SignInIdentity, type SsoError } from '@grc/domain';
import { SecretBox } from '../../../common/secret-box';
import { GRC_CONFIG, GrcConfig } from '../../../config/config';
import { AgentsRepository } from '../../agents/agents.repository';
import { AuditService } from '../../audit/audit.service';
import { DepartmentsRepository } from '../../reference/departments.repository';
import { SessionService, type OpenedSession } from '../session.service';
import { IdentityProvidersRepository, type IdentityProviderRow } from './identity-providers.repository';
import { callbackUri, postLogoutUri } from './identity-providers.service';
import { OidcRepository } from './oidc.repository';

/** A sign-in through a provider refused: the browser goes back to `/login?sso_error=<code>`. */
export class SsoRefusal extends Error {
  constructor(readonly code: SsoError) {
    super(`sign-in refused: ${code}`);
  }
}

/** A sign-in under way lasts this long between the redirect to the provider and the callback. */
export const TRANSACTION_SECONDS = 600;
/** Discovery documents and keys are re-read after this (or at once after a change of the provider). */
const DISCOVERY_TTL_MS = 3600_000;
/** An agent created on first sign-in can only sign in through a provider: no password hash matches this. */
export const NO_PASSWORD = '!sso-only';
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const isLoopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

/**
 * OpenID Connect sign-in (authorization code + PKCE + state + nonce, openid-client): the transaction is kept
 * server-side (oidc_transactions, only the state's hash) and bound to the browser by a short-lived cookie
 * holding the state; the callback opens the same local session as the password login. Agents are matched by
 * their (provider, sub) link, else by e-mail; deactivated agents are refused whatever the provider says.
 */
@Injectable()
export class OidcService {
  private readonly secrets: SecretBox;
  private readonly discovered = new Map<string, { key: string; until: number; config: Promise<client.Configuration> }>();
  private readonly log = new Logger('Oidc');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly providers: IdentityProvidersRepository,
    private readonly rows: OidcRepository,
    private readonly agents: AgentsRepository,
    private readonly departments: DepartmentsRepository,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
  ) {
    this.secrets = new SecretBox(config.dataDir);
  }

  /** The provider's authorization URL, and the state the browser keeps in its cookie. */
  async start(slug: string, base: string): Promise<{ url: string; state: string }> {
    const provider = await this.enabled(slug);
    const config = await this.discover(provider);
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await this.rows.insertTransaction(sha256(state), provider.id, codeVerifier, nonce, new Date(Date.now() + TRANSACTION_SECONDS * 1000));
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: callbackUri(base, provider.slug),
      scope: requestedScopes(provider.scopes),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(provider.acrValues ? { acr_values: provider.acrValues } : {}),
    });
    return { url: url.href, state };
  }

  /** The provider's answer: checks it, finds (or creates) the agent, opens a local session. */
  async callback(
    slug: string,
    base: string,
    query: Record<string, unknown>,
    cookieState: string | undefined,
    ip: string | null,
    userAgent: string | null,
  ): Promise<OpenedSession> {
    const provider = await this.enabled(slug);
    const state = typeof query['state'] === 'string' ? query['state'] : '';
    if (!cookieState) throw new SsoRefusal('state_mismatch');
    // the browser's transaction ends here whatever comes next: a tampered answer also burns the genuine one
    const tx = await this.rows.takeTransaction(sha256(cookieState), provider.id);
    if (!tx || state !== cookieState) throw new SsoRefusal('state_mismatch');
    if (query['error'] !== undefined) {
      this.log.warn(`${slug}: the provider answered ${String(query['error'])}: ${String(query['error_description'] ?? '')}`);
      throw new SsoRefusal('idp_error');
    }
    const config = await this.discover(provider);
    const currentUrl = new URL(callbackUri(base, provider.slug));
    for (const [k, v] of Object.entries(query)) if (typeof v === 'string') currentUrl.searchParams.set(k, v);
    let claims: Record<string, unknown>;
    let idToken: string | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: tx.codeVerifier,
        expectedState: state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims()!;
      idToken = tokens.id_token;
      claims = { ...idClaims };
      if (config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims };
      }
    } catch (e) {
      this.log.warn(`${slug}: code exchange failed: ${e instanceof Error ? e.message : String(e)}`);
      throw new SsoRefusal(e instanceof client.AuthorizationResponseError ? 'idp_error' : 'token_error');
    }
    const identity = readIdentity(provider, claims);
    if ('refused' in identity) {
      await this.refused(provider, identity.refused, null, typeof claims['email'] === 'string' ? claims['email'] : null, ip);
      throw new SsoRefusal(identity.refused);
    }
    const agentId = await this.signIn(provider, identity, ip);
    const session = await this.sessions.openWithSettings(agentId, ip, userAgent);
    // the session's hash, as SessionService keys it: the logout finds the ID token to hint the provider with
    if (idToken) await this.rows.insertSession(sha256(session.token), provider.id, this.secrets.seal(idToken));
    return session;
  }

  /** Where to end the provider's session too (RP-initiated logout), for a local session that came from one. */
  async endSessionUrl(sessionToken: string | undefined, base: string): Promise<string | null> {
    if (!sessionToken) return null;
    const row = await this.rows.findSession(sha256(sessionToken));
    if (!row) return null;
    const provider = await this.providers.find(row.providerId);
    if (!provider) return null;
    try {
      const config = await this.discover(provider);
      if (!config.serverMetadata().end_session_endpoint) return null;
      return client.buildEndSessionUrl(config, {
        id_token_hint: this.secrets.open(row.sealedIdToken)!,
        post_logout_redirect_uri: postLogoutUri(base),
      }).href;
    } catch {
      return null;
    }
  }

  /** Matches or provisions the agent and records the login, in one transaction; a refusal is audited on its own. */
  private async signIn(provider: IdentityProviderRow, who: SignInIdentity, ip: string | null): Promise<string> {
    try {
      return await this.db.transaction(async (m) => {
        const found = await this.rows.findAgent(provider.id, who.subject, who.email, m);
        if (found && !found.active) throw new SsoRefusal('deactivated');
        let agentId = found?.id;
        // a provider that provisions from groups is the authority on role and departments: an agent moved to
        // another service, or out of every mapped group, is so here at their next sign-in
        if (agentId && provider.jitProvisioning && provider.groupMappings.length) await this.syncAccess(m, provider, who, agentId, ip);
        if (!agentId) {
          if (!provider.jitProvisioning) throw new SsoRefusal('unknown_agent');
          const access = mappedAccess(provider.groupMappings, who.groups);
          if (!access) throw new SsoRefusal('no_role');
          const departmentIds = (await this.departments.lockActiveByCodes(access.departments, m)).map((d) => d.id).sort();
          if (access.role !== 'admin' && !departmentIds.length) throw new SsoRefusal('no_role');
          agentId = await this.agents.insert(
            { email: who.email, displayName: who.displayName, role: access.role, locale: 'fr', active: true },
            NO_PASSWORD,
            m,
          );
          await this.agents.setDepartments(agentId, departmentIds, m);
          await this.audit.record(m, { actorId: null, actorLabel: `oidc:${provider.slug}`, ip }, 'agent.provision', 'agent', agentId, {
            email: { before: null, after: who.email },
            displayName: { before: null, after: who.displayName },
            role: { before: null, after: access.role },
            departmentIds: { before: null, after: departmentIds },
            provider: { before: null, after: provider.slug },
            groups: { before: null, after: who.groups },
          });
        }
        await this.rows.link(provider.id, who.subject, agentId, m);
        await this.audit.record(m, { actorId: agentId, actorLabel: who.email, ip }, 'auth.login', 'agent', agentId, {
          method: { before: null, after: 'oidc' },
          provider: { before: null, after: provider.slug },
        });
        return agentId;
      });
    } catch (e) {
      if (e instanceof SsoRefusal) {
        const found = await this.rows.findAgent(provider.id, who.subject, who.email);
        await this.refused(provider, e.code, found?.id ?? null, who.email, ip);
      }
      throw e;
    }
  }

  /** Role and departments from the identity's groups (refused when none maps any more), audited when they change. */
  private async syncAccess(m: EntityManager, provider: IdentityProviderRow, who: SignInIdentity, agentId: string, ip: string | null) {
    const access = mappedAccess(provider.groupMappings, who.groups);
    if (!access) throw new SsoRefusal('no_role');
    const departmentIds = (await this.departments.lockActiveByCodes(access.departments, m)).map((d) => d.id).sort();
    if (access.role !== 'admin' && !departmentIds.length) throw new SsoRefusal('no_role');
    if ((await this.agents.lockAnyVersion(agentId, m)) === null) throw new SsoRefusal('unknown_agent');
    const agent = (await this.agents.findAny(agentId, m))!;
    const sameDepartments = agent.departmentIds.join() === departmentIds.join();
    if (agent.role === access.role && sameDepartments) return;
    await this.agents.update(
      agentId,
      { email: agent.email, displayName: agent.displayName, role: access.role, locale: agent.locale, active: agent.active },
      null,
      m,
    );
    if (!sameDepartments) await this.agents.setDepartments(agentId, departmentIds, m);
    await this.audit.record(m, { actorId: null, actorLabel: `oidc:${provider.slug}`, ip }, 'agent.sync', 'agent', agentId, {
      ...(agent.role !== access.role ? { role: { before: agent.role, after: access.role } } : {}),
      ...(sameDepartments ? {} : { departmentIds: { before: agent.departmentIds, after: departmentIds } }),
      groups: { before: null, after: who.groups },
    });
  }

  private async refused(provider: IdentityProviderRow, code: SsoError, agentId: string | null, email: string | null, ip: string | null) {
    const label = email?.toLowerCase().slice(0, 254) || `oidc:${provider.slug}`;
    await this.db.transaction((m) =>
      this.audit.record(m, { actorId: agentId, actorLabel: label, ip }, 'auth.login_failed', 'agent', agentId ?? label, {
        method: { before: null, after: 'oidc' },
        provider: { before: null, after: provider.slug },
        reason: { before: null, after: code },
      }),
    );
  }

  private async enabled(slug: string): Promise<IdentityProviderRow> {
    const provider = /^[a-z0-9][a-z0-9-]{0,39}$/.test(slug) ? await this.providers.findBySlug(slug) : null;
    if (!provider || !provider.enabled) throw new SsoRefusal('unknown_provider');
    return provider;
  }

  /** The provider's discovery document and client, cached an hour per version of its row. */
  private async discover(p: IdentityProviderRow): Promise<client.Configuration> {
    const key = `${p.version}:${new Date(p.updatedAt).getTime()}`;
    const cached = this.discovered.get(p.id);
    if (cached && cached.key === key && cached.until > Date.now()) return cached.config;
    const issuer = new URL(p.issuer);
    const secret = this.secrets.open(p.sealedSecret);
    // a signed userinfo answer (application/jwt, ProConnect) is checked against the algorithms the provider publishes
    const metadata: Partial<client.ClientMetadata> = secret ? { client_secret: secret } : {};
    const config = client
      .discovery(issuer, p.clientId, metadata, secret ? client.ClientSecretPost(secret) : client.None(), {
        // plain http only on this machine (a provider started by the tests, a developer's Keycloak)
        execute: isLoopback(issuer) ? [client.allowInsecureRequests] : [],
        timeout: 10,
      })
      .catch((e: unknown) => {
        this.discovered.delete(p.id);
        this.log.warn(`${p.slug}: discovery of ${p.issuer} failed: ${e instanceof Error ? e.message : String(e)}`);
        throw new SsoRefusal('provider_unavailable');
      });
    this.discovered.set(p.id, { key, until: Date.now() + DISCOVERY_TTL_MS, config });
    return config;
  }
}
