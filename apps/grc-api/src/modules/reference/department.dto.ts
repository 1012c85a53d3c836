import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { Transform } from 'class-transformer';
import type { DepartmentInput } from '@grc/domain';

/** Codes are stable identifiers used by town packs and imports: "espaces-verts". */
export const CODE_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const CODE_MESSAGE = 'Code invalide : lettres minuscules, chiffres et tirets (ex. « espaces-verts »).';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class CreateDepartmentDto implements DepartmentInput {
  @Transform(trim) @IsString() @Matches(CODE_PATTERN, { message: CODE_MESSAGE }) @MaxLength(64) code!: string;
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @IsIn(['direction', 'service']) kind!: 'direction' | 'service';
  /** the parent department; null or absent for a top-level one */
  @IsOptional() @IsUUID() parentId?: string | null;
  @IsOptional() @Transform(lower) @IsEmail() @MaxLength(254) email?: string | null;
  @IsOptional() @IsBoolean() active?: boolean;
  /** a front desk: its members get the citizen directory (docs/authorization.md) */
  @IsOptional() @IsBoolean() frontDesk?: boolean;
}

/** PUT body: the same fields plus the version last read. An absent optional field is left unchanged; null clears it. */
export class UpdateDepartmentDto extends CreateDepartmentDto {
  @IsInt() @Min(1) version!: number;
}
