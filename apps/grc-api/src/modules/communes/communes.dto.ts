import { Transform, Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Matches, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import {
  COMMUNE_CODE_MAX,
  COMMUNE_CODE_PATTERN,
  PUBLIC_HOST_MAX,
  PUBLIC_HOST_PATTERN,
  type CommuneCreate,
  type CommuneUpdate,
} from '@grc/domain';
import { PublicTextsDto } from '../town/town-settings.dto';

/** a host as typed: trimmed, lower case (a host name is not case-sensitive); '' means none */
const host = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() || null : value);

export class CreateCommuneDto implements CommuneCreate {
  /** lower-case letters, digits and single hyphens (`val-fleuri`): its public path, Open311 jurisdiction, pack name */
  @IsString() @MaxLength(COMMUNE_CODE_MAX) @Matches(COMMUNE_CODE_PATTERN) code!: string;
  @IsString() @MinLength(1) @MaxLength(200) name!: string;
  /** its public pages' own host (`grc.val-fleuri.fr`), null: none */
  @Transform(host)
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(PUBLIC_HOST_MAX)
  @Matches(PUBLIC_HOST_PATTERN)
  publicHost!: string | null;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PublicTextsDto) publicTexts?: PublicTextsDto;
}

export class UpdateCommuneDto implements CommuneUpdate {
  @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @Transform(host)
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(PUBLIC_HOST_MAX)
  @Matches(PUBLIC_HOST_PATTERN)
  publicHost!: string | null;
  @IsObject() @ValidateNested() @Type(() => PublicTextsDto) publicTexts!: PublicTextsDto;
  @IsInt() @Min(0) version!: number;
}
