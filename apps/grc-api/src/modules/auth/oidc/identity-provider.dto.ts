import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  IDENTITY_PROVIDER_KINDS,
  ROLES,
  type GroupMapping,
  type IdentityProviderInput,
  type IdentityProviderKind,
  type Role,
} from '@grc/domain';

// eslint-disable-next-line no-control-regex
const ONE_LINE = /^[^\u0000-\u001f\u007f\u0085\u2028\u2029]*$/;
const oneLine = { message: 'Une seule ligne, sans caractère de contrôle.' };
const CLAIM = /^[A-Za-z0-9_:.-]+$/;
const claim = { message: 'Nom de claim : lettres, chiffres, _ : . - (un point descend dans un objet : realm_access.roles).' };

export class GroupMappingDto implements GroupMapping {
  /** a value of the groups claim */
  @IsString() @MinLength(1) @MaxLength(200) @Matches(ONE_LINE, oneLine) group!: string;
  @IsIn(ROLES as unknown as Role[]) role!: Role;
  /** department codes */
  @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(64, { each: true }) departments!: string[];
}

export class IdentityProviderDto implements IdentityProviderInput {
  /** in the redirect URI: /api/v1/auth/oidc/<slug>/callback */
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  @Matches(/^[a-z0-9][a-z0-9-]*$/, { message: 'Minuscules, chiffres et tirets (ex. proconnect).' })
  slug!: string;
  /** the button: "Se connecter avec <label>" */
  @IsString() @MinLength(1) @MaxLength(100) @Matches(ONE_LINE, oneLine) label!: string;
  @IsIn(IDENTITY_PROVIDER_KINDS as unknown as IdentityProviderKind[]) kind!: IdentityProviderKind;
  /** the issuer URL; its /.well-known/openid-configuration is read */
  @IsString()
  @MaxLength(500)
  @Matches(/^https?:\/\/[^\s/?#]+[^\s?#]*$/, { message: 'Adresse https:// de l’émetteur (issuer), sans paramètre.' })
  issuer!: string;
  @IsString() @MinLength(1) @MaxLength(300) @Matches(ONE_LINE, oneLine) clientId!: string;
  /** write-only; absent or empty on update keeps the stored secret */
  @IsOptional() @IsString() @MaxLength(1000) @Matches(ONE_LINE, oneLine) clientSecret?: string;
  @IsString()
  @MaxLength(500)
  @Matches(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, {
    message: 'Scopes séparés par une espace (ex. openid email profile).',
  })
  scopes!: string;
  @IsString() @MinLength(1) @MaxLength(100) @Matches(CLAIM, claim) emailClaim!: string;
  @IsArray()
  @ArrayMaxSize(5)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  @Matches(CLAIM, { ...claim, each: true })
  nameClaims!: string[];
  @IsOptional() @IsString() @MinLength(1) @MaxLength(100) @Matches(CLAIM, claim) groupsClaim!: string | null;
  @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => GroupMappingDto) groupMappings!: GroupMappingDto[];
  @IsBoolean() jitProvisioning!: boolean;
  /** e.g. eidas1 (ProConnect) */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_:.-]+( [A-Za-z0-9_:.-]+)*$/, { message: 'Valeurs acr séparées par une espace.' })
  acrValues!: string | null;
  /** 14 digits each */
  @IsArray() @ArrayMaxSize(100) @Matches(/^\d{14}$/, { each: true, message: 'Un SIRET a 14 chiffres.' }) allowedSirets!: string[];
  @IsBoolean() enabled!: boolean;
}

export class UpdateIdentityProviderDto extends IdentityProviderDto {
  /** the version read (optimistic lock) */
  @IsInt() @Min(1) version!: number;
}

export class EndSessionDto {
  /** where to send the browser to end the provider's session too; null: the local session only */
  url!: string | null;
}
