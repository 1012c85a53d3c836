import { IdentityProvidersRepository } from './identity-providers.repository';
import { IdentityProvidersService } from './identity-providers.service';
import { OidcRepository } from './oidc.repository';
import { OidcService } from './oidc.service';

export { OIDC_CONTROLLERS } from './oidc.controller';
/** What the auth module provides for the sign-in through identity providers. */
export const OIDC_PROVIDERS = [IdentityProvidersRepository, IdentityProvidersService, OidcRepository, OidcService];
