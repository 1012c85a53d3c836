import { IsEmail, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import type { LoginRequest, SignInLinkCheckRequest, SignInLinkRedeemRequest, SwitchCommuneRequest } from '@grc/domain';

export class LoginDto implements LoginRequest {
  @IsEmail() @MaxLength(254) email!: string;
  @IsString() @MinLength(1) @MaxLength(200) password!: string;
}

export class SwitchCommuneDto implements SwitchCommuneRequest {
  @IsUUID() communeId!: string;
}

/** the token of a sign-in link (base64url, 43 characters; the fragment of the link's address) */
export class SignInLinkCheckDto implements SignInLinkCheckRequest {
  @IsString() @MinLength(1) @MaxLength(200) token!: string;
}

export class SignInLinkRedeemDto implements SignInLinkRedeemRequest {
  @IsString() @MinLength(1) @MaxLength(200) token!: string;
  @IsString() @MinLength(1) @MaxLength(200) newPassword!: string;
}
