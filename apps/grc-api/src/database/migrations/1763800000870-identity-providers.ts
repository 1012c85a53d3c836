import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OpenID Connect sign-in for agents (modules/auth/oidc, docs/sso.md):
 * - `identity_providers`: what an administrator configures; the client secret is sealed (AES-256-GCM,
 *   common/secret-box.ts) and never returned;
 * - `agent_identities`: the (provider, sub) an agent signed in with, matched before the e-mail;
 * - `oidc_transactions`: a sign-in under way (state, PKCE verifier, nonce), single use, ten minutes;
 * - `oidc_sessions`: which local sessions came from a provider, with the ID token (sealed) that the
 *   RP-initiated logout sends back as `id_token_hint`; gone with the session.
 */
export class IdentityProviders1763800000870 implements MigrationInterface {
  name = 'IdentityProviders1763800000870';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE identity_providers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug varchar(40) NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
      label varchar(100) NOT NULL,
      kind varchar(16) NOT NULL DEFAULT 'oidc' CHECK (kind IN ('oidc', 'proconnect')),
      issuer varchar(500) NOT NULL,
      client_id varchar(300) NOT NULL,
      client_secret text,
      scopes varchar(500) NOT NULL DEFAULT 'openid email profile',
      email_claim varchar(100) NOT NULL DEFAULT 'email',
      name_claims text[] NOT NULL DEFAULT '{name}',
      groups_claim varchar(100),
      group_mappings jsonb NOT NULL DEFAULT '[]',
      jit_provisioning boolean NOT NULL DEFAULT false,
      acr_values varchar(200),
      allowed_sirets text[] NOT NULL DEFAULT '{}',
      enabled boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1)`);
    await q.query(`CREATE TABLE agent_identities (
      provider_id uuid NOT NULL REFERENCES identity_providers(id) ON DELETE CASCADE,
      subject varchar(255) NOT NULL,
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_login_at timestamptz,
      PRIMARY KEY (provider_id, subject))`);
    await q.query(`CREATE INDEX agent_identities_agent ON agent_identities (agent_id)`);
    await q.query(`CREATE TABLE oidc_transactions (
      state_hash char(64) PRIMARY KEY,
      provider_id uuid NOT NULL REFERENCES identity_providers(id) ON DELETE CASCADE,
      code_verifier varchar(128) NOT NULL,
      nonce varchar(128) NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX oidc_transactions_expiry ON oidc_transactions (expires_at)`);
    await q.query(`CREATE TABLE oidc_sessions (
      token_hash char(64) PRIMARY KEY REFERENCES sessions(token_hash) ON DELETE CASCADE,
      provider_id uuid NOT NULL REFERENCES identity_providers(id) ON DELETE CASCADE,
      id_token text NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oidc_sessions`);
    await q.query(`DROP TABLE oidc_transactions`);
    await q.query(`DROP TABLE agent_identities`);
    await q.query(`DROP TABLE identity_providers`);
  }
}
