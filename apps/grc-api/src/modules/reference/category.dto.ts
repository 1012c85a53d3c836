import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { FIELD_DATATYPES, FIELD_LIMITS, type CategoryFieldInput, type CategoryInput, type FieldDatatype } from '@grc/domain';
import { CODE_MESSAGE, CODE_PATTERN } from './department.dto';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** One choice of a list field (the shapes; the rules are libs/domain checkFieldDefinitions'). */
export class FieldChoiceDto {
  @Transform(trim) @IsString() @MaxLength(FIELD_LIMITS.choiceKeyMax) key!: string;
  @Transform(trim) @IsString() @MaxLength(FIELD_LIMITS.choiceNameMax) name!: string;
  @IsOptional() @Transform(trim) @IsString() @MaxLength(FIELD_LIMITS.choiceNameMax) nameEn?: string | null;
}

/** One of the category's own fields as the administrator defines it. */
export class CategoryFieldDto implements CategoryFieldInput {
  @Transform(trim) @IsString() @MaxLength(FIELD_LIMITS.codeMax) code!: string;
  @IsIn(FIELD_DATATYPES as unknown as FieldDatatype[]) datatype!: FieldDatatype;
  @IsOptional() @IsBoolean() variable?: boolean;
  @IsOptional() @IsBoolean() required?: boolean;
  @Transform(trim) @IsString() @MaxLength(FIELD_LIMITS.labelMax) description!: string;
  @IsOptional() @Transform(trim) @IsString() @MaxLength(FIELD_LIMITS.labelMax) descriptionEn?: string | null;
  @IsOptional() @Transform(trim) @IsString() @MaxLength(FIELD_LIMITS.helpMax) datatypeDescription?: string | null;
  @IsOptional() @IsInt() @Min(0) order?: number;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FIELD_LIMITS.choicesMax)
  @ValidateNested({ each: true })
  @Type(() => FieldChoiceDto)
  values?: FieldChoiceDto[];
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) min?: number | null;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) max?: number | null;
}

export class CreateCategoryDto implements CategoryInput {
  @Transform(trim) @IsString() @Matches(CODE_PATTERN, { message: CODE_MESSAGE }) @MaxLength(64) code!: string;
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) nameFr!: string;
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) nameEn!: string;
  /** department that takes the category's tickets when no routing rule matches */
  @IsUUID() defaultDepartmentId!: string;
  @IsOptional() @IsBoolean() active?: boolean;
  /** the whole list of the category's own fields (absent: unchanged) */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FIELD_LIMITS.fieldsMax)
  @ValidateNested({ each: true })
  @Type(() => CategoryFieldDto)
  fields?: CategoryFieldDto[];
}

/** PUT body: the same fields plus the version last read; an absent `active` is left unchanged. */
export class UpdateCategoryDto extends CreateCategoryDto {
  @IsInt() @Min(1) version!: number;
}
