import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { LEGAL_BASES, PRIVACY_PURPOSES, type LegalBasis, type PrivacyPurpose, type PrivacySettingsInput } from '@grc/domain';

/** Shape and types only; the rules (required fields, e-mail and URL formats) are libs/domain's validatePrivacySettings. */
export class PrivacySettingsDto implements PrivacySettingsInput {
  @IsString() @MaxLength(200) controllerName!: string;
  @IsString() @MaxLength(500) controllerAddress!: string;
  @IsOptional() @IsString() @MaxLength(254) controllerEmail!: string | null;
  @IsOptional() @IsString() @MaxLength(200) dpoName!: string | null;
  @IsOptional() @IsString() @MaxLength(254) dpoEmail!: string | null;
  @IsOptional() @IsString() @MaxLength(500) dpoAddress!: string | null;
  @IsArray()
  @ArrayMaxSize(PRIVACY_PURPOSES.length)
  @IsIn(PRIVACY_PURPOSES as unknown as string[], { each: true })
  purposes!: PrivacyPurpose[];
  @IsIn(LEGAL_BASES as unknown as string[]) legalBasis!: LegalBasis;
  @IsString() @MaxLength(200) authorityName!: string;
  @IsString() @MaxLength(500) authorityAddress!: string;
  @IsString() @MaxLength(300) authorityUrl!: string;
  /** 0 while the town has never saved its settings */
  @IsInt() @Min(0) version!: number;
}
