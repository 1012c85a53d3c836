import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ROLES, type AgentInput, type PasswordResetRequest, type Role } from '@grc/domain';

export const MIN_PASSWORD_LENGTH = 12;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

class AgentFieldsDto {
  /** stored lower-case; unique */
  @Transform(lower) @IsEmail() @MaxLength(254) email!: string;
  @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) displayName!: string;
  @IsIn(ROLES) role!: Role;
  @IsOptional() @IsIn(['fr', 'en']) locale?: 'fr' | 'en';
  @IsOptional() @IsBoolean() active?: boolean;
  /** at least one, except for admins */
  @IsArray() @ArrayMaxSize(100) @IsUUID('all', { each: true }) departmentIds!: string[];
}

export class CreateAgentDto extends AgentFieldsDto implements AgentInput {
  @IsString() @MinLength(1) @MaxLength(200) password!: string;
}

/** PUT body: the same fields plus the version last read; the password only when it changes (absent: unchanged). */
export class UpdateAgentDto extends AgentFieldsDto implements AgentInput {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) password?: string;
  @IsInt() @Min(1) version!: number;
}

export class PasswordResetDto implements PasswordResetRequest {
  /** temporary: the agent must change it at its next login */
  @IsString() @MinLength(1) @MaxLength(200) password!: string;
}

/** `departmentId=a,b` or `departmentId=a&departmentId=b`: a list (anything else is left for the validators to refuse) */
const oneOrMany = ({ value }: { value: unknown }) => {
  const list = Array.isArray(value) ? value : [value];
  return value === undefined || !list.every((v) => typeof v === 'string') ? value : list.flatMap((v: string) => v.split(','));
};

/**
 * The agent pickers' query (GET /agents?q=&departmentId=&limit=): active agents of these departments whose name or
 * e-mail holds every word of `q` (accents and case ignored), by name, at most `limit`. Without any of the three
 * the whole directory (every agent, active or not) as before.
 */
export class AgentSearchDto {
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  /** one or more (`departmentId=a,b` or repeated): agents of any of them */
  @IsOptional() @Transform(oneOrMany) @IsArray() @ArrayMaxSize(100) @IsUUID('all', { each: true }) departmentId?: string[];
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}
