import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PUBLIC_TEXT_MAX, type PublicTexts, type TownSettingsUpdate } from '@grc/domain';

export class PublicTextsDto implements PublicTexts {
  @IsString() @MaxLength(PUBLIC_TEXT_MAX) formIntro!: string;
  @IsString() @MaxLength(PUBLIC_TEXT_MAX) trackingIntro!: string;
  @IsString() @MaxLength(PUBLIC_TEXT_MAX) footer!: string;
}

export class TownSettingsDto implements TownSettingsUpdate {
  @IsString() @MinLength(1) @MaxLength(200) name!: string;
  /** an IANA time zone (Europe/Paris, America/Cayenne, Indian/Reunion…) */
  @IsString() @MaxLength(64) timezone!: string;
  @IsIn(['fr', 'en']) locale!: 'fr' | 'en';
  /** 2 to 6 uppercase letters; applies to requests registered from now on */
  @IsString() @Matches(/^[A-Z]{2,6}$/) referencePrefix!: string;
  /** `data:image/png;base64,…` (PNG, JPEG or WebP, 256 KiB at most); null removes it; absent keeps it */
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(400_000) logo?: string | null;
  @IsObject() @ValidateNested() @Type(() => PublicTextsDto) publicTexts!: PublicTextsDto;
  @ValidateIf((_, v) => v !== null) @IsEmail() @MaxLength(254) senderAddress!: string | null;
  @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(200) senderName!: string | null;
  @IsInt() @Min(1) version!: number;
}
