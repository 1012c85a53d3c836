import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
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

export class ErasureDto {
  /** erase even though requests are still open */
  @IsOptional() @IsBoolean() force?: boolean;
  /** the ground of the erasure (the person's request and its date, a legal duty's end…), recorded in the trail */
  @IsString() @MaxLength(1000) reason!: string;
}

export class MergeDto {
  /** the other record of the same person: its requests move here, then it is deleted */
  @IsUUID() otherId!: string;
  /** this (kept) record's version as read */
  @IsInt() @Min(1) version!: number;
  /** the other record's version as read */
  @IsInt() @Min(1) otherVersion!: number;
  /** why both records are the same person (recorded in both trails) */
  @IsString() @MaxLength(1000) reason!: string;
}
