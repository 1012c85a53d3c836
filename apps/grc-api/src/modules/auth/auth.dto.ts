import { IsEmail, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import type { LoginRequest, SwitchCommuneRequest } from '@grc/domain';

export class LoginDto implements LoginRequest {
  @IsEmail() @MaxLength(254) email!: string;
  @IsString() @MinLength(1) @MaxLength(200) password!: string;
}

export class SwitchCommuneDto implements SwitchCommuneRequest {
  @IsUUID() communeId!: string;
}
