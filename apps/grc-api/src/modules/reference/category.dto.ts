import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, MinLength } from 'class-validator';
import type { CategoryInput } from '@grc/domain';
import { CODE_MESSAGE, CODE_PATTERN } from './department.dto';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateCategoryDto implements CategoryInput {
  @Transform(trim) @IsString() @Matches(CODE_PATTERN, { message: CODE_MESSAGE }) @MaxLength(64) code!: string;
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) nameFr!: string;
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) nameEn!: string;
  /** department that takes the category's tickets when no routing rule matches */
  @IsUUID() defaultDepartmentId!: string;
  @IsOptional() @IsBoolean() active?: boolean;
}

/** PUT body: the same fields plus the version last read; an absent `active` is left unchanged. */
export class UpdateCategoryDto extends CreateCategoryDto {
  @IsInt() @Min(1) version!: number;
}
