import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { ChangePasswordRequest, SecondFactorLoginRequest, SecuritySettings } from '@grc/domain';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ChangePasswordDto implements ChangePasswordRequest {
  @IsString() @MinLength(1) @MaxLength(200) currentPassword!: string;
  @IsString() @MinLength(1) @MaxLength(200) newPassword!: string;
}

/** a 6-digit code of the authenticator app, or a recovery code (XXXXX-XXXXX) */
export class SecondFactorCodeDto implements SecondFactorLoginRequest {
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(32) code!: string;
}

export class SecuritySettingsDto implements SecuritySettings {
  @IsBoolean() secondFactorRequiredForAdmins!: boolean;
  /** 0: no idle timeout */
  @IsInt() @Min(0) @Max(10080) idleTimeoutMinutes!: number;
  @IsInt() @Min(1) @Max(720) sessionLifetimeHours!: number;
  @IsBoolean() persistentCookie!: boolean;
  @IsInt() @Min(0) version!: number;
}
